"""Policy versions: draft, submit, approve and publish (maker-checker), reject.

A bureau administrator drafts (imports a document or replaces a draft's document) and
submits; a *different* bureau administrator approves and publishes. Once published a
version is never changed (see PolicyVersion.save and the PostgreSQL trigger); a new
version with a later effective date takes over from that date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pooling.kernel import review
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.permissions import require
from pooling.kernel.problems import Problem
from pooling.models import PolicyStatus, PolicyVersion, User
from pooling.policy.labels import PROBLEM_SEP, path_label, problem_text
from pooling.policy.validation import document_problems

INVALID_DOCUMENT = _("政策文件未通过校验，共 %(count)s 处问题：%(problems)s")
CODE_TAKEN = _("版本号 %(code)s 已存在")
NOT_EDITABLE = _("政策版本 %(code)s 当前状态为「%(status)s」，不能修改（已发布的版本不可更改）")
NOT_SUBMITTABLE = _("只有草稿或已退回的版本可以提交复核，%(code)s 当前为「%(status)s」")
NOT_SUBMITTED = _("只有待复核的版本可以复核，%(code)s 当前为「%(status)s」")
SAME_PERSON = _("复核发布须由起草人以外的另一位市医保局管理员进行（起草人：%(drafter)s）")
DATE_TAKEN = _("生效日期 %(date)s 已有已发布的政策版本 %(other)s")
REASON_REQUIRED = review.REASON_REQUIRED
REVIEWED = review.Reviewed(
    maker="drafted_by",
    checker="approved_by",
    not_submittable=NOT_SUBMITTABLE,
    not_submitted=NOT_SUBMITTED,
    same_person=SAME_PERSON,
    date_taken=DATE_TAKEN,
)


class _Listed:
    """The first problems as one text, rendered when the message is — so the same error
    reads in Chinese in detail_zh and in English in detail_en."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems

    def __str__(self) -> str:
        return str(PROBLEM_SEP).join(problem_text(p) for p in self.problems[:20])


class PolicyDocumentInvalid(BusinessRuleError):
    """The document failed validation; `problems` lists every JSON path and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            INVALID_DOCUMENT,
            code="invalid_policy_document",
            params={
                "count": len(problems),
                "problems": _Listed(problems),
            },
        )

    def as_dict(self) -> dict[str, Any]:
        def label(path: str, lang: str) -> str:
            with translation.override(lang):
                return path_label(path)

        return {
            **super().as_dict(),
            "problems": [
                {
                    "path": p.column,
                    "label": label(p.column, "zh-hans"),
                    "label_en": label(p.column, "en"),
                    "reason": p.text("zh-hans"),
                    "reason_en": p.text("en"),
                }
                for p in self.problems
            ],
        }


def policy_document_check(*, document: Any) -> None:
    """Raise PolicyDocumentInvalid listing every problem, or return if the document is valid."""
    problems = document_problems(document)
    if problems:
        raise PolicyDocumentInvalid(problems)


def _status_params(version: PolicyVersion) -> dict[str, Any]:
    return {"code": version.code, "status": version.get_status_display()}


def _check_code_free(code: str, *, except_pk: int | None = None) -> None:
    others = PolicyVersion.objects.filter(code=code)
    if except_pk is not None:
        others = others.exclude(pk=except_pk)
    if others.exists():
        raise BusinessRuleError(CODE_TAKEN, code="code_taken", field="code", params={"code": code})


@transaction.atomic
def policy_draft_import(*, document: Any, actor: User) -> PolicyVersion:
    """Save a validated document as a new draft drafted by `actor`; nothing is saved if invalid."""
    require(actor, "policy.draft")
    policy_document_check(document=document)
    _check_code_free(document["code"])
    version = PolicyVersion(
        code=document["code"],
        title=document["title"],
        effective_from=date.fromisoformat(document["effective_from"]),
        document=document,
        status=PolicyStatus.DRAFT,
        drafted_by=actor,
    )
    version.full_clean(validate_unique=False)
    with unique_clash(lambda: _check_code_free(document["code"])):  # imported meanwhile by another
        version.save()
    return version


@transaction.atomic
def policy_draft_update(*, version: PolicyVersion, document: Any, actor: User) -> PolicyVersion:
    """Replace a draft's (or rejected version's) document; `actor` becomes its drafter."""
    require(actor, "policy.draft")
    version = review.locked(version)
    if version.status not in (PolicyStatus.DRAFT, PolicyStatus.REJECTED):
        raise BusinessRuleError(NOT_EDITABLE, code="not_editable", params=_status_params(version))
    policy_document_check(document=document)
    _check_code_free(document["code"], except_pk=version.pk)
    version.code, version.title = document["code"], document["title"]
    version.effective_from = date.fromisoformat(document["effective_from"])
    version.document, version.status, version.drafted_by = document, PolicyStatus.DRAFT, actor
    version.full_clean(validate_unique=False)
    with unique_clash(lambda: _check_code_free(document["code"], except_pk=version.pk)):
        version.save()
    return version


@transaction.atomic
def policy_submit(*, version: PolicyVersion, actor: User) -> PolicyVersion:
    """Send a draft for review by a second administrator."""
    require(actor, "policy.draft")
    version = review.locked(version)
    if version.status in (PolicyStatus.DRAFT, PolicyStatus.REJECTED):
        policy_document_check(document=version.document)
    return review.submit(REVIEWED, version)


@transaction.atomic
def policy_approve_publish(*, version: PolicyVersion, actor: User) -> PolicyVersion:
    """Approve and publish: by a bureau administrator other than the drafter. Irreversible."""
    require(actor, "policy.publish")
    version = review.locked(version)
    review.check_reviewer(REVIEWED, version, actor)
    policy_document_check(document=version.document)
    return review.publish(REVIEWED, version, actor)


@transaction.atomic
def policy_reject(*, version: PolicyVersion, actor: User, reason: str) -> PolicyVersion:
    """Send a submitted version back to its drafter with the reviewer's reason."""
    require(actor, "policy.publish")
    version = review.locked(version)
    review.check_reviewer(REVIEWED, version, actor)
    return review.reject(version, reason)

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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import Role
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.problems import Problem
from pooling.models import PolicyStatus, PolicyVersion, User
from pooling.policy.validation import document_problems

INVALID_DOCUMENT = _("政策文件未通过校验，共 %(count)s 处问题：%(problems)s")
NOT_BUREAU_ADMIN = _("只有市医保局管理员可以起草、提交、复核政策版本")
CODE_TAKEN = _("版本号 %(code)s 已存在")
NOT_EDITABLE = _("政策版本 %(code)s 当前状态为「%(status)s」，不能修改（已发布的版本不可更改）")
NOT_SUBMITTABLE = _("只有草稿或已退回的版本可以提交复核，%(code)s 当前为「%(status)s」")
NOT_SUBMITTED = _("只有待复核的版本可以复核，%(code)s 当前为「%(status)s」")
SAME_PERSON = _("复核发布须由起草人以外的另一位市医保局管理员进行（起草人：%(drafter)s）")
DATE_TAKEN = _("生效日期 %(date)s 已有已发布的政策版本 %(other)s")
REASON_REQUIRED = _("退回时请填写退回理由")


class PolicyDocumentInvalid(BusinessRuleError):
    """The document failed validation; `problems` lists every JSON path and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(INVALID_DOCUMENT, code="invalid_policy_document", params={
            "count": len(problems), "problems": "；".join(str(p) for p in problems[:20]),
        })

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "problems": [
            {"path": p.column, "reason": p.text("zh-hans"), "reason_en": p.text("en")} for p in self.problems]}


def policy_document_check(*, document: Any) -> None:
    """Raise PolicyDocumentInvalid listing every problem, or return if the document is valid."""
    problems = document_problems(document)
    if problems:
        raise PolicyDocumentInvalid(problems)


def _require_bureau_admin(actor: User) -> None:
    # Not pooling.kernel.permissions.user_has_role: the same rule, without importing DRF into services.
    if not (actor.is_active and (actor.is_superuser or actor.role == Role.BUREAU_ADMIN)):
        raise BusinessRuleError(NOT_BUREAU_ADMIN, code="not_bureau_admin")


def _locked(version: PolicyVersion) -> PolicyVersion:
    return PolicyVersion.objects.select_for_update().get(pk=version.pk)


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
    _require_bureau_admin(actor)
    policy_document_check(document=document)
    _check_code_free(document["code"])
    version = PolicyVersion(
        code=document["code"], title=document["title"],
        effective_from=date.fromisoformat(document["effective_from"]),
        document=document, status=PolicyStatus.DRAFT, drafted_by=actor,
    )
    version.full_clean(validate_unique=False)
    with unique_clash(lambda: _check_code_free(document["code"])):  # imported meanwhile by another
        version.save()
    return version


@transaction.atomic
def policy_draft_update(*, version: PolicyVersion, document: Any, actor: User) -> PolicyVersion:
    """Replace a draft's (or rejected version's) document; `actor` becomes its drafter."""
    _require_bureau_admin(actor)
    version = _locked(version)
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
    _require_bureau_admin(actor)
    version = _locked(version)
    if version.status not in (PolicyStatus.DRAFT, PolicyStatus.REJECTED):
        raise BusinessRuleError(NOT_SUBMITTABLE, code="not_submittable", params=_status_params(version))
    policy_document_check(document=version.document)
    version.status, version.submitted_at, version.review_note = PolicyStatus.SUBMITTED, timezone.now(), ""
    version.save(update_fields=["status", "submitted_at", "review_note"])
    return version


def _check_reviewer(version: PolicyVersion, actor: User) -> None:
    _require_bureau_admin(actor)
    if version.status != PolicyStatus.SUBMITTED:
        raise BusinessRuleError(NOT_SUBMITTED, code="not_submitted", params=_status_params(version))
    if version.drafted_by_id == actor.pk:
        raise BusinessRuleError(SAME_PERSON, code="same_person",
                                params={"drafter": str(version.drafted_by)})


@transaction.atomic
def policy_approve_publish(*, version: PolicyVersion, actor: User) -> PolicyVersion:
    """Approve and publish: by a bureau administrator other than the drafter. Irreversible."""
    version = _locked(version)
    _check_reviewer(version, actor)
    policy_document_check(document=version.document)
    _check_date_free(version)
    version.status, version.approved_by, version.published_at = PolicyStatus.PUBLISHED, actor, timezone.now()
    with unique_clash(lambda: _check_date_free(version)):  # another version of that date published meanwhile
        version.save(update_fields=["status", "approved_by", "published_at"])
    return version


def _check_date_free(version: PolicyVersion) -> None:
    other = PolicyVersion.objects.filter(
        status=PolicyStatus.PUBLISHED, effective_from=version.effective_from).exclude(pk=version.pk).first()
    if other is not None:
        raise BusinessRuleError(DATE_TAKEN, code="date_taken", params={
            "date": version.effective_from.isoformat(), "other": other.code})


@transaction.atomic
def policy_reject(*, version: PolicyVersion, actor: User, reason: str) -> PolicyVersion:
    """Send a submitted version back to its drafter with the reviewer's reason."""
    version = _locked(version)
    _check_reviewer(version, actor)
    if not reason.strip():
        raise BusinessRuleError(REASON_REQUIRED, code="reason_required", field="reason")
    version.status, version.review_note = PolicyStatus.REJECTED, reason.strip()
    version.save(update_fields=["status", "review_note"])
    return version

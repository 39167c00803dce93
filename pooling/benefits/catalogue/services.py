"""Catalogue versions: submit, approve and publish (maker-checker), reject — like the policy.

A bureau administrator imports a file as a draft (`importer.catalogue_import`) and submits
it; a *different* bureau administrator approves and publishes it, from its effective date
(the database refuses a published version without that second signature). A rejected
version may be submitted again; its items never change (a corrected file is a new version).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.benefits.catalogue.models import CatalogueStatus, CatalogueVersion
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import require
from pooling.kernel.regions import User

NOT_SUBMITTABLE = _("只有草稿或已退回的目录版本可以提交复核，%(code)s 当前为「%(status)s」")
NOT_SUBMITTED = _("只有待复核的目录版本可以复核，%(code)s 当前为「%(status)s」")
SAME_PERSON = _("复核发布须由导入人以外的另一位市医保局管理员进行（导入人：%(maker)s）")
DATE_TAKEN = _("%(on)s 已有已发布的目录版本")
REASON_REQUIRED = _("退回时请填写退回理由")


def _locked(version: CatalogueVersion) -> CatalogueVersion:
    return CatalogueVersion.objects.select_for_update().get(pk=version.pk)


def _status(version: CatalogueVersion) -> dict[str, Any]:
    return {"code": version.code, "status": version.get_status_display()}


@transaction.atomic
def catalogue_submit(*, version: CatalogueVersion, actor: User) -> CatalogueVersion:
    """Send an imported (or rejected) version for review by a second administrator."""
    require(actor, "catalogue.draft")
    version = _locked(version)
    if version.status not in (CatalogueStatus.DRAFT, CatalogueStatus.REJECTED):
        raise BusinessRuleError(NOT_SUBMITTABLE, code="not_submittable", params=_status(version))
    version.status, version.submitted_at, version.review_note = CatalogueStatus.SUBMITTED, timezone.now(), ""
    version.save(update_fields=["status", "submitted_at", "review_note"])
    return version


def _check_reviewer(version: CatalogueVersion, actor: User) -> None:
    if version.status != CatalogueStatus.SUBMITTED:
        raise BusinessRuleError(NOT_SUBMITTED, code="not_submitted", params=_status(version))
    if version.imported_by_id is None or version.imported_by_id == actor.pk:
        raise BusinessRuleError(SAME_PERSON, code="same_person", params={"maker": str(version.imported_by or "—")})


@transaction.atomic
def catalogue_publish(*, version: CatalogueVersion, actor: User) -> CatalogueVersion:
    """Approve and publish: by an administrator other than the importer; in force from its
    effective date (one published version per date). Irreversible."""
    require(actor, "catalogue.publish")
    version = _locked(version)
    _check_reviewer(version, actor)
    taken = CatalogueVersion.objects.filter(status=CatalogueStatus.PUBLISHED,
                                            effective_from=version.effective_from).exists()
    if taken:
        raise BusinessRuleError(DATE_TAKEN, code="date_taken", field="effective_from",
                                params={"on": version.effective_from.isoformat()})
    version.status, version.published_by, version.published_at = CatalogueStatus.PUBLISHED, actor, timezone.now()
    version.save(update_fields=["status", "published_by", "published_at"])
    return version


@transaction.atomic
def catalogue_reject(*, version: CatalogueVersion, actor: User, reason: str) -> CatalogueVersion:
    """Send a submitted version back to its importer with the reviewer's reason."""
    require(actor, "catalogue.publish")
    version = _locked(version)
    _check_reviewer(version, actor)
    if not reason.strip():
        raise BusinessRuleError(REASON_REQUIRED, code="reason_required", field="reason")
    version.status, version.review_note = CatalogueStatus.REJECTED, reason.strip()
    version.save(update_fields=["status", "review_note"])
    return version

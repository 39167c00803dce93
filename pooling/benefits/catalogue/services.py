"""Catalogue versions: submit, approve and publish (maker-checker), reject — like the policy.

A bureau administrator imports a file as a draft (`importer.catalogue_import`) and submits
it; a *different* bureau administrator approves and publishes it, from its effective date
(the database refuses a published version without that second signature). A rejected
version may be submitted again; its items never change (a corrected file is a new version).
The steps are those of every reviewed document (`pooling.kernel.review`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pooling.benefits.catalogue.models import CatalogueVersion
from pooling.kernel import review
from pooling.kernel.permissions import require
from pooling.kernel.regions import User

NOT_SUBMITTABLE = _("只有草稿或已退回的目录版本可以提交复核，%(code)s 当前为「%(status)s」")
NOT_SUBMITTED = _("只有待复核的目录版本可以复核，%(code)s 当前为「%(status)s」")
SAME_PERSON = _("复核发布须由导入人以外的另一位市医保局管理员进行（导入人：%(maker)s）")
DATE_TAKEN = _("%(on)s 已有已发布的目录版本")
REVIEWED = review.Reviewed(
    maker="imported_by",
    checker="published_by",
    not_submittable=NOT_SUBMITTABLE,
    not_submitted=NOT_SUBMITTED,
    same_person=SAME_PERSON,
    date_taken=DATE_TAKEN,
)


@transaction.atomic
def catalogue_submit(*, version: CatalogueVersion, actor: User) -> CatalogueVersion:
    """Send an imported (or rejected) version for review by a second administrator."""
    require(actor, "catalogue.draft")
    return review.submit(REVIEWED, review.locked(version))


@transaction.atomic
def catalogue_publish(*, version: CatalogueVersion, actor: User) -> CatalogueVersion:
    """Approve and publish: by an administrator other than the importer; in force from its
    effective date (one published version per date). Irreversible."""
    require(actor, "catalogue.publish")
    version = review.locked(version)
    review.check_reviewer(REVIEWED, version, actor)
    return review.publish(REVIEWED, version, actor)


@transaction.atomic
def catalogue_reject(*, version: CatalogueVersion, actor: User, reason: str) -> CatalogueVersion:
    """Send a submitted version back to its importer with the reviewer's reason."""
    require(actor, "catalogue.publish")
    version = review.locked(version)
    review.check_reviewer(REVIEWED, version, actor)
    return review.reject(version, reason)

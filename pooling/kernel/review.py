"""Maker-checker for the city's versioned documents (policy versions, catalogue versions).

One administrator makes a version and submits it; a *different* one approves and
publishes it, or sends it back with a reason. The steps are the same for every kind of
document; a `Reviewed` says which fields name its maker and checker and how its messages
read. Callers lock the row (`locked`) and check the capability first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.permissions import Actor

DRAFT, SUBMITTED, PUBLISHED, REJECTED = "draft", "submitted", "published", "rejected"
REASON_REQUIRED = _("退回时请填写退回理由")


@dataclass(frozen=True)
class Reviewed:
    maker: str  # the field naming who made the version: "drafted_by", "imported_by"
    checker: str  # the field naming who approved it: "approved_by", "published_by"
    not_submittable: Any  # params: code, status
    not_submitted: Any  # params: code, status
    same_person: Any  # params: maker (also drafter)
    date_taken: Any  # params: on (also date), other


M = Any  # a model instance with code, status, submitted_at, published_at, review_note


def locked(version: models.Model) -> Any:
    return type(version)._default_manager.select_for_update().get(pk=version.pk)


def _status(version: M) -> dict[str, Any]:
    return {"code": version.code, "status": version.get_status_display()}


def submit(kind: Reviewed, version: M) -> M:
    """Draft or rejected → submitted (a second administrator reviews it next)."""
    if version.status not in (DRAFT, REJECTED):
        raise BusinessRuleError(
            kind.not_submittable, code="not_submittable", params=_status(version)
        )
    version.status, version.submitted_at, version.review_note = SUBMITTED, timezone.now(), ""
    version.save(update_fields=["status", "submitted_at", "review_note"])
    return version


def check_reviewer(kind: Reviewed, version: M, actor: Actor) -> None:
    """Only a submitted version is reviewed, and never by its maker (nor when no maker is known)."""
    if version.status != SUBMITTED:
        raise BusinessRuleError(kind.not_submitted, code="not_submitted", params=_status(version))
    maker_id = getattr(version, f"{kind.maker}_id")
    if maker_id is None or maker_id == actor.pk:
        maker = str(getattr(version, kind.maker) or "—")
        raise BusinessRuleError(
            kind.same_person, code="same_person", params={"maker": maker, "drafter": maker}
        )


def publish(kind: Reviewed, version: M, actor: Actor) -> M:
    """Submitted → published, signed by `actor` (whom check_reviewer let through); refused
    while another version is in force from the same date (one published per date)."""
    _check_date_free(kind, version)
    version.status, version.published_at = PUBLISHED, timezone.now()
    setattr(version, kind.checker, actor)
    with unique_clash(
        lambda: _check_date_free(kind, version)
    ):  # one of that date published meanwhile
        version.save(update_fields=["status", kind.checker, "published_at"])
    return version


def _check_date_free(kind: Reviewed, version: M) -> None:
    other = (
        type(version)
        ._default_manager.filter(status=PUBLISHED, effective_from=version.effective_from)
        .exclude(pk=version.pk)
        .first()
    )
    if other is not None:
        on = version.effective_from.isoformat()
        raise BusinessRuleError(
            kind.date_taken,
            code="date_taken",
            field="effective_from",
            params={"on": on, "date": on, "other": other.code},
        )


def reject(version: M, reason: str) -> M:
    """Submitted → rejected, with the reviewer's reason for the maker."""
    if not reason.strip():
        raise BusinessRuleError(REASON_REQUIRED, code="reason_required", field="reason")
    version.status, version.review_note = REJECTED, reason.strip()
    version.save(update_fields=["status", "review_note"])
    return version

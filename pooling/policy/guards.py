"""The ORM refuses to change or delete a published policy version.

A published version is the rule every past claim, contribution and enrolment was judged
by. Signals (not a save() override) also catch queryset deletes; `QuerySet.update()` and
raw SQL are stopped by the PostgreSQL trigger (migration 0005).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from pooling.models import PolicyStatus, PolicyVersion

FROZEN_FIELDS = (
    "code",
    "title",
    "effective_from",
    "status",
    "document",
    "drafted_by_id",
    "approved_by_id",
)


class PolicyVersionFrozen(Exception):
    """Raised on an attempt to change or delete a published policy version."""

    def __init__(self, code: str) -> None:
        super().__init__(f"published policy version {code} is immutable")


def refuse_changing_published(sender: Any, instance: PolicyVersion, **kwargs: Any) -> None:
    if instance.pk is None:
        return
    old = (
        PolicyVersion.objects.filter(pk=instance.pk, status=PolicyStatus.PUBLISHED)
        .values(*FROZEN_FIELDS)
        .first()
    )
    if old is None:
        return
    mine = {f: getattr(instance, f) for f in FROZEN_FIELDS}
    mine["effective_from"] = models.DateField().to_python(mine["effective_from"])
    if old != mine:
        raise PolicyVersionFrozen(instance.code)


def refuse_deleting_published(sender: Any, instance: PolicyVersion, **kwargs: Any) -> None:
    if PolicyVersion.objects.filter(pk=instance.pk, status=PolicyStatus.PUBLISHED).exists():
        raise PolicyVersionFrozen(instance.code)


def connect() -> None:
    models.signals.pre_save.connect(
        refuse_changing_published, sender=PolicyVersion, dispatch_uid="policy_published_no_change"
    )
    models.signals.pre_delete.connect(
        refuse_deleting_published, sender=PolicyVersion, dispatch_uid="policy_published_no_delete"
    )

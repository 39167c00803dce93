"""Reads for the checker: the city's versioned documents waiting for a second administrator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse

from pooling.benefits.catalogue.models import CatalogueStatus, CatalogueVersion
from pooling.kernel.permissions import can
from pooling.models import PolicyStatus, PolicyVersion


@dataclass(frozen=True)
class Waiting:
    kind: str  # "policy" | "catalogue"
    code: str
    title: str
    maker: Any  # who drafted / imported it
    submitted_at: datetime | None
    url: str
    own: bool  # made by the reader: someone else must review it


def awaiting_review(user: Any) -> list[Waiting]:
    """Submitted policy and catalogue versions the user may review (with `policy.publish` /
    `catalogue.publish`), oldest submission first; their own are listed as waiting for another."""
    found: list[Waiting] = []
    if can(user, "policy.publish"):
        for v in (
            PolicyVersion.objects.filter(status=PolicyStatus.SUBMITTED)
            .select_related("drafted_by")
            .defer("document")
            .order_by("submitted_at")
        ):
            found.append(
                Waiting(
                    "policy",
                    v.code,
                    v.title,
                    v.drafted_by,
                    v.submitted_at,
                    reverse("pooling:policy_detail", args=[v.code]),
                    v.drafted_by_id == user.pk,
                )
            )
    if can(user, "catalogue.publish"):
        for c in (
            CatalogueVersion.objects.filter(status=CatalogueStatus.SUBMITTED)
            .select_related("imported_by")
            .order_by("submitted_at")
        ):
            found.append(
                Waiting(
                    "catalogue",
                    c.code,
                    c.title,
                    c.imported_by,
                    c.submitted_at,
                    reverse("pooling:catalogue_detail", args=[c.pk]),
                    c.imported_by_id == user.pk,
                )
            )
    return found

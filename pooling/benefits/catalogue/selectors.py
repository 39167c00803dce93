"""Reads of the catalogues: the version in force on a date, and lookups for the calculator."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet

from pooling.benefits.catalogue.models import CatalogueItem, CatalogueStatus, CatalogueVersion
from pooling.benefits.types import CatalogueEntry
from pooling.kernel.numbers import percent_rate


def _in_force(on: date) -> QuerySet[CatalogueVersion]:
    return CatalogueVersion.objects.filter(
        status=CatalogueStatus.PUBLISHED, effective_from__lte=on
    ).order_by("-effective_from", "-published_at")


def catalogue_in_force(*, on: date) -> CatalogueVersion | None:
    """The published version with the latest effective date on or before `on`."""
    return _in_force(on).first()


def catalogue_lookup(
    *, on: date, codes: Iterable[str], version_id: int | None = None
) -> dict[str, CatalogueEntry]:
    """The entries for these codes in the catalogue in force on `on` — one query.

    A code absent from the result is not in the catalogue (the calculator treats it as 丙类).
    `version_id`: the version in force on `on` as the caller already knows it (a memo of
    `catalogue_in_force`), so its entries are read from that version and no other.
    """
    wanted = {c.strip().upper() for c in codes if c}
    if not wanted:
        return {}
    items = CatalogueItem.objects.filter(code__in=wanted)
    if version_id is None:
        items = items.filter(version_id__in=_in_force(on).values("pk")[:1])
    else:
        items = items.filter(version_id=version_id)
    rows = items.values_list("code", "name", "cls", "kind", "self_pay_pct", "restrictions")
    return {
        code: CatalogueEntry(
            code=code,
            name=name,
            cls=cls,
            kind=kind,
            self_pay_rate=None if pct is None else percent_rate(pct),
            restrictions=restr,
        )
        for code, name, cls, kind, pct, restr in rows
    }


def catalogue_search(
    *, version: CatalogueVersion, q: str = "", kind: str = "", cls: str = ""
) -> QuerySet[CatalogueItem]:
    items = version.items.all()
    if q:
        items = items.filter(code__startswith=q.upper()) | items.filter(name__contains=q)
    if kind:
        items = items.filter(kind=kind)
    if cls:
        items = items.filter(cls=cls)
    return items.order_by("kind", "code")

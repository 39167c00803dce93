"""Who handles which provider: rules and named exceptions, all data (Yancheng art. 13–14)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import RegionLevel, Role
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, SystemActor, require
from pooling.models import Region
from providers.models import HandlingException, HandlingRule

DATA = Path(__file__).resolve().parent.parent / "data"
NO_HANDLING_DATA = _("没有统筹区 %(code)s 的经办归属规则数据")
NOT_THE_HANDLING_AGENCY = _(
    "新增定点申请由负责经办的机构受理：该机构由%(agency)s经办，您所在单位不能受理"
)


def handling_unit_for(
    *, kind: str, level: str, location_region: Region, national_code: str
) -> Region:
    """The handling unit responsible for a provider: a named exception, else a rule, else its county."""
    exception = (
        HandlingException.objects.filter(national_code=national_code)
        .select_related("handling_region")
        .first()
    )
    if exception is not None:
        return exception.handling_region
    to_city = HandlingRule.objects.filter(
        provider_kind=kind, level=level, location_region=location_region
    ).exists()
    if to_city and location_region.parent is not None:
        return location_region.parent
    return location_region


def actor_handles(actor: Actor, region: Region) -> bool:
    """Does this actor work for the agency that handles `region`'s providers? A county
    clerk works for their own unit, city staff for the city's (which of them may act at
    all is the capability, checked by the caller); a system job acts for every agency."""
    if isinstance(actor, SystemActor) or actor.is_superuser:
        return True
    if actor.role == Role.COUNTY_CLERK:
        return bool(actor.region_id == region.code)
    return region.level == RegionLevel.CITY


def require_handler(*, actor: Actor, region: Region) -> None:
    if not actor_handles(actor, region):
        raise BusinessRuleError(
            NOT_THE_HANDLING_AGENCY,
            code="not_handling_agency",
            params={"agency": region.agency_name},
        )


@transaction.atomic
def handling_rules_load(*, area_code: str, actor: Actor) -> tuple[int, int]:
    """Load the shipped rule table for a pooling area (idempotent). Returns (rules, exceptions)."""
    require(actor, "handling.rules")
    path = DATA / f"handling_{area_code}.json"
    if not path.exists():
        raise BusinessRuleError(
            NO_HANDLING_DATA, code="no_handling_data", params={"code": area_code}
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    for row in data["city_rules"]:
        HandlingRule.objects.update_or_create(
            provider_kind=row["provider_kind"],
            level=row["level"],
            location_region_id=row["location_region"],
            defaults={"note": row.get("note", "")},
        )
    for row in data["exceptions"]:
        HandlingException.objects.update_or_create(
            national_code=row["national_code"],
            defaults={
                "name": row["name"],
                "handling_region_id": row["handling_region"],
                "note": row.get("note", ""),
            },
        )
    return len(data["city_rules"]), len(data["exceptions"])

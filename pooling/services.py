"""Writes of the shared kernel: regions, demo users, the worker heartbeat."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.choices import RegionLevel
from pooling.errors import BusinessRuleError
from pooling.models import Region, User, WorkerHeartbeat

REGION_DATA = Path(__file__).resolve().parent / "data" / "regions"
UNKNOWN_AREA = _("未知的统筹区行政区划代码：%(code)s（已提供：%(known)s）")


def known_area_codes() -> list[str]:
    return sorted(p.stem for p in REGION_DATA.glob("*.json"))


@transaction.atomic
def regions_load(*, area_code: str) -> list[Region]:
    """Create or update a pooling area and its handling units from shipped data."""
    path = REGION_DATA / f"{area_code}.json"
    if not path.exists():
        raise BusinessRuleError(UNKNOWN_AREA, code="unknown_area",
                                params={"code": area_code, "known": ", ".join(known_area_codes())})
    data = json.loads(path.read_text(encoding="utf-8"))
    saved = [_upsert_region(data["area"], parent=None, order=0)]
    area = saved[0]
    for order, unit in enumerate(data["units"], start=1):
        saved.append(_upsert_region(unit, parent=area, order=order))
    return saved


def _upsert_region(row: dict[str, Any], *, parent: Region | None, order: int) -> Region:
    region = Region(
        code=row["code"], name=row["name"], kind=row["kind"],
        level=row.get("level", RegionLevel.COUNTY if parent else RegionLevel.CITY),
        parent=parent, agency_name=row["agency_name"],
        statistical_only=row.get("statistical_only", False), sort_order=order,
    )
    region.full_clean(validate_unique=False)
    region.save()
    return region


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    display_name: str
    region_code: str | None = None


def staff_ensure(*, spec: StaffSpec, password: str) -> User:
    """Create or reset a staff account (idempotent: the demo may be loaded twice)."""
    user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
    user.role = spec.role
    user.display_name = spec.display_name
    user.region_id = spec.region_code
    user.is_staff = True
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise BusinessRuleError(_("用户资料不完整：%(e)s"), params={"e": exc}) from exc
    user.save()
    return user


def heartbeat_record(*, token: str, hostname: str) -> WorkerHeartbeat:
    beat, _created = WorkerHeartbeat.objects.get_or_create(token=token, defaults={"hostname": hostname})
    return beat


def heartbeat_status() -> dict[str, Any]:
    last = WorkerHeartbeat.objects.order_by("-received_at").first()
    fresh = bool(last and last.received_at > timezone.now() - timedelta(minutes=15))
    return {"last": last, "fresh": fresh}

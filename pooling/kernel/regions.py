"""The pooling area, its handling units, and the staff who work in them.

Regions are GB/T 2260 divisions shipped as data (`pooling/data/regions/<code>.json`);
a deployment serves one pooling area (`settings.POOLING_AREA_CODE`). County clerks are
bound to exactly one handling unit, which is what county scoping reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import RegionKind, RegionLevel, Role
from pooling.kernel.errors import BusinessRuleError


class Region(models.Model):
    """A pooling area (city; later a province) or one of its handling units.

    The GB/T 2260 code is the primary key, so postings, imports and exports carry
    the code every clerk already knows (320902), not a surrogate id.
    """

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    agency_name = models.CharField(_("经办机构"), max_length=80)
    # Zones with only a statistical code still run their own handling office.
    statistical_only = models.BooleanField(_("仅统计用区划代码"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("行政区划/经办单位")
        verbose_name_plural = _("行政区划/经办单位")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_handling_unit(self) -> bool:
        return self.level == RegionLevel.COUNTY


class User(AbstractUser):
    """A member of staff. County clerks are bound to exactly one handling unit."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属经办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.COUNTY_CLERK) | models.Q(region__isnull=False),
                name="county_clerk_has_region",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


def pooling_area() -> Region | None:
    return Region.objects.filter(code=settings.POOLING_AREA_CODE).first()


def handling_units() -> QuerySet[Region]:
    """Every county-level handling unit of this deployment's pooling area."""
    return Region.objects.filter(
        parent_id=settings.POOLING_AREA_CODE, level=RegionLevel.COUNTY, is_active=True
    )


REGION_DATA = Path(__file__).resolve().parent.parent / "data" / "regions"
UNKNOWN_AREA = _("未知的统筹区行政区划代码：%(code)s（已提供：%(known)s）")


def known_area_codes() -> list[str]:
    return sorted(p.stem for p in REGION_DATA.glob("*.json"))


@transaction.atomic
def regions_load(*, area_code: str) -> list[Region]:
    """Create or update a pooling area and its handling units from shipped data."""
    path = REGION_DATA / f"{area_code}.json"
    if not path.exists():
        raise BusinessRuleError(
            UNKNOWN_AREA,
            code="unknown_area",
            params={"code": area_code, "known": ", ".join(known_area_codes())},
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    saved = [_upsert_region(data["area"], parent=None, order=0)]
    area = saved[0]
    for order, unit in enumerate(data["units"], start=1):
        saved.append(_upsert_region(unit, parent=area, order=order))
    return saved


def _upsert_region(row: dict[str, Any], *, parent: Region | None, order: int) -> Region:
    region = Region(
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        level=row.get("level", RegionLevel.COUNTY if parent else RegionLevel.CITY),
        parent=parent,
        agency_name=row["agency_name"],
        statistical_only=row.get("statistical_only", False),
        sort_order=order,
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

"""Each shipped city's demo as data: `pooling/data/demo/<area code>.json`.

The demo loaders of every app read their section of the file of this deployment's
pooling area (`settings.POOLING_AREA_CODE`): staff, policy files, employers and
people, providers, budgets and pre-pooling balances. A city is added by adding its
regions file and its demo file, never by an `if code == ...` in a loader.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.regions import REGION_DATA, StaffSpec

DEMO_DATA = REGION_DATA.parent / "demo"
NO_DEMO = _("统筹区 %(code)s 没有演示数据文件（已提供演示数据的统筹区：%(known)s）")


def demo_area_codes() -> list[str]:
    """The cities that ship a demo: each has a regions file and a demo file."""
    return sorted(p.stem for p in DEMO_DATA.glob("*.json") if (REGION_DATA / p.name).exists())


@cache
def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def demo_city(area_code: str | None = None) -> dict[str, Any]:
    """The demo data of a city (by default this deployment's), or a Chinese refusal."""
    code = area_code or settings.POOLING_AREA_CODE
    path = DEMO_DATA / f"{code}.json"
    if not path.exists():
        raise BusinessRuleError(
            NO_DEMO, code="no_demo", params={"code": code, "known": ", ".join(demo_area_codes())}
        )
    return _read(path)


def demo_staff(area_code: str | None = None) -> list[StaffSpec]:
    """One account per role (and a clerk in each of two counties, to show scoping)."""
    return [
        StaffSpec(row["username"], row["role"], row["display_name"], row.get("region"))
        for row in demo_city(area_code)["staff"]
    ]


def demo_file(relative: str) -> Path:
    """A file a city's demo names (policy documents, baselines), relative to the project."""
    return Path(settings.BASE_DIR) / relative

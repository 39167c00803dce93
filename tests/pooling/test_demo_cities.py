"""Every shipped city runs its demo from data alone (issue 11 item 17): with
POOLING_AREA_CODE set to the city, `load_demo` builds its units, staff, policy, people,
providers and books, and each demo account signs in with the printed password and
opens its home page and a page of its role."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from celery.signals import task_prerun
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Employer, Person
from funds.models import PrePoolingPosition
from pooling.demo import DEMO_PASSWORD
from pooling.kernel.choices import Role
from pooling.kernel.demo_city import demo_area_codes, demo_city, demo_staff
from pooling.kernel.scoping import unrestricted
from pooling.models import PolicyStatus, PolicyVersion, Region, User
from providers.models import Provider

pytestmark = pytest.mark.django_db

# A page each role works on (besides home), and a word that page shows.
ROLE_PAGE: dict[str, str] = {
    Role.COUNTY_CLERK: "enrollment:index",
    Role.CITY_AGENCY: "providers:index",
    Role.BUREAU_ADMIN: "pooling:policy_index",
    Role.FINANCE: "funds:index",
    Role.AUDITOR: "pooling:audit_log",
}


def test_both_cities_ship_a_demo():
    assert demo_area_codes() == ["320900", "411200"]


def test_the_readme_names_every_city_that_ships_and_no_other():
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(\d{6})`", readme)) & {
        p.stem
        for p in (Path(django_settings.BASE_DIR) / "pooling" / "data" / "regions").glob("*.json")
    }
    assert named == set(demo_area_codes())


def test_a_city_without_a_demo_file_is_refused_in_chinese_before_anything_is_written(settings):
    settings.POOLING_AREA_CODE = "999999"
    with pytest.raises(CommandError, match="统筹区 999999 没有演示数据文件.*320900, 411200"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Region.objects.exists()


# What each city's demo must hold, computed by hand from its data files and its rule.
EXPECTED = {
    "320900": {
        "policy": "YC-2026",
        "wage": "7500.00",
        # 盐城 art. 10: the surplus is remitted 50 % by 2019-12-31 and 50 % by 2020-12-31;
        # 12,500,000.01 yuan halves to 6,250,000.005, rounded half up, the last takes the rest.
        "instalments": {
            "320902": [("2019-12-31", 18_000_000_00), ("2020-12-31", 18_000_000_00)],
            "320903": [("2019-12-31", 6_250_000_01), ("2020-12-31", 6_250_000_00)],
        },
        "offsets": {"320902": 0, "320903": 0},
    },
    "411200": {
        "policy": "SMX-2026",
        "wage": "6300.00",
        # 三门峡 五（三）: 渑池县's 20,000,000.00 gap is first offset by its 5,000,000.00 of past
        # risk-adjustment contributions; the 15,000,000.00 left is paid 30 % in 2021, 30 % in
        # 2022, the rest by the end of 2023. 陕州区's contributions (12,000,000.00) exceed its
        # gap (8,000,000.00): nothing left. 卢氏县 pays at once: 3,000,000.00 less 1,000,000.00.
        "instalments": {
            "411221": [
                ("2021-12-31", 4_500_000_00),
                ("2022-12-31", 4_500_000_00),
                ("2023-12-31", 6_000_000_00),
            ],
            "411203": [],
            "411224": [("2023-12-31", 2_000_000_00)],
        },
        "offsets": {"411221": 5_000_000_00, "411203": 8_000_000_00, "411224": 1_000_000_00},
    },
}


@pytest.mark.parametrize("area", ["320900", "411200"])
def test_each_city_loads_its_own_demo_and_every_role_signs_in(area, settings, tmp_path):
    settings.POOLING_AREA_CODE = area
    settings.MEDIA_ROOT = tmp_path
    out, tasks = io.StringIO(), []

    def ran(sender: Any, **_kw: Any) -> None:
        tasks.append(sender.name)

    task_prerun.connect(ran, weak=False)
    try:
        call_command("load_demo", stdout=out)
    finally:
        task_prerun.disconnect(ran)
    assert "演示数据已就绪" in out.getvalue()
    assert tasks[0] == "settlement.cycle.start"  # the scheduled task, as beat sends it
    _signs_in_as_each_role(area)
    _built_from_its_own_data(area)
    _last_month_ran_from_its_schedule()


def _last_month_ran_from_its_schedule() -> None:
    """The month before today went through the cycle, started by the beat task as its
    schedule declares it (the cycle's job, not a person), and was closed."""
    from funds.models import Period
    from settlement.models import CycleRun, CycleStatus

    last = (timezone.localdate().replace(day=1) - date.resolution).replace(day=1)
    run = CycleRun.objects.get()
    assert (run.month, run.status, run.started_by_job) == (
        last,
        CycleStatus.DONE,
        "settlement.cycle",
    )
    assert run.started_by is None
    assert Period.objects.filter(year=last.year, month=last.month, status=Period.CLOSED).exists()


def _signs_in_as_each_role(area: str) -> None:
    staff = demo_staff(area)
    assert {spec.role for spec in staff} == set(Role.values)  # a user per role
    clerks = [spec for spec in staff if spec.role == Role.COUNTY_CLERK]
    assert len({c.region_code for c in clerks}) == 2  # two counties, to show scoping
    for spec in staff:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": spec.username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, spec.username
        home = client.get("/")
        assert home.status_code == 200 and spec.display_name in home.content.decode(), spec.username
        page = client.get(reverse(ROLE_PAGE[spec.role]))
        assert page.status_code == 200, (spec.username, ROLE_PAGE[spec.role])
        if spec.role == Role.COUNTY_CLERK:  # bound to one of this city's own units
            region = User.objects.get(username=spec.username).region
            assert region is not None and region.parent_id == area


def _built_from_its_own_data(area: str) -> None:
    city, expected = demo_city(area), EXPECTED[area]
    units = set(Region.objects.filter(parent_id=area).values_list("code", flat=True))
    published = PolicyVersion.objects.get(status=PolicyStatus.PUBLISHED)
    assert published.code == expected["policy"]
    assert published.document["employee"]["average_monthly_wage"] == expected["wage"]
    with unrestricted():
        assert set(Person.objects.values_list("county_id", flat=True)) <= units
        assert set(Employer.objects.values_list("county_id", flat=True)) == set(
            city["enrollment"]["counties"]
        )
        codes = set(Provider.objects.values_list("national_code", flat=True))
        assert codes == {p["code"] for p in city["providers"]["list"]}
        positions = {p.county_id: p for p in PrePoolingPosition.objects.all()}
        assert {c: p.offset_fen for c, p in positions.items()} == expected["offsets"]
        assert {
            c: [(i.due_date.isoformat(), i.amount_fen) for i in p.instalments.order_by("seq")]
            for c, p in positions.items()
        } == expected["instalments"]

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from pooling.env import env_bool, env_int
from pooling.kernel.regions import handling_units
from pooling.models import Region

pytestmark = pytest.mark.django_db


def test_it_runs_on_postgresql():
    # The suite's promise is real PostgreSQL; SQLite would hide constraint bugs.
    assert connection.vendor == "postgresql"


def test_it_loads_yancheng_with_nine_units_and_two_zones(regions):
    units = list(handling_units())
    assert len(units) == 11
    zones = [u for u in units if u.statistical_only]
    assert {z.code for z in zones} == {"320941", "320971"}
    assert Region.objects.get(code="320981").name == "东台市"


def test_it_loads_sanmenxia_too(db):
    call_command("load_regions", "411200")
    assert Region.objects.filter(parent_id="411200").count() == 7


def test_it_refuses_an_unknown_area_code(db):
    with pytest.raises(CommandError, match="未知的统筹区行政区划代码：999999"):
        call_command("load_regions", "999999")


def test_it_loads_the_demo_twice(db, capsys):
    call_command("load_demo")
    call_command("load_demo")
    assert "clerk_tinghu" in capsys.readouterr().out


@pytest.mark.parametrize("raw", ["ture", "2", "yes please"])
def test_it_refuses_malformed_booleans(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", default=False)


def test_it_parses_booleans_and_ints(monkeypatch):
    monkeypatch.setenv("F", "False")
    monkeypatch.setenv("N", "12")
    assert env_bool("F", default=True) is False
    assert env_int("N", 0) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="必须是整数"):
        env_int("N", 0)

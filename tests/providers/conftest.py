from __future__ import annotations

from decimal import Decimal

import pytest

from providers.choices import ProviderKind
from providers.services.assessment import assessment_template_create
from providers.services.handling import handling_rules_load
from tests.actors import SETUP
from tests.providers.factories import make_template


@pytest.fixture
def city(regions):
    return regions["320900"]


@pytest.fixture
def handling_rules(regions):
    handling_rules_load(area_code="320900", actor=SETUP)


@pytest.fixture
def templates(db):
    return {kind: make_template(kind) for kind in ProviderKind.values}


@pytest.fixture
def assessment_template(db):
    return assessment_template_create(
        name="盐城市定点医药机构年度考核",
        from_year=2020,
        indicators=[("A1", "基础管理", 20), ("A2", "服务质量", 50), ("A3", "费用控制", 30)],
        bands=[
            (Decimal("90"), Decimal("1")),
            (Decimal("80"), Decimal("0.8")),
            (Decimal("60"), Decimal("0.5")),
        ],
        actor=SETUP,
    )

"""One percent parser for policy documents, their validation and catalogue imports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pooling.benefits.catalogue.importer import CatalogueImportError, catalogue_import
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.numbers import (
    NOT_A_PERCENT,
    PERCENT_OUT_OF_RANGE,
    PERCENT_TOO_PRECISE,
    parse_percent,
    percent_rate,
    percent_text,
)


@pytest.mark.parametrize(
    "text, value",
    [
        ("85", Decimal(85)),
        ("7.5", Decimal("7.5")),
        ("12.5%", Decimal("12.5")),
        (" 0 ", Decimal(0)),
        ("100", Decimal(100)),
        ("33.3333", Decimal("33.3333")),
    ],
)
def test_it_reads_a_percent(text, value):
    assert parse_percent(text) == value


@pytest.mark.parametrize(
    "text, message",
    [
        ("abc", NOT_A_PERCENT),
        ("NaN", NOT_A_PERCENT),
        ("inf", NOT_A_PERCENT),
        ("1e40", NOT_A_PERCENT),
        ("7.12345", PERCENT_TOO_PRECISE),
        ("-1", PERCENT_OUT_OF_RANGE),
        ("100.5", PERCENT_OUT_OF_RANGE),
    ],
)
def test_it_refuses_with_its_own_message(text, message):
    with pytest.raises(BusinessRuleError) as err:
        parse_percent(text, field="ratio_pct")
    assert err.value.message is message and err.value.field == "ratio_pct"


def test_a_ceiling_may_exceed_100_when_asked_and_places_are_the_callers():
    assert parse_percent("300", maximum=None) == 300
    with pytest.raises(BusinessRuleError):
        parse_percent("12.345", places=2)
    with pytest.raises(TypeError):
        parse_percent(85.0)  # type: ignore[arg-type]  # the wrong type on purpose


@given(st.decimals(min_value=0, max_value=100, places=4))
def test_a_rate_written_as_a_percent_reads_back(value):
    rate = percent_rate(str(value))
    assert rate == value / 100
    assert parse_percent(percent_text(rate)) == value


def test_the_catalogue_import_refuses_a_bad_share_with_the_same_message(bureau_admin):
    data = (
        "目录类别,编码,名称,甲乙类,自付比例\n"
        "药品,XJ01CAA040E001010100593,阿莫西林胶囊,乙,101\n"
        "药品,XJ01DCC118A001010104443,头孢呋辛酯片,乙,12.345\n"
    ).encode()
    with pytest.raises(CatalogueImportError) as exc:
        catalogue_import(
            data=data,
            filename="目录.csv",
            code="P1",
            title="t",
            effective_from=date(2026, 1, 1),
            actor=bureau_admin,
        )
    assert [(e.row, e.message) for e in exc.value.report.errors] == [
        (2, PERCENT_OUT_OF_RANGE),
        (3, PERCENT_TOO_PRECISE),
    ]

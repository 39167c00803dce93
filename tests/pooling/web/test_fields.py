"""The shared input fields: one yuan parser behind forms, the API and imports; months; codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from pooling.kernel import codes, money
from pooling.kernel.dates import BAD_MONTH
from pooling.web.fields import (
    FLOAT_AMOUNT,
    CodeField,
    MonthField,
    MonthSerializerField,
    YuanField,
    YuanSerializerField,
)
from tests.pooling.kernel.code_corpus import CREDIT_CODES, ID_NUMBERS


class Payment(serializers.Serializer):
    amount = YuanSerializerField()
    delta = YuanSerializerField(negative=True, required=False)
    month = MonthSerializerField(required=False)


def _api_errors(data: dict) -> dict:
    s = Payment(data=data)
    assert not s.is_valid()
    return {k: [str(m) for m in v] for k, v in s.errors.items()}


@pytest.mark.parametrize(
    "text, fen",
    [
        ("1234.5", 123450),
        ("1,234.50", 123450),
        ("¥12", 1200),
        ("￥0.01", 1),
        (" 7 ", 700),
        ("0", 0),
    ],
)
def test_it_reads_yuan_the_same_in_a_form_and_the_api(text, fen):
    assert YuanField().clean(text) == fen
    s = Payment(data={"amount": text})
    assert s.is_valid(), s.errors
    assert s.validated_data["amount"] == fen


@pytest.mark.parametrize(
    "text, message",
    [
        ("1.234", money.TOO_PRECISE),
        ("abc", money.NOT_AN_AMOUNT),
        ("-5", money.NEGATIVE_AMOUNT),
        ("NaN", money.NOT_AN_AMOUNT),
    ],
)
def test_it_refuses_with_one_message_in_either_language(text, message):
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            expected = str(message % {"value": text})
            with pytest.raises(forms.ValidationError) as err:
                YuanField().clean(text)
            assert err.value.messages == [expected]
            assert _api_errors({"amount": text}) == {"amount": [expected]}


def test_the_english_of_each_money_message_is_in_the_catalogue():
    with translation.override("en"):
        for message in (
            money.TOO_PRECISE,
            money.NOT_AN_AMOUNT,
            money.NEGATIVE_AMOUNT,
            FLOAT_AMOUNT,
        ):
            assert str(message).isascii(), str(message)


def test_a_negative_amount_only_when_asked():
    assert YuanField(negative=True).clean("-5.5") == -550
    s = Payment(data={"amount": "1", "delta": "-0.5"})
    assert s.is_valid() and s.validated_data["delta"] == -50


def test_the_api_refuses_a_json_float_and_writes_yuan_back():
    assert _api_errors({"amount": 12.5}) == {"amount": [str(FLOAT_AMOUNT % {"value": 12.5})]}
    assert "amount" in _api_errors({"amount": True})
    s = Payment(data={"amount": 12})
    assert s.is_valid() and s.validated_data["amount"] == 1200
    assert Payment({"amount": 123450, "month": date(2026, 3, 1)}).data == {
        "amount": "1234.50",
        "month": "2026-03-01",
    }


def test_a_blank_optional_amount_is_its_blank_value():
    assert YuanField(required=False).clean("") == 0
    assert YuanField(required=False, blank_fen=None).clean("  ") is None
    with pytest.raises(forms.ValidationError):
        YuanField().clean("")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_yuan_written_out_reads_back_to_the_same_fen(fen):
    assert money.yuan_to_fen(str(money.fen_to_yuan(fen))) == fen
    assert money.yuan_to_fen(money.format_yuan(fen)) == fen  # "1,234.50" as the pages print it


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        money.yuan_to_fen(1.5)  # type: ignore[arg-type]  # the wrong type on purpose
    assert money.yuan_to_fen(Decimal("1.50")) == 150


def test_months_read_the_same_in_a_form_and_the_api():
    assert MonthField().clean("2026年3月") == date(2026, 3, 1)
    s = Payment(data={"amount": "1", "month": "202603"})
    assert s.is_valid() and s.validated_data["month"] == date(2026, 3, 1)
    assert _api_errors({"amount": "1", "month": "2026-13"}) == {
        "month": [str(BAD_MONTH % {"value": "2026-13"})]
    }
    with pytest.raises(forms.ValidationError) as err:
        MonthField().clean("2026-13")
    assert err.value.messages == [str(BAD_MONTH % {"value": "2026-13"})]


CODE_CASES = [(codes.check_credit_code, v, r) for v, r in CREDIT_CODES] + [
    (lambda text: codes.check_id_number(text).id_number, v, r) for v, r in ID_NUMBERS if v.strip()
]


@pytest.mark.parametrize("check, value, refusal", CODE_CASES)
def test_a_code_field_judges_the_shared_corpus(check, value, refusal):
    field = CodeField(check=check)
    if refusal is None:
        assert field.clean(value) == codes.normalize_code(value)
    else:
        with pytest.raises(forms.ValidationError) as err:
            field.clean(value)
        assert err.value.messages[0].startswith(str(refusal).split("%")[0])

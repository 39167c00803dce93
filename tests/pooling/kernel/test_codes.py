"""The national codes: one check each, held to the shared corpus and to a plain reading of the
standards on random input; the SQL the people screen runs agrees with the Python check."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from pooling.kernel import codes
from pooling.kernel.errors import BusinessRuleError
from tests.pooling.kernel.code_corpus import CREDIT_CODES, ID_NUMBERS, PROVIDER_CODES, X_ID

TODAY = date(2026, 1, 1)


def _verdict(check, value, **kwargs):
    try:
        check(value, **kwargs)
    except BusinessRuleError as exc:
        return exc.message
    return None


@pytest.mark.parametrize("value, refusal", ID_NUMBERS)
def test_it_judges_the_corpus_of_id_numbers(value, refusal):
    assert _verdict(codes.check_id_number, value) is refusal


@pytest.mark.parametrize("value, refusal", CREDIT_CODES)
def test_it_judges_the_corpus_of_credit_codes(value, refusal):
    assert _verdict(codes.check_credit_code, value) is refusal


@pytest.mark.parametrize("value, prefix, area, refusal", PROVIDER_CODES)
def test_it_judges_the_corpus_of_provider_codes(value, prefix, area, refusal):
    assert _verdict(codes.check_provider_code, value, prefix=prefix, area=area) is refusal


def test_it_derives_birth_date_sex_and_area_from_an_id_number():
    facts = codes.check_id_number(" 360426199101010071 ")
    assert facts == codes.IdFacts("360426199101010071", "360426", date(1991, 1, 1), "M")
    assert codes.check_id_number("120103198806018241").sex == "F"


def test_it_normalizes_every_code_the_same_way():
    assert codes.check_credit_code(" 9111 0108 5513 8508 2q\u3000") == "91110108551385082Q"
    assert codes.check_id_number(f"\u3000{X_ID[:6]} {X_ID[6:].lower()} ").id_number == X_ID
    assert codes.check_provider_code("h3209025 0001", prefix="H") == "H32090250001"


def test_it_names_what_was_expected_and_the_field():
    err = pytest.raises(
        BusinessRuleError, codes.check_id_number, "360426199101010072", field="id_no"
    ).value
    assert (
        err.params == {"expected": "1", "actual": "2"}
        and err.field == "id_no"
        and err.code == "id_check"
    )
    assert "应为 1" in err.text("zh-hans") and err.text("en") != err.text("zh-hans")
    err = pytest.raises(BusinessRuleError, codes.check_credit_code, "91110108551385082R").value
    assert err.params["expected"] == "Q" and err.field == "credit_code"
    err = pytest.raises(
        BusinessRuleError, codes.check_provider_code, "H32090350001", prefix="H", area="320902"
    ).value
    assert err.params == {"area": "320903", "region": "320902"}


def test_it_knows_the_shipped_areas_and_every_province():
    assert {"320900", "320902", "411200", "411271"} <= codes.shipped_area_codes()
    assert codes.is_known_area("110101") and codes.is_known_area("320941")
    assert not codes.is_known_area("990101") and not codes.is_known_area("32")


def test_the_database_shape_of_a_credit_code_is_its_alphabet():
    shape = re.compile(codes.CREDIT_CODE_REGEX)
    for char in string.ascii_letters + string.digits:
        assert bool(shape.match(char * 18)) == (char in codes.CREDIT_ALPHABET), char
    assert len(codes.CREDIT_ALPHABET) == 31 and not set("IOZSV") & set(codes.CREDIT_ALPHABET)


def test_the_model_field_validators_say_the_same():
    codes.validate_credit_code("91110108551385082q")
    with pytest.raises(ValidationError) as err:
        codes.validate_credit_code("91110108551385082R")
    assert err.value.code == "credit_check"
    codes.validate_provider_code("P32090250001")
    with pytest.raises(ValidationError):
        codes.validate_provider_code("H3209025000")


# --- against a plain reading of the standards -------------------------------------------


def reference_id(value: str) -> tuple:
    """GB 11643 read plainly: regex, `date()` per call, `int(d) * w` per digit."""
    raw = str(value or "").replace("\u3000", "").strip().replace(" ", "").upper()
    if len(raw) != 18:
        return ("error", codes.ID_WRONG_LENGTH, {"value": raw})
    if not re.fullmatch(r"[0-9]{17}[0-9X]", raw):
        return ("error", codes.ID_BAD_CHARS, {"value": raw})
    area = raw[:6]
    if area not in codes.shipped_area_codes() and area[:2] not in codes.PROVINCE_CODES:
        return ("error", codes.ID_UNKNOWN_AREA, {"area": area})
    text = raw[6:14]
    try:
        birth = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return ("error", codes.ID_BAD_BIRTH_DATE, {"birth": text})
    if birth.year < 1880:
        return ("error", codes.ID_BAD_BIRTH_DATE, {"birth": text})
    if birth > TODAY:
        return ("error", codes.ID_FUTURE_BIRTH_DATE, {"birth": text})
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    expected = "10X98765432"[sum(int(d) * w for d, w in zip(raw[:17], weights, strict=True)) % 11]
    if raw[17] != expected:
        return ("error", codes.ID_BAD_CHECK_DIGIT, {"expected": expected, "actual": raw[17]})
    return ("ok", raw, area, birth, "M" if int(raw[16]) % 2 else "F")


def fast_id(value: str) -> tuple:
    try:
        f = codes.check_id_number(value, today=TODAY)
    except BusinessRuleError as exc:
        return ("error", exc.message, exc.params)
    return ("ok", f.id_number, f.area_code, f.birth_date, f.sex)


def with_reference_check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return (
        first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    )


def reference_credit_check(first17: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [3**i % 31 for i in range(17)]  # GB 32100: the weights are 3^i mod 31
    total = sum(alphabet.index(c) * w for c, w in zip(first17, weights, strict=True))
    return alphabet[(31 - total % 31) % 31]


# Mostly digits, sometimes x/X, a space, a full-width space or a non-ASCII digit ("١", "２").
id_chars = st.sampled_from("0123456789" * 6 + "xX A\u3000١２")
areas = st.sampled_from(
    sorted(codes.shipped_area_codes()) + ["110101", "990101", "000000", "360426"]
)
births = st.dates(min_value=date(1850, 1, 1), max_value=date(2040, 12, 31)).map(
    lambda d: d.strftime("%Y%m%d")
)
odd_births = st.from_regex(r"\A(18|19|20)[0-9]{2}(0[0-9]|1[0-3])(0[0-9]|[1-3][0-9])\Z")
credit_bodies = st.text(st.sampled_from(codes.CREDIT_ALPHABET), min_size=17, max_size=17)


@settings(max_examples=1500, deadline=None)
@given(st.text(id_chars, min_size=16, max_size=20))
def test_it_agrees_with_the_plain_reading_on_random_strings(value):
    assert fast_id(value) == reference_id(value)


@settings(max_examples=1500, deadline=None)
@given(areas, st.one_of(births, odd_births), st.integers(0, 999), st.booleans(), st.booleans())
def test_it_agrees_with_the_plain_reading_on_near_valid_numbers(
    area, birth, seq, break_check, lower
):
    number = with_reference_check(f"{area}{birth}{seq:03d}")
    if break_check:
        number = number[:17] + ("0" if number[17] != "0" else "1")
    if lower:
        number = number.lower()
    assert fast_id(number) == reference_id(number)


@settings(max_examples=500, deadline=None)
@given(credit_bodies, st.sampled_from(codes.CREDIT_ALPHABET))
def test_a_credit_code_passes_with_its_own_check_character_only(body, last):
    assert codes.credit_check_char(body) == reference_credit_check(body)
    verdict = _verdict(codes.check_credit_code, body + last)
    assert verdict is (None if last == reference_credit_check(body) else codes.CREDIT_BAD_CHECK)


def test_the_check_char_helpers_refuse_what_they_cannot_complete():
    for bad in ("1234567890123456", "12345678901234567X", "1234567890123456A", "١" * 17):
        with pytest.raises(ValueError):
            codes.id_check_char(bad)
    with pytest.raises(ValueError):
        codes.credit_check_char("9111010855138508I")


# --- the SQL the people screen runs ----------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the screen is PostgreSQL's"
)
SHAPE_AND_CHECK = {codes.ID_WRONG_LENGTH, codes.ID_BAD_CHARS, codes.ID_BAD_CHECK_DIGIT}


@postgres_only
@pytest.mark.django_db
def test_the_sql_check_agrees_with_python_on_the_corpus():
    values = [value for value, _refusal in ID_NUMBERS] + ["", "X" * 18, "1" * 17 + "x"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v, coalesce({codes.id_number_sql('v')}, false) FROM unnest(%s::text[]) v",
            [values],
        )
        in_sql = dict(cursor.fetchall())
    for value in values:
        refusal = _verdict(codes.check_id_number, value)
        # The SQL reads the cell as it is: only what needs no normalising can pass; the rest is
        # "not sure" and left to Python, which names the error.
        python_says_shape_ok = refusal not in SHAPE_AND_CHECK and value == codes.normalize_code(
            value
        )
        assert in_sql[value] == python_says_shape_ok, value


@postgres_only
@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(codes.shipped_area_codes())),
    births.filter(lambda b: "1880" <= b <= "20251231"),
    st.integers(0, 999),
    st.sampled_from(codes.ID_LAST_CHARS),
    st.sampled_from(["", "0", "cut"]),
)
def test_the_sql_check_agrees_with_python_on_random_numbers(area, birth, seq, last, tail):
    """Area and birth date valid, so Python's verdict turns on the shape and check character alone."""
    value = f"{area}{birth}{seq:03d}{last}"
    value = value[:-2] if tail == "cut" else value + tail
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce({codes.id_number_sql('v')}, false) FROM (SELECT %s::text AS v) t",
            [value],
        )
        in_sql = cursor.fetchone()[0]
    assert in_sql == (_verdict(codes.check_id_number, value) is None)

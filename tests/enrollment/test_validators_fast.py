"""The fast `check_id_number` agrees with a plain, obviously-correct reading of GB 11643.

The reference below is the validator as first written (regex, `date()` per call,
`int(d) * w` per digit). Both must accept the same numbers with the same facts, and
refuse the same numbers with the same message constant and parameters.
"""

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from enrollment import validators as v
from pooling.kernel.errors import BusinessRuleError

TODAY = date(2026, 1, 1)


def reference(value: str, today: date = TODAY) -> tuple:
    raw = str(value or "").replace("\u3000", "").strip().replace(" ", "").upper()
    if len(raw) != 18:
        return ("error", v.ID_WRONG_LENGTH, {"value": raw})
    if not re.fullmatch(r"[0-9]{17}[0-9X]", raw):
        return ("error", v.ID_BAD_CHARS, {"value": raw})
    area = raw[:6]
    if area not in v.DEMO_AREA_CODES and area[:2] not in v.PROVINCE_CODES:
        return ("error", v.ID_UNKNOWN_AREA, {"area": area})
    text = raw[6:14]
    try:
        birth = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return ("error", v.ID_BAD_BIRTH_DATE, {"birth": text})
    if birth.year < 1880:
        return ("error", v.ID_BAD_BIRTH_DATE, {"birth": text})
    if birth > today:
        return ("error", v.ID_FUTURE_BIRTH_DATE, {"birth": text})
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    expected = "10X98765432"[sum(int(d) * w for d, w in zip(raw[:17], weights, strict=True)) % 11]
    if raw[17] != expected:
        return ("error", v.ID_BAD_CHECK_DIGIT, {"expected": expected, "actual": raw[17]})
    return ("ok", raw, area, birth, "M" if int(raw[16]) % 2 else "F")


def fast(value: str) -> tuple:
    try:
        f = v.check_id_number(value, today=TODAY)
    except BusinessRuleError as exc:
        return ("error", exc.message, exc.params)
    return ("ok", f.id_number, f.area_code, f.birth_date, f.sex)


def _with_check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


# Mostly digits, sometimes x/X, a space, a full-width space or a non-ASCII digit ("١", "２").
id_chars = st.sampled_from("0123456789" * 6 + "xX A\u3000١２")
areas = st.sampled_from(sorted(v.DEMO_AREA_CODES) + ["110101", "990101", "000000", "360426"])
births = st.dates(min_value=date(1850, 1, 1), max_value=date(2040, 12, 31)).map(lambda d: d.strftime("%Y%m%d"))
odd_births = st.from_regex(r"\A(18|19|20)[0-9]{2}(0[0-9]|1[0-3])(0[0-9]|[1-3][0-9])\Z")


@settings(max_examples=1500, deadline=None)
@given(st.text(id_chars, min_size=16, max_size=20))
def test_it_agrees_with_the_reference_on_random_strings(value):
    assert fast(value) == reference(value)


@settings(max_examples=1500, deadline=None)
@given(areas, st.one_of(births, odd_births), st.integers(0, 999), st.booleans(), st.booleans())
def test_it_agrees_with_the_reference_on_near_valid_numbers(area, birth, seq, break_check, lower):
    number = _with_check(f"{area}{birth}{seq:03d}")
    if break_check:
        number = number[:17] + ("0" if number[17] != "0" else "1")
    if lower:
        number = number.lower()
    assert fast(number) == reference(number)


def test_the_check_char_helper_still_refuses_what_is_not_17_digits():
    import pytest

    for bad in ("1234567890123456", "12345678901234567X", "1234567890123456A", "١" * 17):
        with pytest.raises(ValueError):
            v.id_check_char(bad)

"""The national codes, checked in one place for every door: forms, imports (Python and the
SQL screen), API, admin, demo data, tests' factories and benches.

- GB 11643-1999 citizen ID number: 17 digits and a mod-11 check character; it carries the
  area (GB/T 2260), the birth date and the sex.
- GB 32100-2015 unified social credit code: 18 characters over a 31-letter alphabet, the
  last a mod-31 check over the first 17.
- The national medical-insurance provider code (医保发〔2019〕39号 coding): "H" for a
  medical institution or "P" for a pharmacy, the 6-digit area code, a 5-digit serial.
- GB/T 2260 area codes: six digits; known when its province is, or when the region data
  this system ships (`pooling/data/regions/`) lists it.

One normalisation for every code (`normalize_code`): the blanks people paste with it
(spaces, full-width spaces, anywhere) go, letters are upper-cased. Each failure is a
`BusinessRuleError` with its own constant (tests assert on them) naming the field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import mul
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError

REGION_DATA = Path(__file__).resolve().parent.parent / "data" / "regions"


def normalize_code(value: object) -> str:
    """Drop spaces (also full-width ones pasted from Word) and upper-case: '9111 0108…q' -> '91110108…Q'."""
    return str(value or "").replace("\u3000", "").replace(" ", "").strip().upper()


# --- Area codes (GB/T 2260) -------------------------------------------------------------
AREA_CODE_REGEX = r"^[0-9]{6}$"
# Province-level prefixes (the first two digits of every area code). A full county list is
# thousands of codes that change yearly; the province is what a typo in the first digits
# most often breaks, and an ID number's check character catches the rest.
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)


@cache
def shipped_area_codes() -> frozenset[str]:
    """Every area and handling unit of the region data this system ships: always known."""
    codes: set[str] = set()
    for path in REGION_DATA.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        codes |= {data["area"]["code"], *(unit["code"] for unit in data["units"])}
    return frozenset(codes)


def is_known_area(code: str) -> bool:
    return code in shipped_area_codes() or (len(code) == 6 and code[:2] in PROVINCE_CODES)


# --- Citizen ID number (GB 11643-1999) ----------------------------------------------------
ID_WRONG_LENGTH = _("身份证号码应为 18 位（17 位数字加 1 位校验码）：%(value)s")
ID_BAD_CHARS = _("身份证号码前 17 位应为数字，末位为数字或 X：%(value)s")
ID_UNKNOWN_AREA = _("身份证号码的地址码 %(area)s 不是已知的行政区划")
ID_BAD_BIRTH_DATE = _("身份证号码中的出生日期 %(birth)s 不是有效日期")
ID_FUTURE_BIRTH_DATE = _("身份证号码中的出生日期 %(birth)s 晚于今天")
ID_BAD_CHECK_DIGIT = _("身份证号码校验码错误：末位应为 %(expected)s，实际为 %(actual)s")

ID_LENGTH = 18
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11
ID_LAST_CHARS = "0123456789X"
EARLIEST_BIRTH_YEAR = 1880


@dataclass(frozen=True)
class IdFacts:
    """What a valid ID number tells about its holder."""

    id_number: str
    area_code: str
    birth_date: date
    sex: str  # "M" / "F" — the 17th digit, odd for men


def id_check_char(first17: str) -> str:
    """The check character of 17 digits (ValueError for anything else)."""
    if len(first17) != ID_LENGTH - 1 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"17 digits expected: {first17!r}")
    return _id_check_char(first17)


def id_number_from(first17: str) -> str:
    """17 digits completed with their check character (demo data, factories, benches)."""
    return first17 + id_check_char(first17)


def _id_check_char(first17: str) -> str:
    # map(mul) over the ASCII bytes runs in C; each digit's byte is its value + 48.
    total = sum(map(mul, first17.encode("ascii"), ID_WEIGHTS)) - _ID_ZERO_OFFSET
    return ID_CHECK_CHARS[total % 11]


_ID_ZERO_OFFSET = 48 * sum(ID_WEIGHTS)
_ID_LAST = frozenset(ID_LAST_CHARS)
_ODD_DIGITS = frozenset("13579")
# Birth dates seen so far, as YYYYMMDD -> date (None: not a date or too early). A city's
# people share ~50,000 birth dates, so a million IDs parse each date once, not once per row.
_BIRTH_DATES: dict[str, date | None] = {}
_BIRTH_CACHE_MAX = 200_000


def birth_date_of(text: str) -> date | None:
    """YYYYMMDD as an ID number carries it -> the date, or None (no such day, or before 1880)."""
    try:
        return _BIRTH_DATES[text]
    except KeyError:
        pass
    try:
        birth: date | None = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        birth = None
    if birth is not None and birth.year < EARLIEST_BIRTH_YEAR:
        birth = None
    if len(_BIRTH_DATES) < _BIRTH_CACHE_MAX:  # bounded: random junk cannot grow it forever
        _BIRTH_DATES[text] = birth
    return birth


def check_id_number(
    value: object, *, today: date | None = None, field: str = "id_number"
) -> IdFacts:
    """Validate a citizen ID number; return the normalized number, area, birth date and sex.

    Called once per row of million-row imports, so every step is a C-level string
    operation or a dict lookup; tests/pooling/kernel/test_codes.py proves it agrees with
    the plain reading of GB 11643 on random input.
    """
    raw = normalize_code(value)
    if len(raw) != ID_LENGTH:
        raise BusinessRuleError(
            ID_WRONG_LENGTH, code="id_length", field=field, params={"value": raw}
        )
    # isascii() first: str.isdigit() alone would also accept digits of other scripts.
    if not (raw.isascii() and raw[:17].isdigit() and raw[17] in _ID_LAST):
        raise BusinessRuleError(ID_BAD_CHARS, code="id_chars", field=field, params={"value": raw})
    area = raw[:6]
    if not is_known_area(area):
        raise BusinessRuleError(ID_UNKNOWN_AREA, code="id_area", field=field, params={"area": area})
    birth_text = raw[6:14]
    birth = birth_date_of(birth_text)
    if birth is None:
        raise BusinessRuleError(
            ID_BAD_BIRTH_DATE, code="id_birth", field=field, params={"birth": birth_text}
        )
    if birth > (today or date.today()):
        raise BusinessRuleError(
            ID_FUTURE_BIRTH_DATE, code="id_birth_future", field=field, params={"birth": birth_text}
        )
    expected = _id_check_char(raw[:17])
    if raw[17] != expected:
        raise BusinessRuleError(
            ID_BAD_CHECK_DIGIT,
            code="id_check",
            field=field,
            params={"expected": expected, "actual": raw[17]},
        )
    return IdFacts(
        id_number=raw, area_code=area, birth_date=birth, sex="M" if raw[16] in _ODD_DIGITS else "F"
    )


# The same rules in PostgreSQL, written from the constants above, so the set-wise people
# screen and `check_id_number` cannot drift apart (tests run both over one corpus).


def id_check_char_sql(expr: str) -> str:
    """SQL for the check character of the 17 digits `expr` starts with."""
    weighted = " + ".join(
        f"substr({expr}, {i + 1}, 1)::int * {w}" for i, w in enumerate(ID_WEIGHTS)
    )
    return f"substr('{ID_CHECK_CHARS}', mod(({weighted}), 11) + 1, 1)"


def id_number_sql(expr: str) -> str:
    """A SQL condition: `expr` has an ID number's shape and check character. (Area and birth
    date are judged by `is_known_area` and `birth_date_of`, once per distinct value.)"""
    return (
        f"(octet_length({expr}) = {ID_LENGTH}"
        f" AND translate(substr({expr}, 1, {ID_LENGTH - 1}), '0123456789', '') = ''"
        f" AND strpos('{ID_LAST_CHARS}', substr({expr}, {ID_LENGTH}, 1)) > 0"
        f" AND {id_check_char_sql(expr)} = substr({expr}, {ID_LENGTH}, 1))"
    )


# --- Unified social credit code (GB 32100-2015) -------------------------------------------
CREDIT_WRONG_LENGTH = _("统一社会信用代码应为 18 位：%(value)s")
CREDIT_BAD_CHARS = _("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）：%(value)s")
CREDIT_BAD_CHECK = _("统一社会信用代码校验码错误：末位应为 %(expected)s，实际为 %(actual)s")

CREDIT_LENGTH = 18
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# The shape the database's check constraints hold (a test proves it is the alphabet above).
CREDIT_CODE_REGEX = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_ALPHABET)}


def credit_check_char(first17: str) -> str:
    """The check character of the first 17 characters (ValueError if one is not in the alphabet)."""
    try:
        total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"not a credit-code character: {exc}") from None
    return CREDIT_ALPHABET[-total % 31]


def credit_code_from(first17: str) -> str:
    """17 characters completed with their check character (demo data, factories, benches)."""
    return first17 + credit_check_char(first17)


def check_credit_code(value: object, *, field: str = "credit_code") -> str:
    """Validate a unified social credit code; return it normalized."""
    raw = normalize_code(value)
    if len(raw) != CREDIT_LENGTH:
        raise BusinessRuleError(
            CREDIT_WRONG_LENGTH, code="credit_length", field=field, params={"value": raw}
        )
    if any(c not in _CREDIT_VALUE for c in raw):
        raise BusinessRuleError(
            CREDIT_BAD_CHARS, code="credit_chars", field=field, params={"value": raw}
        )
    expected = credit_check_char(raw[:17])
    if raw[17] != expected:
        raise BusinessRuleError(
            CREDIT_BAD_CHECK,
            code="credit_check",
            field=field,
            params={"expected": expected, "actual": raw[17]},
        )
    return raw


# --- National provider code (医保机构编码) ------------------------------------------------
BAD_PROVIDER_CODE = _(
    "医保机构编码格式不正确：%(kind)s应为“%(prefix)s”+6位区划代码+5位顺序号：%(value)s"
)
PROVIDER_CODE_AREA = _("医保机构编码中的区划代码 %(area)s 与所在区县 %(region)s 不一致")
PROVIDER_CODE_LENGTH = 12
PROVIDER_CODE = re.compile(r"([HP])([0-9]{6})([0-9]{5})")
MEDICAL_INSTITUTION, PHARMACY = "H", "P"
_PREFIX_KIND = {MEDICAL_INSTITUTION: _("医疗机构"), PHARMACY: _("零售药店")}


def check_provider_code(
    value: object, *, prefix: str, area: str | None = None, field: str = "national_code"
) -> str:
    """Validate a provider's national code for its kind (`prefix` H or P) and, given one, its
    area (the county it stands in); return it normalized."""
    raw = normalize_code(value)
    match = PROVIDER_CODE.fullmatch(raw)
    if match is None or match.group(1) != prefix:
        raise BusinessRuleError(
            BAD_PROVIDER_CODE,
            code="national_code",
            field=field,
            params={"kind": _PREFIX_KIND[prefix], "prefix": prefix, "value": raw},
        )
    if area is not None and match.group(2) != area:
        raise BusinessRuleError(
            PROVIDER_CODE_AREA,
            code="national_code_area",
            field=field,
            params={"area": match.group(2), "region": area},
        )
    return raw


# --- Django field validators (admin and ModelForms, DRF ModelSerializers) ----------------


def validate_credit_code(value: str) -> None:
    """A model field's validator: the same check, as Django's ValidationError."""
    try:
        check_credit_code(value)
    except BusinessRuleError as exc:
        raise ValidationError(exc.text(), code=exc.code) from None


def validate_provider_code(value: str) -> None:
    """A model field's validator: the shape of either kind's code (the service checks kind and area)."""
    raw = normalize_code(value)
    prefix = raw[:1] if raw[:1] in _PREFIX_KIND else MEDICAL_INSTITUTION
    try:
        check_provider_code(raw, prefix=prefix)
    except BusinessRuleError as exc:
        raise ValidationError(exc.text(), code=exc.code) from None

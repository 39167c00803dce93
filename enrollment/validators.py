"""Checks and parsers for what a clerk types or an import row carries.

Pure functions, no database: the single-row services, the forms, the API and the
bulk imports (issue 4, item 9) all call these, so a row is judged the same way
whichever door it came through. Each failure raises `BusinessRuleError` with its
own Chinese constant (tests assert on them), naming the field it concerns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from operator import mul

from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import PersonCategory
from pooling.kernel.errors import BusinessRuleError

# --- Resident ID number (GB 11643-1999) -------------------------------------------
ID_WRONG_LENGTH = _("身份证号码应为 18 位（17 位数字加 1 位校验码）：%(value)s")
ID_BAD_CHARS = _("身份证号码前 17 位应为数字，末位为数字或 X：%(value)s")
ID_UNKNOWN_AREA = _("身份证号码的地址码 %(area)s 不是已知的行政区划")
ID_BAD_BIRTH_DATE = _("身份证号码中的出生日期 %(birth)s 不是有效日期")
ID_FUTURE_BIRTH_DATE = _("身份证号码中的出生日期 %(birth)s 晚于今天")
ID_BAD_CHECK_DIGIT = _("身份证号码校验码错误：末位应为 %(expected)s，实际为 %(actual)s")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# Province-level prefixes of GB/T 2260 (first two digits of every area code). A full
# county list is thousands of codes that change yearly; the province is what a typo
# in the first digits most often breaks, and the check digit catches the rest.
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
    "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
    "63", "64", "65", "71", "81", "82",
})
# The demo cities' own area codes (盐城市, 三门峡市): always known, even if a future
# list of provinces were trimmed.
DEMO_AREA_CODES = frozenset({
    "320900", "320902", "320903", "320904", "320921", "320922", "320923", "320924",
    "320925", "320981", "320941", "320971", "411200", "411202", "411203", "411221",
    "411224", "411281", "411282", "411271",
})


@dataclass(frozen=True)
class IdFacts:
    """What a valid ID number tells us about its holder."""

    id_number: str
    area_code: str
    birth_date: date
    sex: str  # "M" / "F" — the 17th digit, odd for men


def id_check_char(first17: str) -> str:
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"17 digits expected: {first17!r}")
    return _check_char(first17)


def _check_char(first17: str) -> str:
    # map(mul) over the ASCII bytes runs in C; each digit's byte is its value + 48.
    total = sum(map(mul, first17.encode("ascii"), ID_WEIGHTS)) - _ID_ZERO_OFFSET
    return ID_CHECK_CHARS[total % 11]


_ID_ZERO_OFFSET = 48 * sum(ID_WEIGHTS)
_ID_LAST_CHARS = frozenset("0123456789X")
_ODD_DIGITS = frozenset("13579")
# Birth dates seen so far, as YYYYMMDD -> date (None: not a date or before 1880). A city's
# people share ~50,000 birth dates, so a million IDs parse each date once, not once per row.
_BIRTH_DATES: dict[str, date | None] = {}
_BIRTH_CACHE_MAX = 200_000


def _birth_date(text: str) -> date | None:
    try:
        return _BIRTH_DATES[text]
    except KeyError:
        pass
    try:
        birth: date | None = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        birth = None
    if birth is not None and birth.year < 1880:
        birth = None
    if len(_BIRTH_DATES) < _BIRTH_CACHE_MAX:  # bounded: random junk cannot grow it forever
        _BIRTH_DATES[text] = birth
    return birth


def normalize_id_number(value: str) -> str:
    """Trim spaces (also full-width ones pasted from Word) and upper-case a final x."""
    return str(value or "").replace("\u3000", "").strip().replace(" ", "").upper()


def check_id_number(value: str, *, today: date | None = None, field: str = "id_number") -> IdFacts:
    """Validate a resident ID number; return the normalized number, birth date and sex.

    Called once per row of million-row imports, so every step is a C-level string
    operation or a dict lookup; tests/enrollment/test_validators_fast.py proves it
    agrees with the plain reading of GB 11643 on random input.
    """
    raw = normalize_id_number(value)
    if len(raw) != 18:
        raise BusinessRuleError(ID_WRONG_LENGTH, code="id_length", field=field, params={"value": raw})
    # isascii() first: str.isdigit() alone would also accept digits of other scripts.
    if not (raw.isascii() and raw[:17].isdigit() and raw[17] in _ID_LAST_CHARS):
        raise BusinessRuleError(ID_BAD_CHARS, code="id_chars", field=field, params={"value": raw})
    area = raw[:6]
    if area not in DEMO_AREA_CODES and area[:2] not in PROVINCE_CODES:
        raise BusinessRuleError(ID_UNKNOWN_AREA, code="id_area", field=field, params={"area": area})
    birth_text = raw[6:14]
    birth = _birth_date(birth_text)
    if birth is None:
        raise BusinessRuleError(ID_BAD_BIRTH_DATE, code="id_birth", field=field, params={"birth": birth_text})
    if birth > (today or date.today()):
        raise BusinessRuleError(ID_FUTURE_BIRTH_DATE, code="id_birth_future", field=field,
                                params={"birth": birth_text})
    expected = _check_char(raw[:17])
    if raw[17] != expected:
        raise BusinessRuleError(ID_BAD_CHECK_DIGIT, code="id_check", field=field,
                                params={"expected": expected, "actual": raw[17]})
    return IdFacts(id_number=raw, area_code=area, birth_date=birth,
                   sex="M" if raw[16] in _ODD_DIGITS else "F")


# --- Unified social credit code (GB 32100-2015) ------------------------------------
CREDIT_WRONG_LENGTH = _("统一社会信用代码应为 18 位：%(value)s")
CREDIT_BAD_CHARS = _("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）：%(value)s")
CREDIT_BAD_CHECK = _("统一社会信用代码校验码错误：末位应为 %(expected)s，实际为 %(actual)s")

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str, *, field: str = "credit_code") -> str:
    """Validate a unified social credit code; return it normalized (upper case, no spaces)."""
    raw = str(value or "").replace("\u3000", "").replace(" ", "").strip().upper()
    if len(raw) != 18:
        raise BusinessRuleError(CREDIT_WRONG_LENGTH, code="credit_length", field=field, params={"value": raw})
    if any(c not in CREDIT_ALPHABET for c in raw):
        raise BusinessRuleError(CREDIT_BAD_CHARS, code="credit_chars", field=field, params={"value": raw})
    expected = credit_check_char(raw[:17])
    if raw[17] != expected:
        raise BusinessRuleError(CREDIT_BAD_CHECK, code="credit_check", field=field,
                                params={"expected": expected, "actual": raw[17]})
    return raw


# --- Other fields of a form or an import row ----------------------------------------
BAD_MONTH = _("月份格式不正确：%(value)s（应为 2026-03 或 202603）")
BAD_DATE = _("日期格式不正确：%(value)s（应为 2026-03-01）")
BAD_PHONE = _("联系电话格式不正确：%(value)s")
BAD_NAME = _("姓名不能为空，且不超过 50 个字")
BAD_CATEGORY = _("人员类别不正确：%(value)s（可选：%(choices)s）")
EXCEL_SERIAL = _("“%(value)s”是 Excel 的日期序列号（即 %(date)s）：请把该列设为日期格式，或填写 2026-03-01 这样的日期")


def parse_month(value: str | date, *, field: str = "month") -> date:
    """'2026-03', '2026/3', '202603' or a date -> the first day of that month."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    match = (re.fullmatch(r"(\d{4})(\d{2})", text)
             or re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?(?:[-/.]\d{1,2}日?)?", text))
    if match and 1 <= int(match.group(2)) <= 12:
        return date(int(match.group(1)), int(match.group(2)), 1)
    _refuse_excel_serial(text, field)
    raise BusinessRuleError(BAD_MONTH, code="month", field=field, params={"value": text})


def parse_date(value: str | date, *, field: str = "date") -> date:
    """'2026-03-01', '2026/3/1' or '20260301' -> a date."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?", text)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    _refuse_excel_serial(text, field)
    raise BusinessRuleError(BAD_DATE, code="date", field=field, params={"value": text})


def _refuse_excel_serial(text: str, field: str) -> None:
    """A date cell that lost its date format in Excel shows (and exports) its serial
    number: 46082 is 2026-03-01. Say so instead of "not a date" — and do not guess."""
    if len(text) == 5 and text.isascii() and text.isdigit():
        day = date(1899, 12, 30) + timedelta(days=int(text))
        raise BusinessRuleError(EXCEL_SERIAL, code="excel_serial", field=field,
                                params={"value": text, "date": day.isoformat()})


def check_phone(value: str, *, field: str = "phone") -> str:
    """A mobile (11 digits starting with 1) or a fixed line (area code optional); blank allowed."""
    text = str(value or "").strip().replace(" ", "")
    if text and not re.fullmatch(r"1\d{10}|(0\d{2,3}-?)?\d{7,8}(-\d{1,5})?", text):
        raise BusinessRuleError(BAD_PHONE, code="phone", field=field, params={"value": text})
    return text


def check_name(value: str, *, field: str = "name") -> str:
    text = str(value or "").replace("\u3000", " ").strip()
    if not text or len(text) > 50:
        raise BusinessRuleError(BAD_NAME, code="name", field=field)
    return text


def parse_category(value: str, *, field: str = "category") -> str:
    """A person category by code ('in_service') or by its Chinese label ('在职职工')."""
    text = str(value or "").strip()
    for code, label in PersonCategory.choices:
        if text in (code, str(label)):
            return str(code)
    aliases = {"在职": "in_service", "退休": "retired", "居民": "resident_adult",
               "成年居民": "resident_adult", "学生": "minor_student", "未成年人": "minor_student"}
    if text in aliases:
        return aliases[text]
    choices = "、".join(str(label) for _c, label in PersonCategory.choices)
    raise BusinessRuleError(BAD_CATEGORY, code="category", field=field, params={"value": text, "choices": choices})

"""Reading the fields of a message's `input`: each problem names the field and the rule.

Numbers arrive as JSON numbers or strings; the body is parsed with `parse_float=Decimal`,
so an amount never passes through a float. Money is yuan with at most two decimals.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import round_fen, yuan_to_fen
from settlement.hsa.errors import BAD_FORMAT, MISSING, HsaError

DATE_RULE = "日期 yyyy-MM-dd，年份 2000–2999"
TIME_RULE = "时间 yyyy-MM-dd HH:mm:ss，年份 2000–2999"
MONEY_RULE = "非负金额，单位元，最多两位小数，不超过 9999999999.99（如 12.50）"
SIGNED_MONEY_RULE = "金额，单位元，最多两位小数，退费为负，绝对值不超过 9999999999.99（如 -12.50）"
MONTH_RULE = "年月 yyyyMM（如 202402），年份 2000–2999"
QTY_RULE = "正数，最多四位小数，不超过 9999999999.9999"
INT_RULE = "整数（不超过 18 位），不小于 %s"
# A control character — C0, DEL and C1, zero-width and bidirectional overrides (which make a
# name read differently on a clerk's page than it is stored); one regex search per value.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# The interface's number syntax, in ASCII digits only: no sign, exponent, leading zero,
# separator or full-width digit (Decimal() and int() would accept each of them silently).
# The integer part's 10 digits keep fen and quantities inside their columns (bigint,
# numeric(14, 4)) and every sum of them inside bigint.
# A fraction may run on in zeros to the interface's own precision (pric is 16,6 and cnt 16,4:
# HIS systems send "12.500000" from such columns); the value is still whole fen, or 4 decimals.
_MONEY = re.compile(r"(?:0|[1-9][0-9]{0,9})(?:\.[0-9]{1,2}0{0,4})?")
_SIGNED_MONEY = re.compile("-?" + _MONEY.pattern)
_QTY = re.compile(r"(?:0|[1-9][0-9]{0,9})(?:\.[0-9]{1,4}0{0,2})?")
_INT = re.compile(r"-?[0-9]{1,18}")
# Dates and times read from the match's groups: strptime costs several times more, on every fee line.
_YEAR_MONTH = re.compile(r"([0-9]{4})(0[1-9]|1[0-2])")
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")
# The ids this system issues carry the year (settlement.partitioning): 2000–2999.
YEARS = range(2000, 3000)


class Exponent(Decimal):
    """A JSON number written with an exponent (1e3, 1E-2): Decimal keeps its value, not how it
    was written, and the interface's numbers are plain decimals however exact the value."""


def json_number(spelled: str) -> Decimal:
    """`json.loads(parse_float=…)`: a JSON number with a fraction or exponent, exactly."""
    return Exponent(spelled) if "e" in spelled or "E" in spelled else Decimal(spelled)


def bad(field: str, rule: str, value: Any) -> HsaError:
    return HsaError(BAD_FORMAT, field=field, code="bad_format", rule=rule, value=str(value)[:60])


def text(data: dict[str, Any], field: str, *, required: bool = True, max_len: int = 100) -> str:
    """A JSON string (a number, object, list or boolean where text is due is refused, not
    converted), trimmed, at most `max_len` characters, without control characters."""
    value = data.get(field)
    if type(value) is str:
        # The common case first, checked in full: every fee line passes here a dozen times.
        result = value.strip()
        if result and len(result) <= max_len and not _CONTROL.search(result):
            return result
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise HsaError(MISSING, field=field, code="missing")
        return ""
    rule = f"文本（JSON 字符串），最长 {max_len} 个字符，不含控制字符"
    if not isinstance(value, str):
        raise bad(field, rule, _shown(value))
    result = value.strip()
    if len(result) > max_len or _CONTROL.search(result):
        raise bad(field, rule, result.encode("unicode_escape").decode("ascii"))
    return result


def _shown(value: Any) -> str:
    """How a non-text value is quoted back: its JSON spelling (true, {"a": 1}), not Python's."""
    return json.dumps(value, ensure_ascii=False, default=str)


def choice(
    data: dict[str, Any], field: str, allowed: dict[str, Any], *, required: bool = True
) -> str:
    value = text(data, field, required=required, max_len=10)
    if value and value not in allowed:
        raise bad(field, "可选值 " + "/".join(allowed), value)
    return value


def money_fen(data: dict[str, Any], field: str, *, required: bool = True) -> int:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise HsaError(MISSING, field=field, code="missing")
        return 0
    amount = _number(field, value, MONEY_RULE, _MONEY)  # the interface's number syntax
    try:
        return yuan_to_fen(amount, negative=False)  # the money rule, as at every other door
    except BusinessRuleError:
        raise bad(field, MONEY_RULE, value) from None


def signed_money_fen(data: dict[str, Any], field: str, *, required: bool = True) -> int:
    """An amount that may be negative: a reconciliation's figures, where a cancelled settlement
    counts as we answered it (its setlinfo's amounts are negative, refd_setl_flag 1)."""
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise HsaError(MISSING, field=field, code="missing")
        return 0
    return yuan_to_fen(_number(field, value, SIGNED_MONEY_RULE, _SIGNED_MONEY))


def quantity(data: dict[str, Any], field: str) -> Decimal:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise HsaError(MISSING, field=field, code="missing")
    q = _number(field, value, QTY_RULE, _QTY)
    if q <= 0:
        raise bad(field, QTY_RULE, value)
    return q


def _number(field: str, value: Any, rule: str, syntax: re.Pattern[str]) -> Decimal:
    """A JSON number (parsed as Decimal, or an int) or a string holding one, in `syntax`."""
    if isinstance(value, bool | Exponent) or not isinstance(value, int | str | Decimal):
        raise bad(field, rule, _shown(value))
    spelled = value.strip() if isinstance(value, str) else str(value)
    if not syntax.fullmatch(spelled):
        raise bad(field, rule, spelled)
    return Decimal(spelled)


def line_amount_fen(qty: Decimal, price_fen: int) -> int:
    """A fee line's amount: quantity × unit price, half up to 分 (the one rounding rule)."""
    return round_fen(qty * price_fen)


def timestamp(data: dict[str, Any], field: str, *, required: bool = True) -> datetime | None:
    value = text(data, field, required=required, max_len=19)
    if not value:
        return None
    form = _TIME.fullmatch(value)
    try:
        if form is None or int(form.group(1)) not in YEARS:
            raise ValueError(value)
        year, month, day_, hour, minute, second = (int(part) for part in form.groups())
        return datetime(
            year, month, day_, hour, minute, second, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
    except ValueError:
        raise bad(field, TIME_RULE, value) from None


def day(data: dict[str, Any], field: str, *, required: bool = True) -> date | None:
    """A date; some systems send it with a time of day (yyyy-MM-dd HH:mm:ss): checked, then dropped."""
    value = text(data, field, required=required, max_len=19)
    if not value:
        return None
    form = _DAY.fullmatch(value) or _TIME.fullmatch(value)
    try:
        if form is None or int(form.group(1)) not in YEARS:
            raise ValueError(value)
        parts = [int(part) for part in form.groups()]
        if len(parts) == 6:  # the time of day, if any, must be a real one
            time(parts[3], parts[4], parts[5])
        return date(parts[0], parts[1], parts[2])
    except ValueError:
        raise bad(field, DATE_RULE, value) from None


def year_month(data: dict[str, Any], field: str, *, required: bool = True) -> date | None:
    """A month written yyyyMM (3203's setlym): the first day of it."""
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise HsaError(MISSING, field=field, code="missing")
        return None
    spelled = value.strip() if isinstance(value, str) else _shown(value)
    form = _YEAR_MONTH.fullmatch(spelled) if isinstance(value, str) else None
    if form is None or int(form.group(1)) not in YEARS:
        raise bad(field, MONTH_RULE, spelled)
    return date(int(form.group(1)), int(form.group(2)), 1)


def flag(data: dict[str, Any], field: str, *, default: bool = False) -> bool:
    value = data.get(field)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value.strip() not in ("0", "1"):
        raise bad(field, '字符串 "0" 或 "1"', _shown(value))
    return value.strip() == "1"


def rows(container: dict[str, Any], field: str, *, required: bool = True) -> list[dict[str, Any]]:
    """A list of objects (one object alone is taken as a list of one); required: not empty."""
    value = container.get(field)
    if value is None:
        if required:
            raise HsaError(MISSING, field=field, code="missing")
        return []
    if isinstance(value, dict):
        value = [value]
    rule = "非空对象数组" if required else "对象数组"
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise bad(field, rule, _shown(value)[:60])
    if required and not value:
        raise bad(field, rule, "[]")
    return value


def integer(data: dict[str, Any], field: str, *, minimum: int = 0) -> int:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise HsaError(MISSING, field=field, code="missing")
    spelled = value.strip() if isinstance(value, str) else _shown(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | str)
        or not _INT.fullmatch(spelled)
        or int(spelled) < minimum
    ):
        raise bad(field, INT_RULE % minimum, spelled)
    return int(spelled)

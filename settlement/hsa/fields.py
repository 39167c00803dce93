"""Reading the fields of a message's `input`: each problem names the field and the rule.

Numbers arrive as JSON numbers or strings; the body is parsed with `parse_float=Decimal`,
so an amount never passes through a float. Money is yuan with at most two decimals.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import round_fen, yuan_to_fen
from settlement.hsa.errors import BAD_FORMAT, MISSING, HsaError

DATE_RULE = "日期 yyyy-MM-dd"
TIME_RULE = "时间 yyyy-MM-dd HH:mm:ss"
MONEY_RULE = "非负金额，单位元，最多两位小数"
QTY_RULE = "正数，最多四位小数"
# A control character (code point below 32); one regex search, not a generator per character.
_CONTROL = re.compile("[\x00-\x1f]")


def _bad(field: str, rule: str, value: Any) -> HsaError:
    return HsaError(BAD_FORMAT, field=field, code="bad_format", rule=rule, value=str(value)[:60])


def text(data: dict[str, Any], field: str, *, required: bool = True, max_len: int = 100) -> str:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise HsaError(MISSING, field=field, code="missing")
        return ""
    if isinstance(value, bool | dict | list):
        raise _bad(field, f"文本，最长 {max_len} 个字符", value)
    result = str(value).strip()
    if len(result) > max_len or _CONTROL.search(result):
        raise _bad(field, f"文本，最长 {max_len} 个字符，不含控制字符", value)
    return result


def choice(
    data: dict[str, Any], field: str, allowed: dict[str, Any], *, required: bool = True
) -> str:
    value = text(data, field, required=required, max_len=10)
    if value and value not in allowed:
        raise _bad(field, "可选值 " + "/".join(allowed), value)
    return value


def money_fen(data: dict[str, Any], field: str, *, required: bool = True) -> int:
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise HsaError(MISSING, field=field, code="missing")
        return 0
    amount = _decimal(field, value, MONEY_RULE)  # the interface's number syntax
    try:
        return yuan_to_fen(amount, negative=False)  # the money rule, as at every other door
    except BusinessRuleError:
        raise _bad(field, MONEY_RULE, value) from None


def quantity(data: dict[str, Any], field: str) -> Decimal:
    value = data.get(field)
    if value is None or value == "":
        raise HsaError(MISSING, field=field, code="missing")
    q = _decimal(field, value, QTY_RULE)
    if q <= 0 or q != q.quantize(Decimal("0.0001")):
        raise _bad(field, QTY_RULE, value)
    return q


def _decimal(field: str, value: Any, rule: str) -> Decimal:
    if isinstance(value, bool | float) or not isinstance(value, int | str | Decimal):
        raise _bad(field, rule, value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _bad(field, rule, value) from None
    if not amount.is_finite():
        raise _bad(field, rule, value)
    return amount


def line_amount_fen(qty: Decimal, price_fen: int) -> int:
    """A fee line's amount: quantity × unit price, half up to 分 (the one rounding rule)."""
    return round_fen(qty * price_fen)


def timestamp(data: dict[str, Any], field: str, *, required: bool = True) -> datetime | None:
    value = text(data, field, required=required, max_len=19)
    if not value:
        return None
    try:
        naive = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise _bad(field, TIME_RULE, value) from None
    return naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


def day(data: dict[str, Any], field: str, *, required: bool = True) -> date | None:
    value = text(data, field, required=required, max_len=19)
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise _bad(field, DATE_RULE, value) from None


def flag(data: dict[str, Any], field: str, *, default: bool = False) -> bool:
    value = data.get(field)
    if value in (None, ""):
        return default
    text_value = str(value).strip()
    if text_value not in ("0", "1"):
        raise _bad(field, "0 或 1", value)
    return text_value == "1"


def rows(container: dict[str, Any], field: str, *, required: bool = True) -> list[dict[str, Any]]:
    value = container.get(field)
    if value is None:
        if required:
            raise HsaError(MISSING, field=field, code="missing")
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _bad(field, "对象数组", type(value).__name__)
    return value


def integer(data: dict[str, Any], field: str, *, minimum: int = 0) -> int:
    value = data.get(field)
    if value is None or value == "":
        raise HsaError(MISSING, field=field, code="missing")
    text_value = str(value).strip()
    if (
        isinstance(value, bool | float)
        or not text_value.lstrip("-").isdigit()
        or int(text_value) < minimum
    ):
        raise _bad(field, f"不小于 {minimum} 的整数", value)
    return int(text_value)

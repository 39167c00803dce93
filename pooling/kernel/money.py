"""Money, exactly. Amounts are integer fen (分) everywhere they are stored or summed.

The one rounding rule of the project: a fractional amount of fen is rounded
half up to a whole fen (四舍五入到分), by `round_fen`. Nothing else rounds money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError

HUNDRED = Decimal(100)
NOT_AN_AMOUNT = _("金额格式不正确：%(value)s（应为元，最多两位小数）")
TOO_PRECISE = _("金额最多两位小数：%(value)s")
NEGATIVE_AMOUNT = _("金额不能为负数：%(value)s")
AMOUNT_TOO_LARGE = _("金额过大：%(value)s（最多 %(limit)s 元）")
# No amount a person types or a file holds comes near this (a city's yearly fund is ~10^10
# yuan); far larger ones are typos or pasted ID numbers, and would overflow the 64-bit fen
# columns and their sums (9.2 × 10^16 yuan) — a crash at commit instead of a named cell.
MAX_YUAN = 10**12


def round_fen(value: Decimal | int) -> int:
    """Round an amount expressed in (possibly fractional) fen half up to whole fen."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan_to_fen(
    value: str | Decimal | int, *, negative: bool = True, field: str | None = None
) -> int:
    """Parse yuan ("1234.5", "¥1,234.50", Decimal, int) into exact fen: the one parser of
    money typed by people or written in files (forms, API, imports, policy documents).

    Refuses floats (a float has already lost the fen), a third decimal and — with
    `negative=False` — an amount below zero, each with its own message naming `field`.
    """
    if isinstance(value, float | bool):
        raise TypeError("money must be a string, Decimal or int, never a float")
    text = str(value).strip().replace(",", "").replace("¥", "").replace("￥", "")
    try:
        amount = Decimal(text)
        fen = amount * HUNDRED  # 1E+999999 overflows here: not an amount either
    except (ArithmeticError, ValueError):  # InvalidOperation and Overflow are ArithmeticErrors
        raise BusinessRuleError(
            NOT_AN_AMOUNT, code="amount", field=field, params={"value": value}
        ) from None
    if not amount.is_finite():
        raise BusinessRuleError(NOT_AN_AMOUNT, code="amount", field=field, params={"value": value})
    if fen != fen.to_integral_value():
        raise BusinessRuleError(
            TOO_PRECISE, code="amount_precision", field=field, params={"value": value}
        )
    if fen < 0 and not negative:
        raise BusinessRuleError(
            NEGATIVE_AMOUNT, code="amount_negative", field=field, params={"value": value}
        )
    if abs(fen) > MAX_YUAN * HUNDRED:
        raise BusinessRuleError(
            AMOUNT_TOO_LARGE,
            code="amount_too_large",
            field=field,
            params={"value": value, "limit": f"{MAX_YUAN:,}"},
        )
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / HUNDRED).quantize(Decimal("0.01"))


def apply_rate(fen: int, rate: Decimal) -> int:
    """fen × rate (a fraction, e.g. Decimal("0.9")), rounded by the one rule."""
    return round_fen(Decimal(fen) * rate)


def format_yuan(fen: int | None) -> str:
    """12345678 -> '123,456.78' (for pages; exports write plain numbers)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    return f"{sign}{fen_to_yuan(abs(fen)):,.2f}"

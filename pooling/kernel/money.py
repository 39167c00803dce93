"""Money, exactly. Amounts are integer fen (分) everywhere they are stored or summed.

The one rounding rule of the project: a fractional amount of fen is rounded
half up to a whole fen (四舍五入到分), by `round_fen`. Nothing else rounds money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError

HUNDRED = Decimal(100)
NOT_AN_AMOUNT = _("金额格式不正确：%(value)s（应为元，最多两位小数）")
TOO_PRECISE = _("金额最多两位小数：%(value)s")


def round_fen(value: Decimal | int) -> int:
    """Round an amount expressed in (possibly fractional) fen half up to whole fen."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan_to_fen(value: str | Decimal | int) -> int:
    """Parse yuan ("1234.5", Decimal) into exact fen; refuses floats and a third decimal."""
    if isinstance(value, float):  # a float has already lost the fen
        raise TypeError("money must not be a float")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise BusinessRuleError(NOT_AN_AMOUNT, code="amount", params={"value": value}) from None
    if not amount.is_finite():
        raise BusinessRuleError(NOT_AN_AMOUNT, code="amount", params={"value": value})
    fen = amount * HUNDRED
    if fen != fen.to_integral_value():
        raise BusinessRuleError(TOO_PRECISE, code="amount_precision", params={"value": value})
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

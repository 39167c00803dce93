"""Percents, read and written one way everywhere: policy documents, their validation,
catalogue imports, the calculator's explanations and the policy pages.

A percent arrives as text ("85", "7.5", "12.5%") or a Decimal; code works with the rate,
a Decimal fraction (0.85), and never a float. Money is `pooling.kernel.money`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError

HUNDRED = Decimal(100)
NOT_A_PERCENT = _("百分比格式不正确：%(value)s（应为数字，如 85 或 7.5）")
PERCENT_TOO_PRECISE = _("百分比最多 %(places)s 位小数：%(value)s")
PERCENT_OUT_OF_RANGE = _("百分比应在 0 到 %(maximum)s 之间：%(value)s")


def parse_percent(
    value: str | Decimal | int,
    *,
    maximum: Decimal | int | None = HUNDRED,
    places: int = 4,
    field: str | None = None,
) -> Decimal:
    """'85', '7.5', '12.5%' -> Decimal('85'), Decimal('7.5'), Decimal('12.5'): at least 0, at
    most `maximum` (None: no upper bound, e.g. a base ceiling of 300 % of the average
    wage), at most `places` decimals. Each refusal has its own message naming `field`."""
    if isinstance(value, float | bool):
        raise TypeError("a percent must be a string, Decimal or int, never a float")
    text = str(value).strip().removesuffix("%").removesuffix("％").strip()
    try:
        number = Decimal(text)
        if not number.is_finite():
            raise InvalidOperation
        exact = number == number.quantize(Decimal(1).scaleb(-places))
    except (InvalidOperation, ValueError):  # not a number, NaN or infinite, or too long to be one
        raise BusinessRuleError(
            NOT_A_PERCENT, code="percent", field=field, params={"value": value}
        ) from None
    if not exact:
        raise BusinessRuleError(
            PERCENT_TOO_PRECISE,
            code="percent_precision",
            field=field,
            params={"value": value, "places": places},
        )
    if number < 0 or (maximum is not None and number > maximum):
        raise BusinessRuleError(
            PERCENT_OUT_OF_RANGE,
            code="percent_range",
            field=field,
            params={"value": value, "maximum": maximum},
        )
    return number


def percent_rate(
    value: str | Decimal | int,
    *,
    maximum: Decimal | int | None = HUNDRED,
    places: int = 4,
    field: str | None = None,
) -> Decimal:
    """The rate a percent stands for: '85' -> Decimal('0.85')."""
    return parse_percent(value, maximum=maximum, places=places, field=field) / HUNDRED


def percent_text(rate: Decimal) -> str:
    """A rate as people write its percent, without trailing zeros: 0.85 -> '85', 0.075 -> '7.5'."""
    return format((rate * HUNDRED).normalize(), "f")

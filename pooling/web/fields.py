"""The input fields every page and the API share: yuan (→ integer fen), percents, months, national codes.

One field for forms and one for DRF serializers of each, both calling the kernel's one
parser (`pooling.kernel.money.yuan_to_fen`, `pooling.kernel.dates.parse_month`,
`pooling.kernel.codes`), so a clerk's form, a provider's API call and an import row read
"1,234.50" or "2026-03" the same way and refuse it with the same message (Chinese, with
its English in the .po). Money is never a float: a JSON number with a fraction is
refused, not rounded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pooling.kernel.dates import parse_month
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import NOT_AN_AMOUNT, fen_to_yuan, yuan_to_fen
from pooling.kernel.numbers import HUNDRED, parse_percent

MONTH_HELP = _("格式：2026-03")
FLOAT_AMOUNT = _('金额请以字符串填写（如 "1200.50"），不接受带小数的数字：%(value)s')


def _form_error(exc: BusinessRuleError) -> forms.ValidationError:
    return forms.ValidationError(exc.text(), code=exc.code)


def _api_error(exc: BusinessRuleError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.text(), code=exc.code)


class _ParsedField(forms.CharField):
    """Text read by one of the kernel's parsers; its refusal shows beside the field."""

    blank: Any = None  # what a blank, optional field gives

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def clean(self, value: Any) -> Any:
        text = super().clean(value)  # stripped, required and length checked
        if not text:
            return self.blank
        try:
            return self.parse(text)
        except BusinessRuleError as exc:
            raise _form_error(exc) from None


class YuanField(_ParsedField):
    """Yuan as typed ("1234.5", "1,234.50", "¥12") -> integer fen. Blank (when not
    required) is `blank_fen`, 0 unless given; a negative amount only with `negative=True`."""

    def __init__(self, *, negative: bool = False, blank_fen: int | None = 0, **kwargs: Any) -> None:
        self.negative = negative
        self.blank = blank_fen
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def parse(self, text: str) -> int:
        return yuan_to_fen(text, negative=self.negative)


class PercentField(_ParsedField):
    """A percent as typed ("85", "7.5", "12.5%") -> its Decimal percent (85, 7.5), by the
    kernel's one percent parser; `maximum=None` for one that may pass 100 (a base ceiling)."""

    def __init__(self, *, maximum: Decimal | int | None = HUNDRED, **kwargs: Any) -> None:
        self.maximum = maximum
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def parse(self, text: str) -> Decimal:
        return parse_percent(text, maximum=self.maximum)


class CodeField(_ParsedField):
    """A national code, checked and normalized by one of `pooling.kernel.codes`' checks
    (`check` returns the normalized code). No length limit here: blanks pasted inside the
    code are the normalisation's to remove, and the check names a wrong length itself."""

    blank = ""

    def __init__(self, *, check: Callable[[str], str], **kwargs: Any) -> None:
        self.check = check
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def parse(self, text: str) -> str:
        return self.check(text)


class MonthField(_ParsedField):
    """'2026-03', '202603', '2026年3月'… -> the first day of that month."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", MONTH_HELP)
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": "2026-03", "inputmode": "numeric"})

    def parse(self, text: str) -> date:
        return parse_month(text)


@extend_schema_field(OpenApiTypes.STR)
class YuanSerializerField(serializers.Field):
    """Yuan as a string ("1234.56", or a whole number) in, integer fen out; fen out as a yuan string."""

    def __init__(self, *, negative: bool = False, **kwargs: Any) -> None:
        self.negative = negative
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, float):
            raise serializers.ValidationError(
                str(FLOAT_AMOUNT % {"value": data}), code="amount_float"
            )
        try:
            return yuan_to_fen(
                data if isinstance(data, str | int) else str(data), negative=self.negative
            )
        except TypeError:  # true / false
            raise serializers.ValidationError(
                str(NOT_AN_AMOUNT % {"value": data}), code="amount"
            ) from None
        except BusinessRuleError as exc:
            raise _api_error(exc) from None

    def to_representation(self, value: int) -> str:
        return str(fen_to_yuan(value))


@extend_schema_field(OpenApiTypes.STR)
class MonthSerializerField(serializers.Field):
    """A month as "2026-03" (or any form `parse_month` reads) in, its first day out as "2026-03-01"."""

    def to_internal_value(self, data: Any) -> date:
        if not isinstance(data, str | date):
            data = str(data)
        try:
            return parse_month(data)
        except BusinessRuleError as exc:
            raise _api_error(exc) from None

    def to_representation(self, value: date) -> str:
        return value.isoformat()

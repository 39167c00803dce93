"""Small helpers shared by the enrollment services: ages, who is acting, validation.
(Months: `pooling.kernel.dates`.)"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import OTHER_COUNTY, READ_ONLY, current_scope

INVALID = _("数据不符合要求：%(detail)s")


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def require_county(code: str) -> None:
    """The acting user may write in this county (checked before any unrestricted write)."""
    scope = current_scope()
    if scope.read_only:
        raise PermissionDenied(READ_ONLY)
    if not scope.allows(code):
        raise PermissionDenied(OTHER_COUNTY)


def clean_and_save(obj: models.Model, *, exclude: list[str] | None = None, **save: Any) -> None:
    """full_clean() then save(); a model error becomes a BusinessRuleError naming the field."""
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise BusinessRuleError(
            INVALID,
            code="invalid",
            field=None if field == "__all__" else field,
            params={"detail": "；".join(messages)},
        ) from exc
    obj.save(**save)

"""The common parameters of a policy document, as fields a form can edit.

A parameter is a place in the document (a schema path with row indices) and its kind:
yuan, percent, a count or text. `parameters_of` reads them from a base document (the
version the new draft starts from); `document_with` writes edited values back into a copy
of it. Whatever the form does not show (diseases, maternity, age bands…) stays as the base
has it, so the result is a whole document that goes through the same validation and the
same draft → submit → publish services as an uploaded file.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pooling.kernel.choices import SpecialGroup
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import fen_to_yuan, yuan_to_fen

YUAN, PCT, PCT_ANY, COUNT, TEXT, DATE = "yuan", "pct", "pct_any", "count", "text", "date"

# The sections of the form: (title path, [(path, kind)]). Titles are label-table paths.
SCALARS: list[tuple[str, list[tuple[str, str]]]] = [
    ("$", [("$.code", TEXT), ("$.title", TEXT), ("$.effective_from", DATE)]),
    (
        "$.employee",
        [
            ("$.employee.average_monthly_wage", YUAN),
            ("$.employee.base_floor_pct", PCT),
            ("$.employee.base_ceiling_pct", PCT_ANY),
            ("$.employee.employer_rate_pct", PCT),
            ("$.employee.employee_rate_pct", PCT),
            ("$.employee.maternity.rate_pct", PCT),
            ("$.employee.personal_account.in_service_share_of_base_pct", PCT),
        ],
    ),
    (
        "$.resident",
        [
            ("$.resident.year", COUNT),
            ("$.resident.individual_contribution.resident_adult", YUAN),
            ("$.resident.individual_contribution.minor_student", YUAN),
            ("$.resident.subsidy_per_head", YUAN),
            *[(f"$.resident.special_group_subsidy.{g}", YUAN) for g in SpecialGroup.values if g],
            ("$.resident.waiting_period.base_months", COUNT),
        ],
    ),
    (
        "$.benefits",
        [
            ("$.benefits.class_b_self_pay_pct", PCT),
            ("$.benefits.out_of_city.registered_ratio_reduction_pct", PCT),
            ("$.benefits.out_of_city.unregistered_ratio_reduction_pct", PCT),
        ],
    ),
]
# The benefit grids: one row per scheme × category × level of the base document.
GRIDS: dict[str, list[tuple[str, str]]] = {
    "$.benefits.inpatient": [
        ("deductible_first", YUAN),
        ("deductible_later", YUAN),
        ("ratio_pct", PCT),
        ("annual_cap", YUAN),
    ],
    "$.benefits.outpatient_pooling": [
        ("deductible", YUAN),
        ("ratio_pct", PCT),
        ("annual_limit", YUAN),
    ],
}


@dataclass(frozen=True)
class Parameter:
    path: str  # e.g. $.benefits.inpatient[3].ratio_pct
    kind: str

    @property
    def name(self) -> str:
        """The form field's name: the path without `$.`, brackets as dashes."""
        return self.path.removeprefix("$.").replace("[", "-").replace("].", "-").replace(".", "-")


def _steps(path: str) -> list[Any]:  # keys (str) and row indices (int)
    steps: list[Any] = []
    for part in path.removeprefix("$.").replace("]", "").replace("[", ".").split("."):
        steps.append(int(part) if part.isdigit() else part)
    return steps


def value_at(doc: Any, path: str) -> Any:
    """The value at a document path (None where there is none)."""
    for step in _steps(path):
        doc = doc[step] if isinstance(doc, list) else (doc or {}).get(step)
    return doc


def _set(doc: Any, path: str, value: Any) -> None:
    *parents, last = _steps(path)
    for step in parents:
        doc = doc[step] if isinstance(doc, list) else doc.setdefault(step, {})
    doc[last] = value


def parameters(base: dict[str, Any]) -> list[Parameter]:
    """Every editable parameter of a document built from `base`, section by section."""
    found = [Parameter(path, kind) for _title, items in SCALARS for path, kind in items]
    for table, columns in GRIDS.items():
        for index, _row in enumerate(value_at(base, table) or []):
            found += [Parameter(f"{table}[{index}].{key}", kind) for key, kind in columns]
    return found


def parameters_of(base: dict[str, Any]) -> dict[str, Any]:
    """The form's initial values: the base document's text as it stands (yuan "7500.00", percent "7.0")."""
    return {
        p.name: value_at(base, p.path)
        for p in parameters(base)
        if value_at(base, p.path) is not None
    }


def _document_value(kind: str, value: Any) -> Any:
    """A cleaned form value as the document writes it: yuan and percents as strings."""
    if kind == YUAN:
        return str(fen_to_yuan(value))
    if kind in (PCT, PCT_ANY):
        return format(Decimal(value).normalize(), "f")
    if kind == DATE:
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def document_with(base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of `base` with the edited parameters written in (names as `Parameter.name`)."""
    doc = copy.deepcopy(base)
    for p in parameters(base):
        value = values.get(p.name)
        if value is not None and not _same(p.kind, value_at(base, p.path), value):
            _set(doc, p.path, _document_value(p.kind, value))
    return doc


def _same(kind: str, text: Any, value: Any) -> bool:
    """The base already says this ("7.0" and 7 are one rate): keep its text, so an untouched
    field leaves the document exactly as it was."""
    if text is None:
        return False
    try:
        if kind == YUAN:
            return yuan_to_fen(text) == value
        if kind in (PCT, PCT_ANY):
            return Decimal(text) == Decimal(value)
    except (BusinessRuleError, InvalidOperation, TypeError):
        return False
    return bool(text == _document_value(kind, value))

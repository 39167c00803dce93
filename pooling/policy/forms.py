"""The parameter form: the common parameters of a policy as yuan / percent / count fields.

Built from a base document (`pooling.policy.parameters`); its fields are labelled by the
one label table, and `document()` gives the whole document for the draft services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pooling.policy.labels import LABELS, path_label
from pooling.policy.parameters import (
    COUNT,
    DATE,
    GRIDS,
    PCT,
    PCT_ANY,
    SCALARS,
    YUAN,
    Parameter,
    document_with,
    parameters,
    parameters_of,
    value_at,
)
from pooling.web.fields import PercentField, YuanField

# What a number is counted in, after its label: 上年度全市职工月平均工资（元）, 单位费率（%）.
UNITS = {YUAN: _("（元）"), PCT: _("（%）"), PCT_ANY: _("（%）")}


def _unit(kind: str) -> str:
    return str(UNITS.get(kind, ""))


def _field(p: Parameter, label: str, required: bool) -> forms.Field:
    if p.kind == YUAN:
        return YuanField(label=label, required=required, blank_fen=None)
    if p.kind in (PCT, PCT_ANY):
        return PercentField(
            label=label, required=required, maximum=None if p.kind == PCT_ANY else 100
        )
    if p.kind == COUNT:
        return forms.IntegerField(label=label, required=required, min_value=0)
    if p.kind == DATE:
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )
    return forms.CharField(label=label, required=required, max_length=200)


class ParametersForm(forms.Form):
    def __init__(self, *args: Any, base: dict[str, Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", parameters_of(base))
        super().__init__(*args, **kwargs)
        self.base = base
        self.params = {p.name: p for p in parameters(base)}
        for p in self.params.values():
            words = path_label(p.path, base).split(" · ")
            label = " · ".join(words[1:] or words) + _unit(
                p.kind
            )  # the section's own name heads the section
            field = self.fields[p.name] = _field(p, label, required=p.name in self.initial)
            field.widget.attrs["aria-label"] = label  # grid cells show no label of their own

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The scalar fields grouped as the policy page groups them."""
        names = {p.path: name for name, p in self.params.items()}
        return [
            (str(LABELS[title]), [self[names[path]] for path, _kind in items])
            for title, items in SCALARS
        ]

    def grids(self) -> list[dict[str, Any]]:
        """The benefit tables: headers, and per row its key in words and its fields."""
        found = []
        for table, columns in GRIDS.items():
            rows = []
            for index in range(len(value_at(self.base, table) or [])):
                prefix = f"{table}[{index}]"
                rows.append(
                    {
                        "label": path_label(prefix, self.base).split(" · ")[-1],
                        "fields": [
                            self[Parameter(f"{prefix}.{key}", kind).name] for key, kind in columns
                        ],
                    }
                )
            found.append(
                {
                    "title": str(LABELS[table]),
                    "rows": rows,
                    "id": table.rsplit(".", 1)[-1],
                    "headers": [
                        str(LABELS[f"{table}[].{key}"]) + _unit(kind) for key, kind in columns
                    ],
                }
            )
        return found

    def document(self) -> dict[str, Any]:
        """The whole document: the base with the cleaned parameters written in."""
        return document_with(self.base, self.cleaned_data)

    def field_of(self, path: str) -> str | None:
        """The field showing this document path, so a validation problem lands beside it."""
        return next((name for name, p in self.params.items() if p.path == path), None)

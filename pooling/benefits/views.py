"""The 待遇测算 page: staff enter a claim and read the itemised settlement and its reasons."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from pooling.benefits.forms import NO_LINE, LineFormSet, QuoteForm, to_claim
from pooling.benefits.quote import Quote, benefits_quote
from pooling.benefits.types import CLASS_LABELS
from pooling.kernel.errors import BusinessRuleError
from pooling.policy.document import policy_in_force
from pooling.policy.labels import DISEASE_KINDS

EXAMPLE_LINES = [
    {
        "code": "XJ01CAA040E001010100593",
        "name": "阿莫西林胶囊",
        "quantity": "10",
        "unit_price": "12.50",
    },
    {
        "code": "XJ01DCC118A001010104443",
        "name": "头孢呋辛酯片",
        "quantity": "2",
        "unit_price": "250.00",
    },
    {"code": "110900001000000", "name": "普通病房床位费", "quantity": "7", "unit_price": "60.00"},
]


@login_required
def calculator(request: HttpRequest) -> HttpResponse:
    quote: Quote | None = None
    if request.method == "POST":
        form = QuoteForm(request.POST)
        lines = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and lines.is_valid():
            claim, person = to_claim(form, lines)
            if not claim.lines:
                form.add_error(None, NO_LINE)
            else:
                try:
                    quote = benefits_quote(claim=claim, person=person)
                except BusinessRuleError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.text())
    else:
        form = QuoteForm(
            initial={
                "scheme": "employee",
                "category": "in_service",
                "hospital_level": "level3",
                "care_type": "inpatient",
                "service_date": "2026-06-01",
            }
        )
        lines = LineFormSet(prefix="lines", initial=EXAMPLE_LINES)
    return render(
        request,
        "pooling/benefits_calculator.html",
        {
            "form": form,
            "lines": lines,
            "quote": quote,
            "class_labels": CLASS_LABELS,
            "diseases": _diseases(form),
        },
    )


DISEASE_OPTION = _("%(name)s（%(kind)s）")


def _diseases(form: QuoteForm) -> list[tuple[str, str]]:
    """The 门慢/门特 list of the policy in force on the form's date, to pick a code from."""
    raw = form.data.get("service_date") or form.initial.get("service_date") or ""
    try:
        diseases = policy_in_force(on=date.fromisoformat(str(raw))).benefits.diseases
    except (ValueError, BusinessRuleError):
        return []
    return sorted(
        (d.code, DISEASE_OPTION % {"name": d.name, "kind": DISEASE_KINDS.get(d.kind, d.kind)})
        for d in diseases.values()
    )

"""Pages of the provider step: the month's statements (结算单) and one provider's, printable,
with CSV (BOM) and XLSX through the one export writer. County clerks see the statements of
the providers their unit handles (the model's scope); reads go through `statements`."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from pooling.kernel.dates import add_months, parse_month
from pooling.kernel.errors import BusinessRuleError
from pooling.web.decorators import capability_required
from pooling.web.exports import export_response
from providers.choices import State
from settlement.cycle import provider_reports as reports
from settlement.cycle.statements import statement_get, statements_of_month
from settlement.models import ProviderMonthStatement
from settlement.selectors import clearing_applications_of_month

PAGE = 100


def _month(text: str) -> date:
    try:
        return parse_month(text)
    except BusinessRuleError:
        raise Http404 from None


@capability_required("settlement.view")
def cycle_providers(request: HttpRequest, month: str) -> HttpResponseBase:
    first = _month(month)
    rows = statements_of_month(month=first)
    if request.GET.get("format"):
        return export_response(reports.list_table(rows, first), request.GET.get("format"))
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "settlement/cycle/provider_statements.html",
        {
            "month": first,
            "month_text": first.strftime("%Y-%m"),
            "label": reports.month_label(first),
            "page": page,
            "rows": [(s, reports.carry_lines(s)) for s in page],
            "held": rows.filter(held=True).count(),
            "pending": rows.filter(carry_pending=True).count(),
            "with_differences": rows.exclude(differences=[]).count(),
            "applications": clearing_applications_of_month(month=first),
            "previous": add_months(first, -1).strftime("%Y-%m"),
            "next": add_months(first, 1).strftime("%Y-%m"),
        },
    )


@capability_required("settlement.view")
def cycle_provider_statement(request: HttpRequest, month: str, code: str) -> HttpResponseBase:
    first = _month(month)
    try:
        statement = statement_get(month=first, code=code)
    except ProviderMonthStatement.DoesNotExist:
        raise Http404 from None
    if request.GET.get("format"):
        return export_response(reports.statement_table(statement), request.GET.get("format"))
    return _statement_page(request, statement, first)


def _statement_page(request: HttpRequest, s: ProviderMonthStatement, first: date) -> HttpResponse:
    return render(
        request,
        "settlement/cycle/provider_statement.html",
        {
            "s": s,
            "month_text": first.strftime("%Y-%m"),
            "label": reports.month_label(first),
            "books": reports.book_rows(s),
            "carried_out": reports.carried_out_rows(s),
            "printed_at": timezone.localtime(),
            "applications": clearing_applications_of_month(month=first, provider_id=s.provider_id),
            "state_label": State(s.provider_state).label
            if s.provider_state in State.values
            else s.provider_state,
        },
    )

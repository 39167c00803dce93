"""Pages of the fund ledger. Views read through selectors and write through services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funds import reports, selectors
from funds.models import Account, Book
from funds.services import period_close, reverse_entry
from pooling.kernel.choices import Role
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import can
from pooling.kernel.regions import handling_units
from pooling.web.decorators import acting, capability_required
from pooling.web.exports import export_response


def _period(request: HttpRequest, book: Book) -> tuple[int, int]:
    """The month asked for; without one, the latest month with postings, so a report
    never opens on an empty page when the ledger has entries."""
    year, month = selectors.today_period()
    if not (request.GET.get("year") and request.GET.get("month")):
        year, month = selectors.latest_posted_period(book=book) or (year, month)
    try:
        year = int(request.GET.get("year", year))
        month = int(request.GET.get("month", month))
    except ValueError:
        raise Http404 from None
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404
    return year, month


def _county(request: HttpRequest) -> str | None:
    county = request.GET.get("county", "").strip()
    return county or None


def _filters(request: HttpRequest, book: Book) -> dict[str, Any]:
    year, month = _period(request, book)
    county = _county(request)
    return {
        "book": book,
        "year": year,
        "month": month,
        "county": county,
        "query": urlencode({"year": year, "month": month, "county": county or ""}),
        "units": handling_units() if acting(request).role != Role.COUNTY_CLERK else [],
        "months": range(1, 13),
    }


@capability_required("fund.view")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "funds/index.html", {"overview": selectors.book_overview()})


@capability_required("fund.view")
def book_detail(request: HttpRequest, code: str) -> HttpResponse:
    book = get_object_or_404(Book, code=code)
    county = _county(request)
    return render(
        request,
        "funds/book.html",
        {
            "book": book,
            "groups": selectors.account_groups(book=book, county=county),
            "periods": selectors.periods(book=book)[:24],
            "county": county,
            "can_close": can(request.user, "period.close"),
            "units": handling_units() if acting(request).role != Role.COUNTY_CLERK else [],
        },
    )


@capability_required("fund.view")
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("book", "county"), pk=pk)
    return render(
        request,
        "funds/account.html",
        {"account": account, "lines": selectors.account_lines(account=account)},
    )


@capability_required("fund.view")
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_visible(entry_id=pk)
    if entry is None:
        raise Http404
    lines = entry.lines.select_related("account", "county").order_by("id")
    return render(
        request,
        "funds/entry.html",
        {
            "entry": entry,
            "lines": lines,
            "reversed_by": getattr(entry, "reversed_by", None),
            "can_reverse": can(request.user, "ledger.reverse"),
        },
    )


@capability_required("fund.view")
def trial_balance(request: HttpRequest, code: str) -> HttpResponse:
    ctx = _filters(request, get_object_or_404(Book, code=code))
    tb = selectors.trial_balance(
        book=ctx["book"], year=ctx["year"], month=ctx["month"], county=ctx["county"]
    )
    return render(
        request, "funds/trial_balance.html", {**ctx, "tb": tb, "export": "funds:trial_export"}
    )


@capability_required("fund.view")
def trial_export(request: HttpRequest, code: str) -> HttpResponseBase:
    ctx = _filters(request, get_object_or_404(Book, code=code))
    tb = selectors.trial_balance(
        book=ctx["book"], year=ctx["year"], month=ctx["month"], county=ctx["county"]
    )
    return export_response(reports.trial_table(tb, ctx["county"]), request.GET.get("format"))


@capability_required("fund.view")
def statement(request: HttpRequest, code: str) -> HttpResponse:
    ctx = _filters(request, get_object_or_404(Book, code=code))
    st = selectors.fund_statement(
        book=ctx["book"], year=ctx["year"], month=ctx["month"], county=ctx["county"]
    )
    return render(
        request,
        "funds/statement.html",
        {**ctx, "st": st, "rows": reports.statement_rows(st), "export": "funds:statement_export"},
    )


@capability_required("fund.view")
def statement_export(request: HttpRequest, code: str) -> HttpResponseBase:
    ctx = _filters(request, get_object_or_404(Book, code=code))
    st = selectors.fund_statement(
        book=ctx["book"], year=ctx["year"], month=ctx["month"], county=ctx["county"]
    )
    return export_response(reports.statement_table(st), request.GET.get("format"))


@capability_required("fund.view")
def journal(request: HttpRequest, code: str) -> HttpResponse:
    ctx = _filters(request, get_object_or_404(Book, code=code))
    lines = selectors.journal(
        book=ctx["book"], year=ctx["year"], month=ctx["month"], county=ctx["county"]
    )
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    return render(
        request, "funds/journal.html", {**ctx, "page": page, "export": "funds:journal_export"}
    )


@capability_required("fund.view")
def journal_export(request: HttpRequest, code: str) -> HttpResponseBase:
    ctx = _filters(request, get_object_or_404(Book, code=code))
    lines = selectors.journal(
        book=ctx["book"], year=ctx["year"], month=ctx["month"], county=ctx["county"]
    )
    table = reports.journal_table(lines, ctx["book"], ctx["year"], ctx["month"], ctx["county"])
    return export_response(table, request.GET.get("format"))


@require_POST
@capability_required("period.close")
def close_period(request: HttpRequest, code: str) -> HttpResponse:
    book = get_object_or_404(Book, code=code)
    try:
        year, month = int(request.POST["year"]), int(request.POST["month"])
        period = period_close(book=book, year=year, month=month, actor=acting(request))
    except (KeyError, ValueError):
        messages.error(request, _("请选择要结账的年月"))
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, _("%(period)s 已结账") % {"period": period.label})
    return redirect("funds:book", code=code)


@require_POST
@capability_required("ledger.reverse")
def reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a posted entry the only way the ledger allows: a mirror-image entry."""
    entry = selectors.entry_visible(entry_id=pk)
    if entry is None:
        raise Http404
    try:
        reversal = reverse_entry(entry=entry, actor=acting(request))
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
        return redirect("funds:entry", pk=pk)
    messages.success(request, _("已生成冲销凭证 #%(id)s") % {"id": reversal.pk})
    return redirect("funds:entry", pk=reversal.pk)

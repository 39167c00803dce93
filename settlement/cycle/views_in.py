"""Pages of the money-in steps: collection by county × book, personal accounts,
remittance, disbursement.

Each is viewable, printable (print CSS) and downloadable as CSV (BOM) or XLSX through the
one export writer; the rows come from `selectors_in` (county-scoped by the models).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from pooling.kernel.dates import parse_month
from pooling.kernel.errors import BusinessRuleError
from pooling.web.decorators import capability_required
from pooling.web.exports import MONEY, Table, export_response
from settlement.cycle.tables_in import TABLES, late_booked_table

# Shown under a step's table on its page (not in its downloads): the collection page lists
# the money it took in that came in an earlier month ("到账 2026-03，计入 2026-04 归集").
EXTRAS: dict[str, list[Callable[[date], Table]]] = {"collection": [late_booked_table]}


def _grid(table: Table, grid_id: str) -> dict[str, Any]:
    rows = list(table.rows)
    money = [i for i, c in enumerate(table.columns) if c.kind == MONEY]
    totals = {i: sum(r[i] for r in rows) for i in money}
    return {
        "id": grid_id,
        "table": table,
        "rows": rows,
        "money": money,
        "totals": [totals.get(i) for i in range(len(table.columns))],
    }


def _page(request: HttpRequest, step: str, month_text: str) -> HttpResponseBase:
    try:
        month = parse_month(month_text)
    except BusinessRuleError as exc:
        raise Http404(exc.text()) from exc
    table = TABLES[step](month)
    if request.GET.get("format") in ("csv", "xlsx"):
        return export_response(table, request.GET["format"])
    extras = [
        _grid(make(month), f"cycle-{step}-{i}") for i, make in enumerate(EXTRAS.get(step, []))
    ]
    return render(
        request,
        "settlement/cycle/in_table.html",
        {
            "table": table,
            "grid": _grid(table, f"cycle-{step}"),
            "extras": [g for g in extras if g["rows"]],
            "month": month,
            "step": step,
        },
    )


@capability_required("settlement.view")
def cycle_collection(request: HttpRequest, month: str) -> HttpResponseBase:
    return _page(request, "collection", month)


@capability_required("settlement.view")
def cycle_accounts(request: HttpRequest, month: str) -> HttpResponseBase:
    return _page(request, "accounts", month)


@capability_required("settlement.view")
def cycle_remittance(request: HttpRequest, month: str) -> HttpResponseBase:
    return _page(request, "remittance", month)


@capability_required("settlement.view")
def cycle_disbursement(request: HttpRequest, month: str) -> HttpResponseBase:
    return _page(request, "disbursement", month)

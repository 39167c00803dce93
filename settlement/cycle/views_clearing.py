"""Pages of the clearing and reconciliation steps: the clearing matrix (县际清算表) and the
month's reconciliation differences (对账差异) — each viewable, printable, CSV and XLSX.

Rows come from `settlement.cycle.clearing.statement` and `reconciling.report`, which apply
the reader's county scope: a county clerk sees what their unit paid and what was paid for
their insured, and their unit's differences.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from pooling.kernel.dates import parse_month
from pooling.kernel.errors import BusinessRuleError
from pooling.web.decorators import capability_required
from pooling.web.exports import CODE, MONEY, Column, Table, export_response, scope_name
from settlement.cycle import clearing, reconciling


def _month(text: str) -> date:
    try:
        return parse_month(text)
    except BusinessRuleError:
        raise Http404 from None


def _meta(month: date) -> list[tuple[Any, Any]]:
    return [(_("结算月份"), f"{month:%Y-%m}"), (_("范围"), scope_name())]


def clearing_table(st: clearing.Statement) -> Table:
    columns = [Column(_("账簿"), width=28), Column(_("支付单位"), width=16)]
    columns += [Column(name, MONEY, total=True) for _code, name in st.counties]
    columns += [
        Column(_("本县参保人员"), MONEY, total=True),
        Column(_("代付外县"), MONEY, total=True),
        Column(_("合计"), MONEY, total=True),
    ]
    rows = (
        [r.book_name, r.payer_name, *r.by_insured, r.own_fen, r.others_fen, r.total_fen]
        for r in st.rows
    )
    return Table(
        title=_("县际清算表"),
        columns=columns,
        rows=rows,
        meta=_meta(st.month),
        totals=_("合计"),
        name_parts=[f"{st.month:%Y-%m}"],
    )


@capability_required("settlement.view")
def cycle_clearing(request: HttpRequest, month: str) -> HttpResponseBase:
    st = clearing.statement(_month(month))
    if request.GET.get("format"):
        return export_response(clearing_table(st), request.GET.get("format"))
    return render(request, "settlement/cycle/clearing.html", {"st": st, "month": st.month})


def reconcile_table(rep: reconciling.Report) -> Table:
    columns = [
        Column(_("核对项目"), width=20),
        Column(_("单位或机构编码"), CODE),
        Column(_("名称"), width=24),
        Column(_("账簿"), width=28),
        Column(_("结算数"), MONEY),
        Column(_("记账数"), MONEY),
        Column(_("差额（记账−结算）"), MONEY),
    ]
    rows: list[list[Any]] = [
        [
            str(d.kind_label),
            d.subject,
            d.subject_name,
            d.book_name,
            d.ours_fen,
            d.posted_fen,
            d.diff_fen,
        ]
        for d in rep.differences
    ]
    rows += [[_("账簿核对"), "", d.check, "", None, None, None] for d in rep.ledger]
    return Table(
        title=_("月度对账差异"),
        columns=columns,
        rows=rows,
        meta=_meta(rep.month),
        name_parts=[f"{rep.month:%Y-%m}"],
    )


@capability_required("settlement.view")
def cycle_reconcile(request: HttpRequest, month: str) -> HttpResponseBase:
    rep = reconciling.report(_month(month))
    if request.GET.get("format"):
        return export_response(reconcile_table(rep), request.GET.get("format"))
    return render(request, "settlement/cycle/reconcile.html", {"rep": rep, "month": rep.month})


__all__ = ["cycle_clearing", "cycle_reconcile"]

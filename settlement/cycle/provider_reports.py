"""The provider statements as tables: one builder per report, so the page, the CSV and the XLSX
show the same numbers (rows in fen; the one export writer turns them into yuan)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funds.models import Book
from pooling.kernel.money import format_yuan
from pooling.web.exports import CODE, INTEGER, MONEY, Column, Table, scope_name
from settlement.models import ProviderMonthStatement


def month_label(month: date) -> str:
    return _("%(year)s年%(month)02d月") % {"year": month.year, "month": month.month}


def book_names() -> dict[str, str]:
    return dict(Book.objects.values_list("code", "name"))


# What the month carried, besides its own money: the list's carry columns, in order, and
# the field each reads (the page shows the same figures compactly, `carry_lines`), so that
# 实付金额 can be reconciled with 应付 − 扣款 − 保证金 row by row.
CARRY = (
    (gettext_lazy("上月未扣足转入"), "deductions_carried_fen"),
    (gettext_lazy("本月未扣足"), "deductions_unapplied_fen"),
    (gettext_lazy("结转以前月份挂账"), "carried_fen"),
    (gettext_lazy("本月挂账"), "kept_fen"),
    (gettext_lazy("不予返还保证金"), "deposit_forfeited_fen"),
)


def carry_cells(s: ProviderMonthStatement) -> list[Any]:
    """The carry columns of one statement: the amounts (fen), then whether some is still to carry."""
    return [*(getattr(s, field) for _label, field in CARRY), _("是") if s.carry_pending else ""]


def carry_lines(s: ProviderMonthStatement) -> list[tuple[str, int]]:
    """The carry amounts a statement has (label, fen), for the page's compact column."""
    return [(str(label), getattr(s, field)) for label, field in CARRY if getattr(s, field)]


def list_rows(statements: Iterable[ProviderMonthStatement]) -> Iterable[list[Any]]:
    for s in statements:
        yield [
            s.provider.national_code,
            s.provider.name,
            s.handling_unit.name,
            s.person_times,
            s.medfee_sumamt,
            s.hifp_pay,
            s.maternity_pay,
            s.hifmi_pay,
            s.hifob_pay,
            s.acct_pay,
            s.deductions_fen,
            s.deposit_withheld_fen,
            s.deposit_released_fen,
            s.net_payable_fen,
            *carry_cells(s),
            _("暂缓支付") if s.held else _("支付"),
            len(s.differences),
        ]


def list_table(statements: Iterable[ProviderMonthStatement], month: date) -> Table:
    money = [
        Column(h, MONEY, total=True)
        for h in (
            _("医疗费总额"),
            _("统筹基金"),
            _("生育保险基金"),
            _("大病保险"),
            _("大额补充"),
            _("个人账户"),
            _("违约扣款"),
            _("预留质量保证金"),
            _("返还质量保证金"),
            _("实付金额"),
        )
    ]
    columns = [
        Column(_("机构编码"), CODE, width=14),
        Column(_("机构名称"), width=28),
        Column(_("经办单位")),
        Column(_("结算人次"), INTEGER, total=True),
        *money,
        *[Column(str(label), MONEY, total=True) for label, _field in CARRY],
        Column(_("待结转"), width=10),
        Column(_("支付状态"), width=10),
        Column(_("对账差异"), INTEGER, total=True),
    ]
    label = month_label(month)
    return Table(
        title=_("定点机构月度结算汇总"),
        columns=columns,
        rows=list_rows(statements),
        totals=_("合计"),
        meta=[(_("结算月份"), label), (_("范围"), scope_name())],
        name_parts=[label],
    )


def book_rows(s: ProviderMonthStatement) -> list[list[Any]]:
    names = book_names()
    return [
        [
            names.get(b["book"], b["book"]),
            b["gross"],
            b["withheld"],
            b["released"],
            b.get("forfeited", 0),
            b["deduction"],
            b["net"],
            b["kept"],
            b.get("carried", 0),
        ]
        for b in s.books
    ]


def statement_table(s: ProviderMonthStatement) -> Table:
    columns = [
        Column(_("基金账簿"), width=28),
        *[
            Column(h, MONEY, total=True)
            for h in (
                _("应付金额"),
                _("预留质量保证金"),
                _("返还质量保证金"),
                _("不予返还质量保证金"),
                _("违约扣款"),
                _("实付金额"),
                _("暂缓或结转"),
                _("转入以前挂账"),
            )
        ],
    ]
    label = month_label(s.month)
    meta = [
        (_("定点机构"), f"{s.provider.name}（{s.provider.national_code}）"),
        (_("经办单位"), s.handling_unit.name),
        (_("结算月份"), label),
        (_("结算人次"), s.person_times),
        (_("支付状态"), _("暂缓支付") if s.held else _("支付")),
        *_deduction_meta(s),
        *[
            (_("%(month)s 结转") % {"month": month}, _carried_text(kept, deductions))
            for month, kept, deductions in carried_out_rows(s)
        ],
    ]
    return Table(
        title=_("定点机构月度结算单"),
        columns=columns,
        rows=book_rows(s),
        totals=_("合计"),
        meta=meta,
        name_parts=[s.provider.name, label],
    )


def _deduction_meta(s: ProviderMonthStatement) -> list[tuple[str, str]]:
    """The month's deductions, what earlier months left undeducted and what is still not taken."""
    rows = [(_("违约扣款"), format_yuan(s.deductions_fen))]
    if s.deductions_carried_fen:
        rows.append((_("上月未扣足转入"), format_yuan(s.deductions_carried_fen)))
    if s.deductions_unapplied_fen:
        rows.append((_("未扣足"), format_yuan(s.deductions_unapplied_fen)))
    return rows


def carried_out_rows(s: ProviderMonthStatement) -> list[tuple[str, int, int]]:
    """Where the month's kept amount and unapplied deductions went: (month, kept, deductions)."""
    return [
        (
            month,
            sum(int(v) for v in share.get("books", {}).values()),
            int(share.get("deductions", 0)),
        )
        for month, share in sorted(s.carried_out.items())
    ]


def _carried_text(kept: int, deductions: int) -> str:
    parts = [_("挂账 %(amount)s 元") % {"amount": format_yuan(kept)}] if kept else []
    if deductions:
        parts.append(_("违约扣款 %(amount)s 元") % {"amount": format_yuan(deductions)})
    return "；".join(parts)

"""The money-in steps' outputs as tables: one description for the page and both downloads
(the one export writer, `pooling.web.exports`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils.translation import gettext_lazy as _

from pooling.web.exports import CODE, DATE, MONEY, TEXT, Column, Table, scope_name
from settlement.cycle import selectors_in as sel

STATUS_PAID, STATUS_OVERDUE, STATUS_OPEN = _("已缴清"), _("逾期未缴"), _("本月到期未缴")


def _meta(month: date) -> list[tuple[object, object]]:
    return [(_("期间"), f"{month:%Y-%m}"), (_("范围"), scope_name())]


def _unit_columns(*, book: bool = True) -> list[Column]:
    """The columns every money-in table starts with: the unit, and (most) the book."""
    cols = [Column(_("经办单位代码"), CODE), Column(_("经办单位"), TEXT)]
    return cols + [Column(_("基金账簿"), TEXT, width=30)] if book else cols


def _month_table(
    month: date, title: object, rows: list[list[object]], columns: list[Column]
) -> Table:
    return Table(
        title=title,
        meta=_meta(month),
        name_parts=[f"{month:%Y-%m}"],
        totals=_("合计"),
        rows=rows,
        columns=columns,
    )


def collection_table(month: date) -> Table:
    rows = [
        [
            r.county,
            r.county_name,
            r.book_name,
            r.amounts["income"],
            r.amounts["suspense"],
            r.amounts["to_special"],
        ]
        for r in sel.collection_rows(month=month)
    ]
    return _month_table(
        month,
        _("月度归集"),
        rows,
        [
            *_unit_columns(),
            Column(_("保险费收入"), MONEY, total=True),
            Column(_("暂收款增减"), MONEY, total=True),
            Column(_("划入市级财政专户"), MONEY, total=True),
        ],
    )


def late_booked_table(month: date) -> Table:
    """The money in the collection table that came in before the month (recorded late)."""
    rows = [
        [r.county, r.county_name, r.payer, r.ref, r.day, r.amount_fen, r.note]
        for r in sel.late_booked_rows(month=month)
    ]
    return _month_table(
        month,
        _("其中早月到账、本月计入归集"),
        rows,
        [
            *_unit_columns(book=False),
            Column(_("缴费单位或个人"), TEXT, width=30),
            Column(_("税务到账流水号"), CODE),
            Column(_("到账日期"), DATE),
            Column(_("金额"), MONEY, total=True),
            Column(_("说明"), TEXT, width=30),
        ],
    )


def _status(r: sel.InstalmentRow) -> object:
    if r.open_fen <= 0:
        return STATUS_PAID
    return STATUS_OVERDUE if r.overdue else STATUS_OPEN


def remittance_table(month: date) -> Table:
    rows = [
        [
            r.county,
            r.county_name,
            r.book_name,
            r.rule_name,
            str(r.seq),
            r.due_date,
            r.amount_fen,
            r.paid_fen,
            r.open_fen,
            _status(r),
        ]
        for r in sel.instalments_of(month=month)
    ]
    return _month_table(
        month,
        _("统筹前结余上解"),
        rows,
        [
            *_unit_columns(),
            Column(_("上解规则"), TEXT, width=40),
            Column(_("期次"), TEXT),
            Column(_("到期日"), DATE),
            Column(_("应缴"), MONEY, total=True),
            Column(_("已缴"), MONEY, total=True),
            Column(_("未缴"), MONEY, total=True),
            Column(_("状态"), TEXT),
        ],
    )


def disbursement_table(month: date) -> Table:
    rows = [
        [
            r.county,
            r.county_name,
            r.book_name,
            r.planned_fen,
            _("已审批") if r.approved else _("未审批"),
            r.disbursed_fen,
        ]
        for r in sel.disbursement_rows(month=month)
    ]
    return _month_table(
        month,
        _("基金拨付"),
        rows,
        [
            *_unit_columns(),
            Column(_("计划支出"), MONEY, total=True),
            Column(_("计划审批"), TEXT),
            Column(_("已拨付至县级支出户"), MONEY, total=True),
        ],
    )


def accounts_table(month: date) -> Table:
    rows = [
        [
            r.county,
            r.county_name,
            r.in_service_fen,
            r.retiree_fen,
            r.paid_fen,
            r.control_fen,
            r.unswept_fen,
            r.people_fen,
            r.difference_fen,
        ]
        for r in sel.accounts_rows(month=month)
    ]
    return _month_table(
        month,
        _("个人账户划入"),
        rows,
        [
            *_unit_columns(book=False),
            Column(_("在职人员划入"), MONEY, total=True),
            Column(_("退休人员划入"), MONEY, total=True),
            Column(_("本月个人账户支付"), MONEY, total=True),
            Column(_("控制账户余额（当前）"), MONEY, total=True),
            Column(_("未汇总入账记账（当前）"), MONEY, total=True),
            Column(_("个人账户余额合计（当前）"), MONEY, total=True),
            Column(_("差额（应为零）"), MONEY, total=True),
        ],
    )


TABLES: dict[str, Callable[[date], Table]] = {
    "collection": collection_table,
    "accounts": accounts_table,
    "remittance": remittance_table,
    "disbursement": disbursement_table,
}

"""Finance's tables, one builder per report, so the page, the CSV and the XLSX always show
the same numbers. Rows carry integer fen; the one writer (`pooling.web.exports`) turns
them into yuan. What finance reads stays in; internal keys (idempotency keys, the
posting module, region codes where a name will do) stay out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funds.models import Book, Line
from funds.selectors import ExecutionRow, FundStatement, TrialBalance
from funds.services.gapshare import GapCover
from funds.services.yearend import FundResult
from pooling.kernel.money import format_yuan
from pooling.models import Region
from pooling.web.exports import CODE, DATE, MONEY, PERCENT, Column, Table, scope_name

TRIAL = gettext_lazy("科目余额表")
STATEMENT = gettext_lazy("基金收支表")
JOURNAL = gettext_lazy("序时账")
EXECUTION = gettext_lazy("预算执行情况表")
BUDGETS = gettext_lazy("基金预算汇总表")
YEAR_END = gettext_lazy("年终决算表")


def unit_name(county: str | None) -> str:
    """The name finance reads for a handling unit's code; without one, the reader's scope."""
    if not county:
        return scope_name()
    return Region.objects.filter(code=county).values_list("name", flat=True).first() or county


def period_label(year: int, month: int | None = None) -> str:
    if month is None:
        return _("%(year)s年度") % {"year": year}
    return _("%(year)s年%(month)02d月") % {"year": year, "month": month}


def _ledger_table(
    title: Any,
    book: Book,
    year: int,
    month: int,
    county: str | None,
    columns: Sequence[Column],
    rows: Any,
    totals: Any = None,
) -> Table:
    unit, period = unit_name(county), period_label(year, month)
    return Table(
        title=title,
        columns=columns,
        rows=rows,
        totals=totals,
        meta=[(_("账簿"), book.name), (_("核算单位"), unit), (_("期间"), period)],
        name_parts=[book.name, period, unit],
    )


def trial_rows(tb: TrialBalance) -> list[list[Any]]:
    return [
        [
            r.account.code,
            r.account.name,
            r.account.county.name,
            r.opening_debit,
            r.opening_credit,
            r.debit_fen,
            r.credit_fen,
            r.closing_debit,
            r.closing_credit,
        ]
        for r in tb.rows
    ]


def trial_table(tb: TrialBalance, county: str | None) -> Table:
    money = [
        Column(h, MONEY, total=True)
        for h in (
            _("期初借方"),
            _("期初贷方"),
            _("本期借方"),
            _("本期贷方"),
            _("期末借方"),
            _("期末贷方"),
        )
    ]
    columns = [
        Column(_("科目代码"), CODE, width=14),
        Column(_("科目名称"), width=28),
        Column(_("所属单位"), width=16),
        *money,
    ]
    return _ledger_table(
        TRIAL, tb.book, tb.year, tb.month, county, columns, trial_rows(tb), _("合计")
    )


def statement_rows(st: FundStatement) -> list[list[Any]]:
    """项目, 本月, 本年累计: opening + result = closing down both columns."""
    rows: list[list[Any]] = [
        [_("期初基金结余"), st.opening_fen, st.opening_year_fen],
        [_("一、基金收入"), None, None],
    ]
    rows += [[f"  {i.label}", i.month_fen, i.year_fen] for i in st.income]
    rows.append([f"  {_('收入合计')}", st.income_month_fen, st.income_year_fen])
    rows.append([_("二、基金支出"), None, None])
    rows += [[f"  {i.label}", i.month_fen, i.year_fen] for i in st.expense]
    rows.append([f"  {_('支出合计')}", st.expense_month_fen, st.expense_year_fen])
    rows.append([_("三、本期收支结余"), st.surplus_month_fen, st.surplus_year_fen])
    rows.append([_("四、期末基金结余"), st.closing_fen, st.opening_year_fen + st.surplus_year_fen])
    rows.append([_("五、资金存放（期末余额）"), None, None])
    rows += [[f"  {label}", fen, fen] for label, fen in st.cash]
    return rows


def statement_table(st: FundStatement) -> Table:
    columns = [
        Column(_("项目"), width=30),
        Column(_("本月"), MONEY, width=18),
        Column(_("本年累计"), MONEY, width=18),
    ]
    return _ledger_table(
        STATEMENT, st.book, st.year, st.month, st.county, columns, statement_rows(st)
    )


def journal_rows(lines: QuerySet[Line]) -> Iterator[list[Any]]:
    for line in lines.iterator(chunk_size=2000):
        e = line.entry
        yield [
            e.pk,
            e.entry_date,
            e.memo,
            line.account.code,
            line.account.name,
            line.county.name,
            line.debit_fen or None,
            line.credit_fen or None,
            e.reverses_id,
        ]


def journal_table(
    lines: QuerySet[Line], book: Book, year: int, month: int, county: str | None
) -> Table:
    # Entry numbers are numbers (Excel sorts them) without thousands separators: TEXT keeps that.
    columns = [
        Column(_("凭证号"), width=10),
        Column(_("记账日期"), DATE),
        Column(_("摘要"), width=30),
        Column(_("科目代码"), CODE, width=14),
        Column(_("科目名称"), width=24),
        Column(_("核算单位"), width=14),
        Column(_("借方"), MONEY, total=True),
        Column(_("贷方"), MONEY, total=True),
        Column(_("冲销凭证号"), width=10),
    ]
    return _ledger_table(
        JOURNAL,
        book,
        year,
        month,
        county,
        columns,
        journal_rows(lines.select_related("county")),
        _("合计"),
    )


def execution_table(
    *, title: Any, book: Book, year: int, county: str | None, rows: list[ExecutionRow]
) -> Table:
    columns = [
        Column(_("项目"), width=28),
        Column(_("预算数"), MONEY),
        Column(_("本年实际"), MONEY),
        Column(_("执行率"), PERCENT),
    ]
    return Table(
        title=title,
        columns=columns,
        rows=[[r.label, r.budget_fen, r.actual_fen, r.rate] for r in rows],
        meta=[(_("账簿"), book.name), (_("编制单位"), unit_name(county)), (_("预算年度"), year)],
        name_parts=[book.name, unit_name(county), period_label(year)],
    )


def budgets_table(
    *, year: int, budgets: Sequence[Any], totals: dict[int, tuple[int, int]]
) -> Table:
    """Every budget of a year in the reader's scope, with its income and spending."""
    columns = [
        Column(_("账簿"), width=28),
        Column(_("编制单位"), width=14),
        Column(_("状态")),
        Column(_("收入合计"), MONEY, total=True),
        Column(_("支出合计"), MONEY, total=True),
        Column(_("批复时间"), DATE),
    ]
    rows = [
        [b.book.name, b.county.name, b.get_status_display(), *totals[b.pk], b.issued_at]
        for b in budgets
    ]
    return Table(
        title=BUDGETS,
        columns=columns,
        rows=rows,
        totals=_("合计"),
        meta=[(_("预算年度"), year)],
        name_parts=[period_label(year)],
    )


def year_end_table(result: FundResult, cover: GapCover | None = None) -> Table:
    """Each county against its budget; the whole fund's cover by the city's rule (if given)."""
    columns = [
        Column(_("单位"), width=16),
        Column(_("预算收入"), MONEY, total=True),
        Column(_("实际收入"), MONEY, total=True),
        Column(_("收入短收"), MONEY, total=True),
        Column(_("预算支出"), MONEY, total=True),
        Column(_("实际支出"), MONEY, total=True),
        Column(_("当年结余"), MONEY, total=True),
    ]
    rows = [
        [
            c.name,
            c.budget_income_fen,
            c.income_fen,
            c.income_shortfall_fen,
            c.budget_expense_fen,
            c.expense_fen,
            c.result_fen,
        ]
        for c in result.counties
    ]
    covered = [
        (_("基金缺口"), result.gap_fen),
        *(
            cover.rows
            if cover
            else [
                (_("以累计结余弥补"), result.from_surplus_fen),
                (_("动用风险准备金"), result.from_reserve_fen),
            ]
        ),
        (_("仍未弥补"), cover.uncovered_fen if cover else result.uncovered_fen),
    ]
    return Table(
        title=YEAR_END,
        columns=columns,
        rows=rows,
        totals=_("合计"),
        meta=[
            (_("账簿"), result.book.name),
            (_("年度"), result.year),
            *[(label, format_yuan(fen)) for label, fen in covered],
        ],
        name_parts=[result.book.name, period_label(result.year)],
    )

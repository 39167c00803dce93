"""Tables for pages and exports: one builder per report, so the CSV, the XLSX and the
page always show the same numbers. Money goes out as exact yuan Decimals."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from funds.models import Line
from funds.selectors import FundStatement, TrialBalance
from pooling.kernel.money import fen_to_yuan

TRIAL_HEADER = ["科目代码", "科目名称", "所属单位", "期初借方", "期初贷方", "本期借方", "本期贷方",
                "期末借方", "期末贷方"]
STATEMENT_HEADER = ["项目", "本月（元）", "本年累计（元）"]
JOURNAL_HEADER = ["凭证号", "记账日期", "会计期间", "幂等键", "摘要", "科目代码", "科目名称", "核算单位",
                  "借方（元）", "贷方（元）", "冲销凭证号", "来源"]


def y(fen: int) -> Decimal:
    return fen_to_yuan(fen)


def trial_rows(tb: TrialBalance) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [r.account.code, r.account.name, r.account.county_id, y(r.opening_debit), y(r.opening_credit),
         y(r.debit_fen), y(r.credit_fen), y(r.closing_debit), y(r.closing_credit)]
        for r in tb.rows
    ]
    rows.append(["合计", "", "", y(tb.total("opening_debit")), y(tb.total("opening_credit")),
                 y(tb.total("debit_fen")), y(tb.total("credit_fen")),
                 y(tb.total("closing_debit")), y(tb.total("closing_credit"))])
    return rows


def statement_rows(st: FundStatement) -> list[list[Any]]:
    rows: list[list[Any]] = [["期初基金结余", "", y(st.opening_fen)], ["一、基金收入", "", ""]]
    rows += [[f"  {i.label}", y(i.month_fen), y(i.year_fen)] for i in st.income]
    rows.append(["  收入合计", y(st.income_month_fen), y(st.income_year_fen)])
    rows.append(["二、基金支出", "", ""])
    rows += [[f"  {i.label}", y(i.month_fen), y(i.year_fen)] for i in st.expense]
    rows.append(["  支出合计", y(st.expense_month_fen), y(st.expense_year_fen)])
    rows.append(["三、本期收支结余", y(st.surplus_month_fen), y(st.income_year_fen - st.expense_year_fen)])
    rows.append(["四、期末基金结余", y(st.closing_fen), ""])
    rows.append(["五、资金存放（期末余额）", "", ""])
    rows += [[f"  {label}", y(fen), ""] for label, fen in st.cash]
    return rows


def journal_rows(lines: QuerySet[Line]) -> Iterator[list[Any]]:
    for line in lines.iterator(chunk_size=2000):
        e = line.entry
        yield [e.pk, e.entry_date.isoformat(), e.period.label, e.key, e.memo, line.account.code,
               line.account.name, line.county_id, y(line.debit_fen) if line.amount_fen > 0 else "",
               y(line.credit_fen) if line.amount_fen < 0 else "", e.reverses_id or "", e.source]

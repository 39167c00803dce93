"""Step: 零星报销与生育津贴支付 — what the handling units paid insured people (and, for maternity
allowances, their employers) directly reaches the books.

Each handling unit × book: Dr the benefit expense of each insured person's county (by care)
/ Cr the unit's expenditure account (the city's own agency: the city expenditure account),
key `reimburse:<YYYY-MM>:<unit>:<book>`. One "city" shard: a month has few such claims.
Allowances are the maternity book's 生育津贴支出 of the insured person's county.
The inter-county clearing that follows counts them like any settlement.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from funds.chart import account_code, expenditure_category
from funds.services import LineSpec
from settlement.cycle.base import Desired, ShardContext, StepDef, post_desired
from settlement.cycle.reimbursements import month_reimbursements

NAME = "reimbursements"


def plan(month: date) -> list[str]:
    return ["city"]


def key_prefix(month: date) -> str:
    return f"reimburse:{month:%Y-%m}:"


def work(ctx: ShardContext) -> dict[str, int]:
    area = settings.POOLING_AREA_CODE
    desired = []
    paid = 0
    for (unit, book), expense in sorted(month_reimbursements(ctx.month).items()):
        total = sum(expense.values())
        lines = [
            LineSpec(account_code(category, county), amount, county)
            for (category, county), amount in sorted(expense.items())
            if amount
        ]
        lines.append(LineSpec(account_code(expenditure_category(unit, area), unit), -total, unit))
        desired.append(
            Desired(
                book,
                f"{key_prefix(ctx.month)}{unit}:{book}",
                f"{ctx.month_label} 零星报销与生育津贴支付（{unit}）",
                lines,
            )
        )
        paid += total
    posted = post_desired(ctx, desired, scope=key_prefix(ctx.month))
    return {"entries": posted.entries, "paid_fen": paid}


STEP = StepDef(NAME, _("零星报销与生育津贴支付"), plan, work)

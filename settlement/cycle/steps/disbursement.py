"""Step: 基金拨付 — the approved monthly plans paid out to the counties' expenditure accounts.

One "city" shard: every county's plan of the month and book, per plan one entry
    Dr 市级支出户 / Cr 市级财政专户        the city draws the planned amount
    Dr 县级支出户 / Cr 市级支出户          and passes it to the county's account
all accounted to the county. All of it or none: every plan of the month must be approved
first (a plan not approved stops the step with a message naming county, book and month,
before anything is written), and the ledger refuses to overdraw the special account —
either refusal rolls back the shard, so there is never a partial transfer. A county
without a plan for a book gets nothing for it (listed on the page as no plan).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from funds.chart import Category as C
from funds.chart import account_code
from funds.models import MonthlyPlan
from funds.services import cr, dr
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import unrestricted
from settlement.cycle.base import Desired, ShardContext, StepDef, post_desired

NAME = "disbursement"
NOT_APPROVED = _(
    "%(county)s %(book)s %(month)s 的月度用款计划尚未审批，本月拨付未执行（未划转任何资金）；"
    "请市级审批该计划后重新运行本步骤"
)


def plan(month: date) -> list[str]:
    return ["city"]


def key_prefix(month: date) -> str:
    return f"{NAME}:{month:%Y-%m}:"


def _city(category: str) -> str:
    return account_code(category, settings.POOLING_AREA_CODE)


def work(ctx: ShardContext) -> dict[str, int]:
    with unrestricted():
        plans = list(
            MonthlyPlan.objects.filter(year=ctx.month.year, month=ctx.month.month)
            .select_related("county", "book")
            .order_by("county_id", "book__sort_order")
        )
    for p in plans:
        if p.approved_at is None:
            raise BusinessRuleError(
                NOT_APPROVED,
                code="plan_not_approved",
                params={"county": p.county.name, "book": p.book.name, "month": ctx.month_label},
            )
    desired = []
    for p in plans:
        county, amount = p.county_id, p.planned_expense_fen
        lines = [
            dr(_city(C.CITY_EXPENDITURE), amount, county),
            cr(_city(C.FISCAL_SPECIAL), amount, county),
        ]
        if county != settings.POOLING_AREA_CODE:  # the city's own agency pays from the city account
            lines += [
                dr(account_code(C.COUNTY_EXPENDITURE, county), amount, county),
                cr(_city(C.CITY_EXPENDITURE), amount, county),
            ]
        desired.append(
            Desired(
                p.book.code,
                f"{key_prefix(ctx.month)}{county}:{p.book.code}",
                f"{ctx.month_label} 基金拨付 {p.county.name}",
                lines,
            )
        )
    posted = post_desired(ctx, desired, scope=key_prefix(ctx.month))
    return {
        "plans": len(plans),
        "entries": posted.entries,
        "disbursed_fen": sum(p.planned_expense_fen for p in plans),
    }


STEP = StepDef(NAME, _("基金拨付"), plan, work)

"""Step: 归集 — each county's collections of the month into the city's fiscal special account.

Per county (one shard each) and book, one entry with both pairs, readable as the flow:
    Dr 国库过渡户 / Cr 保险费收入          the county's income arrives in the transit account
    Dr 市级财政专户 / Cr 国库过渡户        and moves on to the city's special account
Employee collections land in the employee scheme's transit account (the pooled book) and
are split there (`collected.county_month`, `split.split_payment`): the pooled part stays,
the maternity part is handed to the maternity book, where it is income; money not
matched to a declaration stays in transit against the county's suspense account (暂收款)
until matched, then moves out of it. The personal-account part is handed to the personal
book and moved to its special account without income: it is the people's money, and the
accounts step credits it to them (its sweep posts Dr 国库过渡户 / Cr 个人账户余额, which
closes that book's transit account once every declaration is paid and allocated).

"The month's collections" are those booked in it (`booked_month`, `settlement.cycle.booking`):
money recorded after this step ran for the county is booked in the next month the step has
not run, so the shard takes the county's booking lock before it reads — a clerk recording
meanwhile either commits before it reads (taken in now) or waits for its commit, which marks
the shard done (booked in the next month). Either way in the books exactly once.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from funds.chart import PERSONAL_BOOK, POOLED_BOOK, account_code
from funds.chart import Category as C
from funds.services import LineSpec, cr, dr
from pooling.kernel.regions import handling_units
from settlement.cycle.base import Desired, ShardContext, StepDef, post_desired
from settlement.cycle.booking import COLLECTION_STEP, county_lock
from settlement.cycle.collected import MATERNITY_BOOK, RESIDENT_BOOK, Collected, county_month

NAME = COLLECTION_STEP


def key_prefix(month: date, county: str) -> str:
    return f"{NAME}:{month:%Y-%m}:{county}:"


def plan(month: date) -> list[str]:
    return sorted(handling_units().values_list("code", flat=True))


def _city(category: str) -> str:
    return account_code(category, settings.POOLING_AREA_CODE)


def _forward(amount: int, county: str) -> list[LineSpec]:
    """Transit → the city's special account, accounted to the county."""
    return [
        dr(_city(C.FISCAL_SPECIAL), amount, county),
        cr(_city(C.TREASURY_TRANSIT), amount, county),
    ]


def desired(month: date, c: Collected) -> list[Desired]:
    county, label = c.county, f"{month:%Y-%m}"
    income = account_code(C.INCOME_PREMIUM, county)
    pooled, personal, maternity = (
        c.income.get(b, 0) for b in (POOLED_BOOK, PERSONAL_BOOK, MATERNITY_BOOK)
    )
    suspense = c.to_suspense - c.from_suspense
    out = [
        Desired(
            POOLED_BOOK,
            key_prefix(month, county) + POOLED_BOOK,
            f"{label} 职工医保征缴归集 {county}",
            [
                dr(_city(C.TREASURY_TRANSIT), c.cash_in, county),
                cr(income, pooled, county),
                cr(account_code(C.SUSPENSE, county), suspense, county),
                *_forward(pooled, county),
                # Handed to the books they belong to (their entries take them in).
                cr(_city(C.TREASURY_TRANSIT), personal + maternity, county),
            ],
        )
    ]
    out.append(
        Desired(
            MATERNITY_BOOK,
            key_prefix(month, county) + MATERNITY_BOOK,
            f"{label} 生育保险征缴归集 {county}",
            [
                dr(_city(C.TREASURY_TRANSIT), maternity, county),
                cr(income, maternity, county),
                *_forward(maternity, county),
            ],
        )
    )
    out.append(
        Desired(
            PERSONAL_BOOK,
            key_prefix(month, county) + PERSONAL_BOOK,
            f"{label} 个人账户资金归集 {county}",
            _forward(personal, county),
        )
    )
    resident = c.income.get(RESIDENT_BOOK, 0)
    out.append(
        Desired(
            RESIDENT_BOOK,
            key_prefix(month, county) + RESIDENT_BOOK,
            f"{label} 居民医保个人缴费归集 {county}",
            [
                dr(_city(C.TREASURY_TRANSIT), resident, county),
                cr(income, resident, county),
                *_forward(resident, county),
            ],
        )
    )
    return out


def work(ctx: ShardContext) -> dict[str, int]:
    county_lock(ctx.shard)  # held to the shard's "done" commit: no recording runs past it
    collected = county_month(ctx.shard, ctx.month)
    posted = post_desired(
        ctx, desired(ctx.month, collected), scope=key_prefix(ctx.month, ctx.shard)
    )
    return {
        "collections": collected.collections,
        "unmatched": collected.unmatched,
        "entries": posted.entries,
        "amount_fen": posted.amount_fen,
    }


STEP = StepDef(NAME, _("归集"), plan, work)

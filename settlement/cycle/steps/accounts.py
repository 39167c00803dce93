"""Step: 个人账户划入 — the month's personal-account allocations, then the sub-ledger swept.

Per county (one shard each), reusing the two services that already do this outside the
cycle (no second allocation rule):
1. `accounts_allocate_month` (on PostgreSQL its set-wise twin
   `accounts_allocate_county_setwise`: the same postings in a handful of statements,
   so a county of 50,000 takes well under a second; SQLite keeps the Python path): in-service people whose declaration of the month is paid
   get its account share; retirees still covered get the policy's fixed monthly amount.
   Keyed `alloc:<id number>:<month>`, so a second call writes nothing.
2. `account_postings_sweep_totals` (the sweep, with each batch's count and total, so the
   matched rows are not read again for the step's counts): every unmatched posting of the
   county and month (these allocations, and the month's payments at providers) into the
   books — allocations against the personal book's transit account (the collection step
   moved that money on to the special account), retirees' amounts as one entry in each book
   with a shared key (`<batch>:pooled`), payments against the provider payable. After it
   the county's control account equals the sum of its people's balances for the month's
   postings.

Late money: a declaration of an earlier month paid in full by a collection booked in
this month (`booked_month`: received this month, or received earlier but recorded after
that month's collection step ran — `settlement.cycle.booking`) is allocated now (its
month's allocation, keyed as ever), and postings of
earlier months still unmatched (such allocations, a late payment) are swept now, dated
in this month — so nothing waits for an adjustment run, and nothing is booked twice
(an adjustment of that month later finds them allocated and matched). A collection recorded
between this month's collection step and this step is booked in the next month but may
complete a declaration of this month, which is then allocated now: the personal book's
transit account carries the amount until the next month's collection step moves it on.

In an adjustment run the sweep finds only what was written since (a late paid
declaration's allocation) and books it dated in the open month: only the difference.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils.translation import gettext_lazy as _

from enrollment.models import AccountPosting, Collection, DeclarationStatus
from enrollment.services.accounts import accounts_allocate_month
from enrollment.services.accounts_setwise import accounts_allocate_county_setwise
from enrollment.services.sweep import account_postings_sweep_totals
from pooling.kernel.regions import handling_units
from pooling.kernel.scoping import unrestricted
from settlement.cycle.base import ShardContext, StepDef
from settlement.cycle.booking import booked_in

NAME = "accounts"


def plan(month: date) -> list[str]:
    return sorted(handling_units().values_list("code", flat=True))


def _late_months(county: str, month: date) -> list[date]:
    """Earlier contribution months of the county completed by a payment booked this month."""
    with unrestricted():
        return sorted(
            set(
                Collection.objects.filter(
                    booked_in(month),
                    county_id=county,
                    month__lt=month,
                    declaration__status=DeclarationStatus.PAID,
                ).values_list("month", flat=True)
            )
        )


def _unswept_months(county: str, month: date) -> list[date]:
    with unrestricted():
        return sorted(
            set(
                AccountPosting.objects.filter(
                    batch__isnull=True, county_id=county, month__lt=month
                ).values_list("month", flat=True)
            )
        )


def work(ctx: ShardContext) -> dict[str, int]:
    allocate = (
        accounts_allocate_county_setwise
        if connection.vendor == "postgresql"
        else accounts_allocate_month
    )
    allocated = 0
    for month in [*_late_months(ctx.shard, ctx.month), ctx.month]:
        allocated += allocate(month=month, actor=ctx.actor, county_code=ctx.shard)
    swept = []
    for month in [*_unswept_months(ctx.shard, ctx.month), ctx.month]:
        swept += account_postings_sweep_totals(
            county_code=ctx.shard, month=month, actor=ctx.actor, entry_date=ctx.entry_date
        )
    total = sum(s.total_fen for s in swept)
    return {"allocated": allocated, "batches": len(swept), "swept_fen": total}


STEP = StepDef(NAME, _("个人账户划入"), plan, work)

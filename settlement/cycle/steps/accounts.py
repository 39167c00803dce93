"""Step: 个人账户划入 — the month's personal-account allocations, then the sub-ledger swept.

Per county (one shard each), reusing the two services that already do this outside the
cycle (no second allocation rule):
1. `accounts_allocate_month`: in-service people whose declaration of the month is paid
   get its account share; retirees still covered get the policy's fixed monthly amount.
   Keyed `alloc:<id number>:<month>`, so a second call writes nothing.
2. `account_postings_sweep`: every unmatched posting of the county and month (these
   allocations, and the month's payments at providers) into the books — allocations
   against the personal book's transit account (the collection step moved that money on
   to the special account), retirees' amounts as one entry in each book with a shared
   key (`<batch>:pooled`), payments against the provider payable. After it the county's
   control account equals the sum of its people's balances for the month's postings.

In an adjustment run the sweep finds only what was written since (a late paid
declaration's allocation) and books it dated in the open month: only the difference.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from enrollment.models import AccountPosting
from enrollment.services.accounts import accounts_allocate_month
from enrollment.services.sweep import account_postings_sweep
from pooling.kernel.regions import handling_units
from settlement.cycle.base import ShardContext, StepDef

NAME = "accounts"


def plan(month: date) -> list[str]:
    return sorted(handling_units().values_list("code", flat=True))


def work(ctx: ShardContext) -> dict[str, int]:
    allocated = accounts_allocate_month(month=ctx.month, actor=ctx.actor, county_code=ctx.shard)
    batches = account_postings_sweep(county_code=ctx.shard, month=ctx.month, actor=ctx.actor,
                                     entry_date=ctx.entry_date)
    swept = AccountPosting.objects.filter(batch__in=batches).aggregate(s=Sum("amount_fen"))["s"] or 0
    return {"allocated": allocated, "batches": len(batches), "swept_fen": int(swept)}


STEP = StepDef(NAME, _("个人账户划入"), plan, work)

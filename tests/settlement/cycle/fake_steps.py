"""Test-only steps that move real money through `post_desired`, for testing the runner
before (and independently of) the real steps. `POOLING_CYCLE_STEPS` points here.

- gather (per county): what the county's source entries (`src:<month>:<county>:…`, income
  into the treasury transit account) brought in moves to the fiscal special account;
- spread (one city shard, after gather): half of each county's gathered amount (floor)
  goes down to the county's expenditure account.
"""

from __future__ import annotations

import os
import time
from datetime import date

from django.conf import settings
from django.db.models import Sum

from funds.chart import Category as C
from funds.models import Book, Line
from funds.services import cr, dr
from funds.services.setup import account_for
from pooling.kernel.choices import RegionLevel
from pooling.kernel.errors import BusinessRuleError
from pooling.models import Region
from settlement.cycle.base import Desired, ShardContext, StepDef, post_desired

BOOK = "resident"
BREAK: set[str] = set()  # shard keys whose work fails (tests of failure and resume)


def counties() -> list[str]:
    return list(
        Region.objects.filter(
            parent__code=settings.POOLING_AREA_CODE, level=RegionLevel.COUNTY, is_active=True
        )
        .order_by("code")
        .values_list("code", flat=True)
    )


def gathered(month: date, county: str) -> int:
    total = Line.objects.filter(
        entry__key__startswith=f"src:{month:%Y-%m}:{county}:", account__category=C.TREASURY_TRANSIT
    ).aggregate(s=Sum("amount_fen"))["s"]
    return int(total or 0)


def gather_work(ctx: ShardContext) -> dict[str, int]:
    if ctx.shard in BREAK:
        raise BusinessRuleError("测试：%(county)s 的数据有误", params={"county": ctx.shard})
    time.sleep(float(os.environ.get("FAKE_STEP_SLEEP", "0")))  # the fault tests stop redis mid-run
    book = Book.objects.get(code=BOOK)
    amount = gathered(ctx.month, ctx.shard)
    key = f"gather:{ctx.month_label}:{ctx.shard}:{BOOK}"
    posted = post_desired(
        ctx,
        [
            Desired(
                BOOK,
                key,
                f"归集 {ctx.shard}",
                [
                    dr(
                        account_for(book=book, category=C.FISCAL_SPECIAL, county_code=ctx.shard),
                        amount,
                        ctx.shard,
                    ),
                    cr(
                        account_for(book=book, category=C.TREASURY_TRANSIT, county_code=ctx.shard),
                        amount,
                        ctx.shard,
                    ),
                ],
            )
        ],
        scope=f"gather:{ctx.month_label}:{ctx.shard}:",
    )
    return {"entries": posted.entries, "fen": posted.amount_fen}


def spread_work(ctx: ShardContext) -> dict[str, int]:
    book = Book.objects.get(code=BOOK)
    fiscal = account_for(
        book=book, category=C.FISCAL_SPECIAL, county_code=settings.POOLING_AREA_CODE
    )
    lines = []
    for county in counties():
        half = gathered(ctx.month, county) // 2
        lines += [
            dr(account_for(book=book, category=C.COUNTY_EXPENDITURE, county_code=county), half),
            cr(fiscal, half, county),
        ]
    posted = post_desired(
        ctx,
        [Desired(BOOK, f"spread:{ctx.month_label}:city:{BOOK}", "拨付", lines)],
        scope=f"spread:{ctx.month_label}:",
    )
    return {"entries": posted.entries, "fen": posted.amount_fen}


STEPS = [
    StepDef("gather", "归集（测试）", lambda month: counties(), gather_work),
    StepDef("spread", "拨付（测试）", lambda month: ["city"], spread_work),
]

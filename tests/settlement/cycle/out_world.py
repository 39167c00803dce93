"""A small month for the provider step (October 2026), every figure computed by hand.

Providers: P1 hospital of 亭湖区 A (320902) in performance, assessed for 2025 at 85 points
(band ≥ 80 releases 80 %; 100.00 yuan withheld in 2025 from its pooled payments); P2 of 盐都区 B
(320903) in performance; P3 of A, suspended from 2026-10-10 (so held at month end).
The demo policy withholds 5 %. Settlements (fen):

  #  provider insured book              med  medfee   fund   critical  account
  1  P1       A       employee_pooled   21   100000   60000         0     5000
  2  P1       B       resident          11    20000   10000      3000        0
  3  P1       A       employee_pooled   11     8000    4000         0     1000
  4  P2       A       maternity         52    50000   30000         0        0
  5  P3       A       employee_pooled   11    10000    7000         0        0

P1 has a violation of the month: deduct 20.00 + recover 5.00 = 25.00 yuan.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from funds.chart import Category as C
from funds.models import Account, Book
from funds.services import LineSpec, post_entry
from funds.services.setup import books_ensure
from pooling.kernel.audit import system_job
from pooling.kernel.permissions import CYCLE_JOB
from pooling.models import Region
from providers.choices import State, ViolationKind
from providers.models import (
    AssessmentResult,
    AssessmentTemplate,
    DepositReleaseBand,
    Provider,
    ProviderEvent,
    Violation,
)
from settlement.cycle.base import ShardContext
from settlement.cycle.steps import providers as step
from settlement.models import ProviderMonthStatement, Settlement
from tests.actors import SETUP
from tests.enrollment import factories as ef
from tests.providers.factories import make_provider
from tests.settlement.hsa_client import put_in_performance

MONTH = date(2026, 10, 1)
MONTH_END = date(2026, 10, 31)
NEXT_DAY = date(2026, 11, 15)
A, B, CITY = "320902", "320903", "320900"
WHEN = timezone.make_aware(datetime(2026, 10, 12, 9, 0))
FUNDED = 1_000_000  # each county's expenditure account, every book
_seq = itertools.count(1)


def build(regions: dict[str, Region]) -> dict[str, Provider]:
    books_ensure(area_code=CITY)
    p1 = put_in_performance(make_provider(regions[A], "一"))
    p2 = put_in_performance(make_provider(regions[B], "二"))
    p3 = put_in_performance(make_provider(regions[A], "三"))
    ProviderEvent.objects.create(
        provider=p3,
        action="suspend",
        from_state=State.PERFORMING,
        to_state=State.SUSPENDED,
        effective_on=date(2026, 10, 10),
        reason="暂停",
    )
    settle(p1, regions[A], "employee_pooled", "21", 100000, 60000, account=5000)
    settle(p1, regions[B], "resident", "11", 20000, 10000, critical=3000)
    settle(p1, regions[A], "employee_pooled", "11", 8000, 4000, account=1000)
    settle(p2, regions[A], "maternity", "52", 50000, 30000)
    settle(p3, regions[A], "employee_pooled", "11", 10000, 7000)
    Violation.objects.create(
        provider=p1,
        kind=ViolationKind.OVERCHARGE,
        found_on=date(2026, 9, 20),
        finding="超标准收费",
        recover_fen=500,
        deduct_fen=2000,
        deduction_month=MONTH,
    )
    template = AssessmentTemplate.objects.create(name="考核", from_year=2020)
    for floor, ratio in (("90", "1"), ("80", "0.8"), ("0", "0.5")):
        DepositReleaseBand.objects.create(
            template=template, min_score=Decimal(floor), release_ratio=Decimal(ratio)
        )
    AssessmentResult.objects.create(
        provider=p1, year=2025, template=template, scores={}, total=Decimal("85")
    )
    ProviderMonthStatement.objects.create(
        provider=p1,
        month=date(2025, 6, 1),
        handling_unit=regions[A],
        books=[{"book": "employee_pooled", "withheld": 10000}],
    )
    for book in Book.objects.all():
        for unit in (A, B):
            setup(
                book.code,
                [LineSpec(f"1004-{unit}", FUNDED, unit), LineSpec(f"3001-{CITY}", -FUNDED, unit)],
            )
    setup("employee_pooled", [LineSpec(f"3001-{CITY}", 10000, A), LineSpec(f"2002-{A}", -10000, A)])
    # The accounts step's sweep: the people's account payments are owed to providers (insured county).
    setup("employee_personal", [LineSpec(f"3003-{A}", 6000, A), LineSpec(f"2001-{A}", -6000, A)])
    return {"P1": p1, "P2": p2, "P3": p3}


def setup(book: str, lines: list[LineSpec], day: date = date(2026, 10, 1)) -> None:
    post_entry(
        key=f"test-setup:{next(_seq)}",
        book=Book.objects.get(code=book),
        lines=lines,
        memo="测试准备",
        actor=SETUP,
        entry_date=day,
    )


def settle(
    provider: Provider,
    insured: Region,
    book: str,
    med_type: str,
    medfee: int,
    fund: int,
    *,
    critical: int = 0,
    account: int = 0,
    kind: str = "settle",
    month: date = MONTH,
) -> Settlement:
    scheme = "resident" if book == "resident" else "employee"
    return Settlement.objects.create(
        month=month,
        kind=kind,
        provider=provider,
        person=ef.person(insured, f"参保人{next(_seq)}"),
        insured_county=insured,
        handling_unit=provider.handling_region,
        insutype="390" if scheme == "resident" else "310",
        med_type=med_type,
        clr_type="21" if med_type in ("21", "52") else "11",
        scheme=scheme,
        fund_book=book,
        scope="outpatient",
        year=2026,
        service_date=month,
        setl_time=WHEN.replace(month=month.month),
        policy_code="P",
        medfee_sumamt=medfee,
        hifp_pay=fund,
        hifmi_pay=critical,
        acct_pay=account,
        fund_pay_sumamt=fund + critical,
    )


def run(
    month: date = MONTH, *, run_id: int = 1, adjustment: bool = False, entry_date: date = MONTH_END
) -> dict[str, dict[str, int]]:
    """Every shard of the step, each in its own transaction, as the runner does."""
    out = {}
    for shard in step.plan(month):
        ctx = ShardContext(
            run_id=run_id,
            month=month,
            shard=shard,
            actor=CYCLE_JOB,
            entry_date=entry_date,
            adjustment=adjustment,
        )
        with system_job(CYCLE_JOB), transaction.atomic():
            out[shard] = step.work(ctx)
    return out


def balance(book: str, code: str) -> int:
    """An account's balance (debit +) less what the world was set up with."""
    value = Account.objects.get(book__code=book, code=code).balance_fen
    return value - FUNDED if code.startswith("1004-") else value


def category_balances(category: str) -> dict[tuple[str, str], int]:
    """Balance (debit +) per (book, county) of a category, less what the world was set up with."""
    out = {}
    for a in Account.objects.filter(category=category).select_related("book"):
        funded = FUNDED if category == C.COUNTY_EXPENDITURE and a.county_id in (A, B) else 0
        if a.balance_fen - funded:
            out[(a.book.code, a.county_id)] = a.balance_fen - funded
    return out

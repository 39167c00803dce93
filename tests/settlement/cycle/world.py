"""A small city month for the clearing, reconciliation and close steps (hand-computed).

Three counties: A 亭湖区 320902, B 盐都区 320903, D 大丰区 320904, one hospital handled by
each. Settlements of March 2027 (fen):

  #  insured  paid by (unit)  book             fund    critical  large  account
  1  A        A               employee_pooled  10000                    2000
  2  A        B               employee_pooled  30000             5000   1500
  3  D        B               resident         20000   4000
  4  D        B               resident          2000        (reversed by 5)
  5  D        B               resident         -2000        (reversal of 4)
  6  B        A               resident          7000
  7  B        D               maternity        12000

So the clearing matrix (off the diagonal) is:
  employee_pooled   B→A 30000     employee_large     B→A 5000    employee_personal B→A 1500
  resident          B→D 20000, A→B 7000                resident_critical  B→D 4000
  maternity         D→B 12000
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from funds.chart import Category as C
from funds.models import Account, Book
from funds.services import LineSpec
from funds.services.setup import account_for, books_ensure
from pooling.kernel.audit import system_job
from pooling.kernel.permissions import CYCLE_JOB
from pooling.models import Region
from providers.models import Provider
from settlement.cycle.base import Desired, ShardContext, StepDef, post_desired
from settlement.models import Accumulator, Settlement, SettlementReversal
from tests.enrollment import factories as ef
from tests.providers.factories import make_provider

MONTH = date(2027, 3, 1)
MONTH_END = date(2027, 3, 31)
NEXT_DAY = date(2027, 4, 6)  # an adjustment run's date, in the open month
A, B, D = "320902", "320903", "320904"
WHEN = timezone.make_aware(datetime(2027, 3, 10, 9, 0))
_seq = itertools.count(1)

ROWS = [  # insured, payer, book, fund, critical, large, account
    (A, A, "employee_pooled", 10000, 0, 0, 2000),
    (A, B, "employee_pooled", 30000, 0, 5000, 1500),
    (D, B, "resident", 20000, 4000, 0, 0),
    (B, A, "resident", 7000, 0, 0, 0),
    (B, D, "maternity", 12000, 0, 0, 0),
]


def build(regions: dict[str, Region]) -> dict[str, Provider]:
    books_ensure(area_code="320900")
    hospitals = {c: make_provider(regions[c], f"医院{c}") for c in (A, B, D)}
    for insured, payer, book, fund, critical, large, account in ROWS:
        settle(
            regions[insured],
            hospitals[payer],
            book,
            fund,
            critical=critical,
            large=large,
            account=account,
        )
    original = settle(regions[D], hospitals[B], "resident", 2000)
    reverse(original)
    accumulators_sync()
    return hospitals


def settle(
    insured: Region,
    provider: Provider,
    book: str,
    fund: int,
    *,
    critical: int = 0,
    large: int = 0,
    account: int = 0,
    month: date = MONTH,
) -> Settlement:
    scheme = "resident" if book == "resident" else "employee"
    return Settlement.objects.create(
        month=month,
        provider=provider,
        person=ef.person(insured, f"参保人{next(_seq)}"),
        insured_county=insured,
        handling_unit=provider.handling_region,
        insutype="390" if scheme == "resident" else "310",
        med_type="11",
        clr_type="11",
        scheme=scheme,
        fund_book=book,
        scope="outpatient",
        year=month.year,
        service_date=month,
        setl_time=WHEN,
        policy_code="P",
        medfee_sumamt=fund + critical + large + account,
        hifp_pay=fund,
        hifmi_pay=critical,
        hifob_pay=large,
        acct_pay=account,
        fund_pay_sumamt=fund + critical + large,
    )


def reverse(row: Settlement) -> Settlement:
    rev = Settlement.objects.create(
        month=row.month,
        kind="reverse",
        provider=row.provider,
        person=row.person,
        insured_county=row.insured_county,
        handling_unit=row.handling_unit,
        insutype=row.insutype,
        med_type=row.med_type,
        clr_type=row.clr_type,
        scheme=row.scheme,
        fund_book=row.fund_book,
        scope=row.scope,
        year=row.year,
        service_date=row.service_date,
        setl_time=WHEN,
        policy_code="P",
        medfee_sumamt=-row.medfee_sumamt,
        hifp_pay=-row.hifp_pay,
        hifmi_pay=-row.hifmi_pay,
        hifob_pay=-row.hifob_pay,
        acct_pay=-row.acct_pay,
        fund_pay_sumamt=-row.fund_pay_sumamt,
        reverses_id=row.pk,
        reverses_month=row.month,
    )
    SettlementReversal.objects.create(
        original_id=row.pk, original_month=row.month, reversal_id=rev.pk, reversal_month=rev.month
    )
    return rev


def accumulators_sync() -> None:
    """Accumulators as the settlement service keeps them, so `reconcile` finds them true."""
    sums: dict[tuple[int, int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    scopes: dict[tuple[int, int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in Settlement.objects.all():
        key = (s.person_id, s.year, s.scheme)
        sums[key][0] += s.hifmi_pay
        sums[key][1] += s.hifob_pay
        sums[key][2] += 1 if s.kind == "settle" else -1
        scopes[key][s.scope] += s.hifp_pay
    Accumulator.objects.all().delete()
    for (person, year, scheme), (critical, large, n, _x) in sums.items():
        Accumulator.objects.create(
            person_id=person,
            year=year,
            scheme=scheme,
            critical_paid_fen=critical,
            large_paid_fen=large,
            settlements=n,
            deductible_paid={},
            fund_paid=dict(scopes[(person, year, scheme)]),
        )


def provider_postings(
    month: date = MONTH, *, run_id: int = 1, adjustment: bool = False, entry_date: date = MONTH_END
) -> None:
    """What the provider step posts, as far as these steps rely on it: per provider and book,
    the benefit expense accounted to the insured person's county against the payable of the
    provider's handling unit, under `settle:<month>:<provider>:<book>` (the personal account's
    from the insured county's payable, where the sweep put it)."""
    per: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in Settlement.objects.filter(month=month).select_related("provider"):
        for book, amount in (
            (s.fund_book, s.hifp_pay),
            ("resident_critical", s.hifmi_pay),
            ("employee_large", s.hifob_pay),
            ("employee_personal", s.acct_pay),
        ):
            if amount:
                per[(s.provider.national_code, s.handling_unit_id, book)][s.insured_county_id] += (
                    amount
                )
    wanted = []
    for (code, unit, book), by_county in sorted(per.items()):
        b = Book.objects.get(code=book)
        payable = account_for(book=b, category=C.PAYABLE_PROVIDER, county_code=unit)
        # The personal account's spending: the sweep owes it to providers in the insured county's
        # payable (not simulated here); the provider step moves it to the handling unit's.
        spent = C.PAYABLE_PROVIDER if book == "employee_personal" else C.BENEFIT_OUTPATIENT
        lines = [
            LineSpec(account_for(book=b, category=spent, county_code=c).code, amt, c)
            for c, amt in sorted(by_county.items())
        ]
        lines.append(LineSpec(payable.code, -sum(by_county.values()), unit))
        wanted.append(
            Desired(
                book=book,
                key=f"settle:{month:%Y-%m}:{code}:{book}",
                memo=f"结算 {code}",
                lines=lines,
            )
        )
    ctx = ShardContext(
        run_id=run_id,
        month=month,
        shard="all",
        actor=CYCLE_JOB,
        entry_date=entry_date,
        adjustment=adjustment,
    )
    with system_job(CYCLE_JOB), transaction.atomic():
        post_desired(ctx, wanted, scope=f"settle:{month:%Y-%m}:")


@contextmanager
def _job() -> Iterator[None]:
    with system_job(CYCLE_JOB), transaction.atomic():
        yield


def run_step(
    step: StepDef,
    month: date = MONTH,
    *,
    run_id: int = 1,
    adjustment: bool = False,
    entry_date: date = MONTH_END,
) -> dict[str, dict[str, int]]:
    """Every shard of a step, each in its own transaction as the runner does; counts by shard."""
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
        with _job():
            out[shard] = step.work(ctx)
    return out


def balances(category: str) -> dict[tuple[str, str], int]:
    """Balance (debit +) per (book, county) of every account of a category."""
    return {
        (a.book.code, a.county_id): a.balance_fen
        for a in Account.objects.filter(category=category).select_related("book")
        if a.balance_fen
    }


def consolidated() -> dict[tuple[str, str], int]:
    """The city's totals: Σ balances per book and account category."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for a in Account.objects.select_related("book"):
        out[(a.book.code, a.category)] += a.balance_fen
    return dict(out)

"""The provider step on a hand-computed month (see out_world for the world and its figures).

P1 (unit A), per book:
- employee_pooled: gross 60000 + 4000 = 64000 (expense: inpatient A 60000, outpatient A 4000);
  deposit 5 % = 3200; release of 2025: 10000 × 80 % = 8000; deductions 2500 taken here;
  net = 64000 − 3200 + 8000 − 2500 = 66300.
- resident: gross 10000 (outpatient B); deposit 500; net 9500.
- resident_critical: gross 3000 (critical B); deposit 150; net 2850.
- employee_personal: 6000 owed at A by the sweep, paid from A: net 6000 (no deposit).
  Statement: payable 83000, withheld 3850, released 8000, deductions 2500, net 84650.
P2 (unit B): maternity gross 30000 (maternity A); deposit 1500; net 28500.
P3 (unit A, suspended at month end): pooled gross 7000 (outpatient A); deposit 350; 6650 held.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from funds.chart import Category as C
from funds.models import Book, Entry
from funds.services.ledger import period_close
from pooling.kernel.audit import system_job
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import CYCLE_JOB
from providers.choices import State
from providers.models import ProviderEvent
from settlement.cycle.base import ShardContext
from settlement.cycle.statements import released_elsewhere
from settlement.cycle.steps import providers as step
from settlement.models import ProviderMonthStatement, ProviderStatement
from tests.settlement.cycle import out_world as w

pytestmark = pytest.mark.django_db
A, B = w.A, w.B
NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def world(regions, demo_policy):
    return w.build(regions)


def test_postings_per_county_and_book_are_the_hand_computed_ones(world):
    counts = w.run()
    assert sum(c["providers"] for c in counts.values()) == 3
    assert sum(c["held"] for c in counts.values()) == 1
    assert w.category_balances(C.BENEFIT_INPATIENT) == {("employee_pooled", A): 60000}
    assert w.category_balances(C.BENEFIT_OUTPATIENT) == {
        ("employee_pooled", A): 11000,
        ("resident", B): 10000,
    }
    assert w.category_balances(C.BENEFIT_CRITICAL) == {("resident_critical", B): 3000}
    assert w.category_balances(C.BENEFIT_MATERNITY_MEDICAL) == {("maternity", A): 30000}
    # Paid from the handling unit's expenditure account; P3's 6650 stays owed (held).
    assert w.category_balances(C.COUNTY_EXPENDITURE) == {
        ("employee_pooled", A): -66300,
        ("resident", A): -9500,
        ("resident_critical", A): -2850,
        ("employee_personal", A): -6000,
        ("maternity", B): -28500,
    }
    assert w.category_balances(C.PAYABLE_PROVIDER) == {("employee_pooled", A): -6650}
    # Deposit: 10000 withheld in 2025, 8000 released and 2000 forfeited (the assessment's 80 %),
    # 3200 + 350 withheld now (credit −).
    assert w.category_balances(C.QUALITY_DEPOSIT) == {
        ("employee_pooled", A): -10000 + 8000 + 2000 - 3200 - 350,
        ("resident", A): -500,
        ("resident_critical", A): -150,
        ("maternity", B): -1500,
    }
    # Other income: the deductions and the forfeited deposit.
    assert w.category_balances(C.INCOME_OTHER) == {("employee_pooled", A): -2500 - 2000}


def test_statements_hold_the_month_per_provider(world):
    w.run()
    s1 = ProviderMonthStatement.objects.get(provider=world["P1"], month=w.MONTH)
    assert (s1.person_times, s1.medfee_sumamt, s1.hifp_pay, s1.hifmi_pay, s1.acct_pay) == (
        3,
        128000,
        74000,
        3000,
        6000,
    )
    assert (
        s1.payable_fen,
        s1.deposit_withheld_fen,
        s1.deposit_released_fen,
        s1.deductions_fen,
    ) == (83000, 3850, 8000, 2500)
    assert (s1.net_payable_fen, s1.held, s1.deposit_release_year, s1.handling_unit_id) == (
        84650,
        False,
        2025,
        A,
    )
    assert (s1.deposit_forfeited_fen, s1.books[0]["forfeited"]) == (2000, 2000)
    s2 = ProviderMonthStatement.objects.get(provider=world["P2"], month=w.MONTH)
    assert (s2.maternity_pay, s2.deposit_withheld_fen, s2.net_payable_fen, s2.handling_unit_id) == (
        30000,
        1500,
        28500,
        B,
    )
    s3 = ProviderMonthStatement.objects.get(provider=world["P3"], month=w.MONTH)
    assert (s3.held, s3.provider_state, s3.net_payable_fen, s3.books[0]["kept"]) == (
        True,
        "suspended",
        0,
        6650,
    )
    # The deposit of 2025 is released once: another month of 2026 does not release it again.
    assert released_elsewhere(
        provider_ids=[world["P1"].pk], year=2025, month=date(2026, 11, 1)
    ) == {world["P1"].pk}


def test_running_again_changes_nothing(world):
    w.run()
    entries, statements = (
        Entry.objects.count(),
        list(ProviderMonthStatement.objects.values_list("net_payable_fen")),
    )
    before = w.category_balances(C.COUNTY_EXPENDITURE)
    counts = w.run()
    assert sum(c["entries"] for c in counts.values()) == 0
    assert Entry.objects.count() == entries
    assert w.category_balances(C.COUNTY_EXPENDITURE) == before
    assert list(ProviderMonthStatement.objects.values_list("net_payable_fen")) == statements


def test_an_expenditure_account_is_never_overdrawn(world):
    w.setup(
        "maternity",
        [
            w.LineSpec(f"3001-{w.CITY}", w.FUNDED - 20000, B),
            w.LineSpec(f"1004-{B}", -(w.FUNDED - 20000), B),
        ],
    )
    entries = Entry.objects.count()
    (shard,) = step.plan(w.MONTH)
    ctx = ShardContext(
        run_id=1, month=w.MONTH, shard=shard, actor=CYCLE_JOB, entry_date=w.MONTH_END
    )
    with pytest.raises(BusinessRuleError) as refused, system_job(CYCLE_JOB), transaction.atomic():
        step.work(ctx)
    text = refused.value.text("zh-hans")
    assert "盐都区" in text and "生育保险基金" in text and "285.00" in text and "200.00" in text
    assert (
        Entry.objects.count() == entries
        and not ProviderMonthStatement.objects.filter(month=w.MONTH).exists()
    )


def test_differences_with_the_providers_3201_are_listed(world):
    ProviderStatement.objects.create(
        provider=world["P2"],
        kind="totals",
        begin=w.MONTH,
        end=w.MONTH_END,
        theirs={"count": 1, "medfee_sumamt": 50000, "fund_pay_sumamt": 30000, "acct_pay": 100},
        ours={},
        agrees=False,
        msgid="M1",
    )
    ProviderStatement.objects.create(
        provider=world["P1"],
        kind="details",
        begin=w.MONTH,
        end=date(2026, 10, 15),
        theirs={"rows": 1},
        ours={"rows": 0},
        agrees=False,
        msgid="M2",
        differences=[{"row": 1, "setl_id": "S202610X9", "memo": "机构有、医保无"}],
    )
    counts = w.run()
    assert sum(c["differences"] for c in counts.values()) == 2
    (diff,) = ProviderMonthStatement.objects.get(provider=world["P2"], month=w.MONTH).differences
    assert (diff["source"], diff["item"], diff["theirs"], diff["ours"]) == (
        "3201",
        "个人账户支出",
        100,
        0,
    )
    (row,) = ProviderMonthStatement.objects.get(provider=world["P1"], month=w.MONTH).differences
    assert (row["source"], row["item"], row["memo"], row["period"]) == (
        "3202",
        "S202610X9",
        "机构有、医保无",
        "10-01–10-15",
    )


def test_an_adjustment_after_a_late_reversal_posts_only_the_difference(world, regions):
    w.run()
    for book in Book.objects.all():
        with system_job(CYCLE_JOB):
            period_close(book=book, year=2026, month=10, actor=CYCLE_JOB)
    # Settlement 3 (P1, pooled 4000, account 1000) reversed late; the sweep gave the 1000 back.
    w.settle(
        world["P1"],
        regions[A],
        "employee_pooled",
        "11",
        -8000,
        -4000,
        account=-1000,
        kind="reverse",
    )
    w.setup(
        "employee_personal",
        [w.LineSpec(f"2001-{A}", 1000, A), w.LineSpec(f"3003-{A}", -1000, A)],
        w.NEXT_DAY,
    )
    counts = w.run(run_id=2, adjustment=True, entry_date=w.NEXT_DAY)
    new = Entry.objects.filter(key__contains="|adj:2")
    # Only the expense is corrected: October's payments left the bank and are never undone in
    # the books alone (no "cash back" the bank never saw).
    assert sorted(e.key for e in new) == [
        f"settle:2026-10:{world['P1'].national_code}:employee_pooled|adj:2"
    ]
    assert {e.entry_date for e in new} == {w.NEXT_DAY} and sum(
        c["entries"] for c in counts.values()
    ) == 1
    assert w.category_balances(C.COUNTY_EXPENDITURE)[("employee_pooled", A)] == -66300
    assert w.category_balances(C.COUNTY_EXPENDITURE)[("employee_personal", A)] == -6000
    assert w.category_balances(C.BENEFIT_OUTPATIENT)[("employee_pooled", A)] == 7000
    # P1 was paid 4000 (pooled) and 1000 (personal account) it is no longer owed: a debit in
    # the payable, beside P3's held 6650.
    assert w.category_balances(C.PAYABLE_PROVIDER) == {
        ("employee_pooled", A): -6650 + 4000,
        ("employee_personal", A): 1000,
    }
    s1 = ProviderMonthStatement.objects.get(provider=world["P1"], month=w.MONTH)
    # The statement says what was paid (84650) and that 4000 + 1000 were paid too much: kept, to
    # be set off against the next month P1 is paid.
    assert (s1.person_times, s1.net_payable_fen, s1.adjusted, s1.run_id) == (2, 84650, True, 2)
    assert (s1.payable_fen, s1.deposit_withheld_fen, s1.deductions_fen) == (78000, 3850, 2500)
    assert (s1.kept_fen, [b["kept"] for b in s1.books]) == (-5000, [-4000, 0, 0, -1000])
    assert s1.carry_pending
    # Again: nothing more.
    again = w.run(run_id=2, adjustment=True, entry_date=w.NEXT_DAY)
    assert sum(c["entries"] for c in again.values()) == 0


def test_a_held_payment_is_paid_with_the_first_month_the_provider_is_paid_again(world, regions):
    w.run()
    p3 = world["P3"]
    ProviderEvent.objects.create(
        provider=p3,
        action="resume",
        from_state=State.SUSPENDED,
        to_state=State.PERFORMING,
        effective_on=date(2026, 11, 5),
        reason="恢复",
    )
    w.settle(p3, regions[A], "employee_pooled", "11", 2000, 1000, month=NOVEMBER)
    w.run(NOVEMBER, run_id=2, entry_date=date(2026, 11, 30))
    # November: gross 1000, deposit 50, October's held 6650 carried: 7600 paid.
    nov = ProviderMonthStatement.objects.get(provider=p3, month=NOVEMBER)
    assert (nov.carried_fen, nov.deposit_withheld_fen, nov.net_payable_fen, nov.held) == (
        6650,
        50,
        7600,
        False,
    )
    assert ProviderMonthStatement.objects.get(provider=p3, month=w.MONTH).carried_into == NOVEMBER
    assert w.category_balances(C.PAYABLE_PROVIDER) == {}
    assert w.category_balances(C.COUNTY_EXPENDITURE)[("employee_pooled", A)] == -66300 - 7600
    again = w.run(NOVEMBER, run_id=2, entry_date=date(2026, 11, 30))
    assert sum(c["entries"] for c in again.values()) == 0
    assert ProviderMonthStatement.objects.get(provider=p3, month=NOVEMBER).net_payable_fen == 7600


def test_an_adjustment_undoes_what_a_wholly_reversed_provider_was_paid(world, regions):
    w.run()
    for book in Book.objects.all():
        with system_job(CYCLE_JOB):
            period_close(book=book, year=2026, month=10, actor=CYCLE_JOB)
    w.settle(world["P2"], regions[A], "maternity", "52", -50000, -30000, kind="reverse")
    w.run(run_id=3, adjustment=True, entry_date=w.NEXT_DAY)
    code = world["P2"].national_code
    assert sorted(Entry.objects.filter(key__contains="|adj:3").values_list("key", flat=True)) == [
        f"settle:2026-10:{code}:maternity|adj:3"
    ]
    assert w.category_balances(C.BENEFIT_MATERNITY_MEDICAL) == {}
    # What P2 was paid stays paid: the payable now says the 30000 it was owed is not owed (28500
    # paid, 1500 still withheld as its deposit, which the deposit account keeps).
    assert w.category_balances(C.COUNTY_EXPENDITURE)[("maternity", B)] == -28500
    assert w.category_balances(C.PAYABLE_PROVIDER)[("maternity", B)] == 30000
    assert w.category_balances(C.QUALITY_DEPOSIT)[("maternity", B)] == -1500
    s2 = ProviderMonthStatement.objects.get(provider=world["P2"], month=w.MONTH)
    assert (s2.person_times, s2.payable_fen, s2.net_payable_fen) == (0, 0, 28500)
    assert (s2.deposit_withheld_fen, s2.kept_fen) == (1500, -30000)


def test_batches_partition_the_providers_and_give_the_same_books(world, monkeypatch):
    monkeypatch.setattr(step, "BATCH", 1)
    shards = step.plan(w.MONTH)
    assert len(shards) == 3 and shards[0].startswith("~") and shards[-1].endswith("~")
    assert sorted(code for s in shards for _pk, code, _u in step._providers(s)) == sorted(
        p.national_code for p in world.values()
    )
    w.run()
    assert w.category_balances(C.COUNTY_EXPENDITURE) == {
        ("employee_pooled", A): -66300,
        ("resident", A): -9500,
        ("resident_critical", A): -2850,
        ("employee_personal", A): -6000,
        ("maternity", B): -28500,
    }

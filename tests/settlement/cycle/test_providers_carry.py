"""Nothing stays stranded in the payable or the deposit (out_world's October, then November
and December): kept amounts and unapplied deductions are carried exactly once, also after an
adjustment changes the month they came from; an adjustment of a paid month becomes a kept
amount; the deposit the assessment does not return is forfeited to other income.

October as out_world computes it: P1 paid 84650 (pooled net 66300, personal 6000…), P2 paid
28500 (maternity gross 30000, deposit 1500), P3 held 6650 (pooled gross 7000, deposit 350).
"""

from __future__ import annotations

import csv
import importlib
import io
import random
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from funds.chart import Category as C
from funds.models import Book
from funds.services.ledger import period_close
from pooling.kernel.audit import system_job
from pooling.kernel.permissions import CYCLE_JOB
from providers.choices import State, ViolationKind
from providers.models import (
    AssessmentResult,
    DepositReleaseBand,
    Provider,
    ProviderEvent,
    Violation,
)
from settlement.cycle.statements import Carry, carried_into_month, outstanding
from settlement.models import ProviderMonthStatement
from tests.settlement.cycle import out_world as w

pytestmark = pytest.mark.django_db
A, B = w.A, w.B
NOV, NOV_END = date(2026, 11, 1), date(2026, 11, 30)
DEC, DEC_10, DEC_END = date(2026, 12, 1), date(2026, 12, 10), date(2026, 12, 31)


@pytest.fixture
def world(regions, demo_policy):
    return w.build(regions)


def close(*months: date) -> None:
    for book in Book.objects.all():
        for m in months:
            with system_job(CYCLE_JOB):
                period_close(book=book, year=m.year, month=m.month, actor=CYCLE_JOB)


def entries(counts: dict[str, dict[str, int]]) -> int:
    return sum(c["entries"] for c in counts.values())


def statement(provider: Provider, month: date = w.MONTH) -> ProviderMonthStatement:
    return ProviderMonthStatement.objects.get(provider=provider, month=month)


def resume(provider: Provider, on: date) -> None:
    ProviderEvent.objects.create(
        provider=provider,
        action="resume",
        from_state=State.SUSPENDED,
        to_state=State.PERFORMING,
        effective_on=on,
        reason="恢复",
    )


def violation(provider: Provider, month: date, *, deduct: int, recover: int = 0) -> None:
    """A violation whose deductions (deduct + recover) fall due in `month`."""
    Violation.objects.create(
        provider=provider,
        kind=ViolationKind.OVERCHARGE,
        found_on=date(2026, 9, 25),
        finding="串换项目",
        recover_fen=recover,
        deduct_fen=deduct,
        deduction_month=month,
    )


def test_it_carries_what_an_adjustment_adds_to_a_held_month_already_carried(world, regions):
    p3 = world["P3"]
    w.run()
    resume(p3, date(2026, 11, 5))
    w.settle(p3, regions[A], "employee_pooled", "11", 2000, 1000, month=NOV)
    w.run(NOV, run_id=2, entry_date=NOV_END)  # carries October's 6650: 1000 − 50 + 6650 = 7600
    assert statement(p3, NOV).net_payable_fen == 7600
    close(w.MONTH, NOV)
    # A settlement of October arrives late: 2000 more owed for the held month.
    w.settle(p3, regions[A], "employee_pooled", "11", 4000, 2000)
    w.run(run_id=3, adjustment=True, entry_date=DEC_10)
    oct3 = statement(p3)
    # As held in October: 350 withheld, nothing paid; kept 9000 − 350 = 8650, 6650 of it carried.
    assert (oct3.payable_fen, oct3.deposit_withheld_fen, oct3.net_payable_fen) == (9000, 350, 0)
    assert (oct3.kept_fen, oct3.carry_pending) == (8650, True)
    assert w.category_balances(C.PAYABLE_PROVIDER) == {("employee_pooled", A): -2000}

    w.run(DEC, run_id=4, entry_date=DEC_END)
    dec3 = statement(p3, DEC)
    # December carries the 2000 in full (no deposit on a carried amount) and pays it.
    assert (dec3.carried_fen, dec3.deposit_withheld_fen, dec3.net_payable_fen) == (2000, 0, 2000)
    oct3.refresh_from_db()
    assert oct3.carried_out == {
        "2026-11": {"books": {"employee_pooled": 6650}, "deductions": 0},
        "2026-12": {"books": {"employee_pooled": 2000}, "deductions": 0},
    }
    assert (oct3.carried_into, oct3.carry_pending) == (DEC, False)
    assert w.category_balances(C.PAYABLE_PROVIDER) == {}
    assert w.category_balances(C.COUNTY_EXPENDITURE)[("employee_pooled", A)] == (
        -66300 - 7600 - 2000
    )
    assert w.category_balances(C.QUALITY_DEPOSIT)[("employee_pooled", A)] == -3550 - 50

    # Delivered twice (December again, October adjusted again): nothing moves, nothing re-carried.
    assert entries(w.run(DEC, run_id=4, entry_date=DEC_END)) == 0
    assert entries(w.run(run_id=5, adjustment=True, entry_date=DEC_10)) == 0
    assert entries(w.run(DEC, run_id=4, entry_date=DEC_END)) == 0
    assert statement(p3, DEC).net_payable_fen == 2000
    assert w.category_balances(C.PAYABLE_PROVIDER) == {}


def test_it_makes_an_adjustment_of_a_paid_month_a_kept_amount_the_next_month_carries(
    world, regions
):
    p1, p2 = world["P1"], world["P2"]
    w.run()
    close(w.MONTH)
    # Late: P1's settlement 3 reversed (pooled 4000, account 1000; the sweep gave the 1000
    # back) and P2 owed 5000 more maternity.
    w.settle(p1, regions[A], "employee_pooled", "11", -8000, -4000, account=-1000, kind="reverse")
    w.setup(
        "employee_personal",
        [w.LineSpec(f"2001-{A}", 1000, A), w.LineSpec(f"3003-{A}", -1000, A)],
        w.NEXT_DAY,
    )
    w.settle(p2, regions[A], "maternity", "52", 8000, 5000)
    w.run(run_id=2, adjustment=True, entry_date=w.NEXT_DAY)
    s1, s2 = statement(p1), statement(p2)
    # As paid: P1 84650 (withheld 3850, deductions 2500), overpaid 4000 + 1000; P2 28500 paid,
    # 5000 more owed (no deposit on the difference: October's 1500 stays withheld).
    assert (s1.net_payable_fen, s1.deposit_withheld_fen, s1.kept_fen) == (84650, 3850, -5000)
    assert (s2.payable_fen, s2.deposit_withheld_fen, s2.net_payable_fen) == (35000, 1500, 28500)
    assert s2.kept_fen == 5000
    assert w.category_balances(C.PAYABLE_PROVIDER) == {
        ("employee_pooled", A): -6650 + 4000,
        ("employee_personal", A): 1000,
        ("maternity", B): -5000,
    }

    # November: P1 owed pooled 10000 and account 3000 (the sweep's); P2 nothing new.
    w.settle(p1, regions[A], "employee_pooled", "11", 20000, 10000, account=3000, month=NOV)
    w.setup(
        "employee_personal",
        [w.LineSpec(f"3003-{A}", 3000, A), w.LineSpec(f"2001-{A}", -3000, A)],
        NOV,
    )
    w.run(NOV, run_id=3, entry_date=NOV_END)
    n1, n2 = statement(p1, NOV), statement(p2, NOV)
    # P1: pooled 10000 − 500 − 4000 = 5500, personal 3000 − 1000 = 2000; P2: 5000 in full.
    assert [(b["book"], b["carried"], b["net"]) for b in n1.books] == [
        ("employee_pooled", -4000, 5500),
        ("employee_personal", -1000, 2000),
    ]
    assert (n1.carried_fen, n1.deposit_withheld_fen, n1.net_payable_fen) == (-5000, 500, 7500)
    assert (n2.carried_fen, n2.deposit_withheld_fen, n2.net_payable_fen) == (5000, 0, 5000)
    # All that is still owed is P3's held October.
    assert w.category_balances(C.PAYABLE_PROVIDER) == {("employee_pooled", A): -6650}
    expenditure = w.category_balances(C.COUNTY_EXPENDITURE)
    assert expenditure[("employee_pooled", A)] == -66300 - 5500
    assert expenditure[("employee_personal", A)] == -6000 - 2000
    assert expenditure[("maternity", B)] == -28500 - 5000
    deposit = w.category_balances(C.QUALITY_DEPOSIT)
    assert (deposit[("employee_pooled", A)], deposit[("maternity", B)]) == (-3550 - 500, -1500)
    s1.refresh_from_db()
    assert s1.carried_out == {
        "2026-11": {
            "books": {"employee_pooled": -4000, "employee_personal": -1000},
            "deductions": 0,
        }
    }

    assert entries(w.run(NOV, run_id=3, entry_date=NOV_END)) == 0
    assert entries(w.run(run_id=4, adjustment=True, entry_date=date(2026, 11, 20))) == 0
    assert entries(w.run(NOV, run_id=3, entry_date=NOV_END)) == 0
    assert w.category_balances(C.PAYABLE_PROVIDER) == {("employee_pooled", A): -6650}


def test_it_takes_deductions_a_month_could_not_bear_from_the_next_month_paid(world, regions):
    p2 = world["P2"]
    violation(p2, w.MONTH, deduct=35000, recover=5000)
    w.run()
    oct2 = statement(p2)
    # 40000 due; October bears 30000 − 1500 = 28500; 11500 not applied.
    assert (oct2.deductions_fen, oct2.net_payable_fen, oct2.deductions_unapplied_fen) == (
        40000,
        0,
        11500,
    )
    w.settle(p2, regions[A], "maternity", "52", 30000, 20000, month=NOV)
    w.run(NOV, run_id=2, entry_date=NOV_END)
    nov2 = statement(p2, NOV)
    # November: 20000 − 1000 − 11500 = 7500.
    assert (nov2.deductions_fen, nov2.deductions_carried_fen, nov2.net_payable_fen) == (
        0,
        11500,
        7500,
    )
    assert nov2.deductions_unapplied_fen == 0
    assert w.category_balances(C.INCOME_OTHER)[("maternity", B)] == -40000

    # A further violation of October is found after November ran: the adjustment of October
    # moves nothing (what October paid stands) but leaves 3000 for the next month paid.
    close(w.MONTH, NOV)
    violation(p2, w.MONTH, deduct=3000)
    assert entries(w.run(run_id=3, adjustment=True, entry_date=DEC_10)) == 0
    oct2.refresh_from_db()
    assert (oct2.deductions_fen, oct2.deductions_unapplied_fen, oct2.carry_pending) == (
        43000,
        14500,
        True,
    )
    w.settle(p2, regions[A], "maternity", "52", 15000, 10000, month=DEC)
    w.run(DEC, run_id=4, entry_date=DEC_END)
    dec2 = statement(p2, DEC)
    # December: 10000 − 500 − 3000 = 6500.
    assert (dec2.deductions_carried_fen, dec2.net_payable_fen) == (3000, 6500)
    assert w.category_balances(C.INCOME_OTHER)[("maternity", B)] == -43000
    assert w.category_balances(C.COUNTY_EXPENDITURE)[("maternity", B)] == -7500 - 6500
    oct2.refresh_from_db()
    assert oct2.carried_out == {
        "2026-11": {"books": {}, "deductions": 11500},
        "2026-12": {"books": {}, "deductions": 3000},
    }
    assert not oct2.carry_pending
    assert entries(w.run(DEC, run_id=4, entry_date=DEC_END)) == 0
    assert statement(p2, DEC).net_payable_fen == 6500


def test_it_forfeits_to_other_income_the_deposit_the_assessment_does_not_return(world):
    # P1 scored 40 for 2025, in a band that returns nothing.
    DepositReleaseBand.objects.filter(min_score=0).update(release_ratio=Decimal(0))
    AssessmentResult.objects.filter(provider=world["P1"]).update(total=Decimal(40))
    w.run()
    s1 = statement(world["P1"])
    # Nothing of 2025's 10000 is returned: all of it goes to other income, none to the payable.
    assert (s1.deposit_released_fen, s1.deposit_forfeited_fen, s1.deposit_release_year) == (
        0,
        10000,
        2025,
    )
    # P1 pooled: 64000 − 3200 − 2500 = 58300 (no release to add).
    assert s1.books[0]["net"] == 58300
    assert w.category_balances(C.QUALITY_DEPOSIT)[("employee_pooled", A)] == -3200 - 350
    assert w.category_balances(C.INCOME_OTHER) == {("employee_pooled", A): -2500 - 10000}
    assert w.category_balances(C.PAYABLE_PROVIDER) == {("employee_pooled", A): -6650}
    assert entries(w.run()) == 0
    w.run(NOV, run_id=2, entry_date=NOV_END)  # released (and forfeited) once per year
    assert w.category_balances(C.INCOME_OTHER) == {("employee_pooled", A): -2500 - 10000}


def _pending_books() -> dict[tuple[str, str], int]:
    """Σ over every statement of what it has still to carry, per (book, handling unit)."""
    out: dict[tuple[str, str], int] = {}
    for s in ProviderMonthStatement.objects.all():
        left = outstanding(s.books, s.deductions_unapplied_fen, s.carried_out)
        for book, amount in left.books.items():
            out[(book, s.handling_unit_id)] = out.get((book, s.handling_unit_id), 0) + amount
    return {k: v for k, v in out.items() if v}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_leaves_in_the_payable_exactly_what_is_kept_and_not_yet_carried(world, regions, seed):
    """Random months for P3 (held or paid, reversals, violations) and late settlements of
    closed months adjusted: the payable always equals the kept amounts not yet carried, the
    deposit what was withheld less released and forfeited."""
    rng = random.Random(seed)
    p3, state = world["P3"], State.SUSPENDED
    w.run()
    for run_id, month in enumerate((NOV, DEC), start=2):
        close(*[m for m in (w.MONTH, NOV) if m < month])
        earlier = rng.choice([m for m in (w.MONTH, NOV) if m < month])
        w.settle(
            p3,
            regions[A],
            "employee_pooled",
            "11",
            1,
            rng.randrange(-3000, 4000, 100),
            month=earlier,
        )
        w.run(earlier, run_id=10 * run_id, adjustment=True, entry_date=month.replace(day=10))
        new_state = rng.choice([State.PERFORMING, State.SUSPENDED])
        if new_state != state:
            ProviderEvent.objects.create(
                provider=p3,
                action="change",
                from_state=state,
                to_state=new_state,
                effective_on=month.replace(day=5),
                reason="测试",
            )
            state = new_state
        for _n in range(rng.randrange(3)):
            w.settle(
                p3,
                regions[A],
                "employee_pooled",
                "11",
                1,
                rng.randrange(-2000, 6000, 100),
                month=month,
            )
        if rng.random() < 0.5:
            violation(p3, month, deduct=rng.randrange(0, 3000, 100))
        w.run(month, run_id=run_id, entry_date=month.replace(day=28))
        assert w.category_balances(C.PAYABLE_PROVIDER) == {
            k: -v for k, v in _pending_books().items()
        }
        deposit: dict[tuple[str, str], int] = {}
        for s in ProviderMonthStatement.objects.all():
            for b in s.books:
                held_back = b.get("withheld", 0) - b.get("released", 0) - b.get("forfeited", 0)
                key = (b["book"], s.handling_unit_id)
                deposit[key] = deposit.get(key, 0) - held_back
        assert w.category_balances(C.QUALITY_DEPOSIT) == {k: v for k, v in deposit.items() if v}
        assert entries(w.run(month, run_id=run_id, entry_date=month.replace(day=28))) == 0


def test_it_shows_the_carried_deductions_and_forfeited_deposit_on_statements(
    world, regions, client_for, city_agent
):
    p1, p2 = world["P1"], world["P2"]
    violation(p2, w.MONTH, deduct=40000)
    w.run()
    w.settle(p2, regions[A], "maternity", "52", 30000, 20000, month=NOV)
    w.run(NOV, run_id=2, entry_date=NOV_END)
    client = client_for(city_agent)

    def url(provider: Provider, month: str) -> str:
        return reverse("settlement:cycle_provider_statement", args=[month, provider.national_code])

    # P1's October: 2000 of 2025's deposit forfeited, on the page and in the book table's files.
    page = client.get(url(p1, "2026-10")).content.decode()
    assert "不予返还质量保证金" in page and "20.00" in page
    csv = b"".join(client.get(url(p1, "2026-10") + "?format=csv").streaming_content)
    assert "不予返还质量保证金".encode() in csv
    sheet = load_workbook(
        io.BytesIO(b"".join(client.get(url(p1, "2026-10") + "?format=xlsx").streaming_content))
    ).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert 20 in values or 20.0 in values
    # P2: October could take 285.00 of 400.00; November takes the 115.00 left.
    october = client.get(url(p2, "2026-10")).content.decode()
    assert "115.00" in october and "已结转 2026-11" in october
    november = client.get(url(p2, "2026-11")).content.decode()
    assert "上月未扣足转入" in november and "115.00" in november
    # The XLSX title block says it beside the book table (a CSV has the table alone).
    sheet = load_workbook(
        io.BytesIO(b"".join(client.get(url(p2, "2026-11") + "?format=xlsx").streaming_content))
    ).active
    title_block = str(sheet["A2"].value)
    assert "违约扣款：0.00" in title_block and "上月未扣足转入：115.00" in title_block


CARRY_COLUMNS = ("上月未扣足转入", "本月未扣足", "结转以前月份挂账", "本月挂账", "不予返还保证金")


def _list_url(month: str) -> str:
    return reverse("settlement:cycle_providers", args=[month])


def _page_row(page: str, provider: Provider) -> str:
    """The month's list page: the text of this provider's table row (tags dropped)."""
    (row,) = [r for r in page.split("<tr>") if f">{provider.national_code}<" in r]
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def _csv_rows(client, month: str) -> dict[str, dict[str, str]]:
    """The month's list as CSV, each row by its provider's code (the totals row by 合计)."""
    content = b"".join(client.get(_list_url(month) + "?format=csv").streaming_content)
    rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    return {r["机构编码"].strip(): r for r in rows}


def _xlsx_rows(client, month: str) -> dict[str, dict[str, object]]:
    """The month's list as XLSX (header on the third row), each row by code or 合计."""
    content = b"".join(client.get(_list_url(month) + "?format=xlsx").streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=3, values_only=True))
    header = [str(h) for h in rows[0]]
    return {str(r[0]): dict(zip(header, r, strict=True)) for r in rows[1:]}


def test_the_months_list_and_its_files_show_what_each_provider_carried(
    world, regions, client_for, city_agent
):
    p1, p2, p3 = world["P1"], world["P2"], world["P3"]
    violation(p2, w.MONTH, deduct=40000)
    w.run()
    client = client_for(city_agent)
    # October: P1 forfeits 20.00 of 2025's deposit; P2 cannot bear 115.00 of its 400.00
    # deductions; P3's held 66.50 is kept. P2's and P3's are still to carry.
    page = client.get(_list_url("2026-10")).content.decode()
    assert "不予返还保证金 20.00" in _page_row(page, p1)
    assert "本月未扣足 115.00" in _page_row(page, p2) and "待结转" in _page_row(page, p2)
    assert "本月挂账 66.50" in _page_row(page, p3) and "待结转" in _page_row(page, p3)
    assert "待结转" not in _page_row(page, p1)
    assert "挂账或扣款待结转 2" in page
    october = _csv_rows(client, "2026-10")
    expected = {
        p1.national_code: ("0.00", "0.00", "0.00", "0.00", "20.00", ""),
        p2.national_code: ("0.00", "115.00", "0.00", "0.00", "0.00", "是"),
        p3.national_code: ("0.00", "0.00", "0.00", "66.50", "0.00", "是"),
        "合计": ("0.00", "115.00", "0.00", "66.50", "20.00", ""),
    }
    assert {
        code: tuple(r[h] for h in (*CARRY_COLUMNS, "待结转")) for code, r in october.items()
    } == expected
    sheet = _xlsx_rows(client, "2026-10")
    assert [sheet[p3.national_code][h] for h in (*CARRY_COLUMNS, "待结转")] == [
        0,
        0,
        0,
        66.5,
        0,
        "是",
    ]
    assert [sheet["合计"][h] for h in CARRY_COLUMNS] == [0, 115, 0, 66.5, 20]

    # November: P3 resumed and paid carries October's 66.50; P2 bears the 115.00 left.
    resume(p3, date(2026, 11, 5))
    w.settle(p3, regions[A], "employee_pooled", "11", 2000, 1000, month=NOV)
    w.settle(p2, regions[A], "maternity", "52", 30000, 20000, month=NOV)
    w.run(NOV, run_id=2, entry_date=NOV_END)
    november = _csv_rows(client, "2026-11")
    assert november[p2.national_code]["上月未扣足转入"] == "115.00"
    assert november[p3.national_code]["结转以前月份挂账"] == "66.50"
    assert (november["合计"]["上月未扣足转入"], november["合计"]["结转以前月份挂账"]) == (
        "115.00",
        "66.50",
    )
    page = client.get(_list_url("2026-11")).content.decode()
    assert "上月未扣足转入 115.00" in _page_row(page, p2)
    assert "结转以前月份挂账 66.50" in _page_row(page, p3)
    # October's amounts stay on its list, no longer pending.
    page = client.get(_list_url("2026-10")).content.decode()
    assert "本月挂账 66.50" in _page_row(page, p3) and "待结转" not in _page_row(page, p3)
    assert "挂账或扣款待结转 0" in page


def test_the_migration_records_what_statements_carried_before_it(world):
    from django.apps import apps

    migration = importlib.import_module("settlement.migrations.0007_provider_carry_forward")
    p1, p2, p3 = world["P1"], world["P2"], world["P3"]
    pooled = {"book": "employee_pooled", "withheld": 0}
    carried = ProviderMonthStatement.objects.create(
        provider=p3,
        month=date(2026, 8, 1),
        handling_unit=p3.handling_region,
        books=[{**pooled, "kept": 6650}],
        kept_fen=6650,
        carried_into=date(2026, 9, 1),
    )
    negative = ProviderMonthStatement.objects.create(
        provider=p1,
        month=date(2026, 8, 1),
        handling_unit=p1.handling_region,
        books=[{**pooled, "kept": -400}],
        kept_fen=-400,
    )
    undeducted = ProviderMonthStatement.objects.create(
        provider=p2,
        month=date(2026, 8, 1),
        handling_unit=p2.handling_region,
        deductions_unapplied_fen=300,
    )
    migration.record_earlier_carries(apps, None)
    for row in (carried, negative, undeducted):
        row.refresh_from_db()
    assert (
        carried.carried_out == {"2026-09": {"books": {"employee_pooled": 6650}, "deductions": 0}}
        and not carried.carry_pending
    )
    assert (negative.carried_out, negative.carry_pending) == ({}, True)
    assert (undeducted.carried_out, undeducted.carry_pending) == ({}, True)
    # September (run again) carries the same 6650 from August; October the −400 and the 300.
    assert carried_into_month(provider_ids=[p3.pk], month=date(2026, 9, 1)) == {
        p3.pk: Carry({"employee_pooled": 6650})
    }
    assert carried_into_month(provider_ids=[p1.pk, p2.pk, p3.pk], month=date(2026, 10, 1)) == {
        p1.pk: Carry({"employee_pooled": -400}),
        p2.pk: Carry({}, 300),
    }

"""The personal-account sub-ledger: one writer with the funds ledger's rules, set-wise for a
month, matched to the funds books in batches whose identity `manage.py reconcile` proves."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment import services
from enrollment.models import AccountBatch, AccountPosting, PersonalAccount, PostingKind
from enrollment.services import subledger, sweep
from enrollment.services.subledger import PostingSpec, posting_write, postings_write
from funds.chart import PERSONAL_BOOK, POOLED_BOOK
from funds.chart import Category as C
from funds.models import Account, Entry, Line
from funds.services import cr, dr, post_entry
from funds.services import ledger as L
from funds.services.setup import account_for, books_ensure
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import acting_as
from tests.actors import SETUP
from tests.enrollment import factories as f
from tests.enrollment.subledger_helpers import (
    balances_fen,
    control_fen,
    discrepancies,
    paid_employee,
    pooled_cash,
    retiree,
)

JAN, FEB, APR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 4, 1)
A, B = "320902", "320903"


def spec(person, amount=10000, key="k1", kind=PostingKind.ALLOCATION, month=JAN) -> PostingSpec:
    return PostingSpec(person_id=person.pk, kind=kind, month=month, amount_fen=amount, key=key)


def test_it_returns_the_posting_already_written_for_the_same_key_and_payload(county_a):
    person = f.person(county_a)
    first = posting_write(spec=spec(person), actor=SETUP)
    again = postings_write(specs=[spec(person)], actor=SETUP)
    assert again.postings == [first] and again.new == 0
    assert PersonalAccount.objects.get(person=person).balance_fen == 10000


def test_it_refuses_a_key_reused_with_another_payload_and_writes_nothing(county_a):
    person = f.person(county_a)
    posting_write(spec=spec(person), actor=SETUP)
    with pytest.raises(BusinessRuleError) as exc:
        postings_write(specs=[spec(person, key="k2"), spec(person, amount=10001)], actor=SETUP)
    assert exc.value.message is subledger.KEY_CONFLICT and "k1" in exc.value.text()
    assert AccountPosting.objects.count() == 1  # not even the new k2
    assert PersonalAccount.objects.get(person=person).balance_fen == 10000


@pytest.mark.parametrize(
    "kind, amount",
    [(PostingKind.ALLOCATION, -5), (PostingKind.PAYMENT, 5), (PostingKind.TRANSFER_IN, 0)],
)
def test_it_refuses_an_amount_whose_sign_contradicts_its_kind(county_a, kind, amount):
    with pytest.raises(BusinessRuleError) as exc:
        posting_write(spec=spec(f.person(county_a), amount=amount, kind=kind), actor=SETUP)
    assert exc.value.message is subledger.BAD_AMOUNT


def test_it_allocates_a_month_in_as_many_statements_for_forty_people_as_for_four(
    county_a, demo_policy
):
    def allocated_with(people: int, month: date) -> int:
        for n in range(people):
            paid_employee(county_a, f"员工{month.month}-{n}", months=(month,))
        with CaptureQueriesContext(connection) as queries:
            assert services.accounts_allocate_month(month=month, actor=SETUP) == people
        return len(queries)

    assert allocated_with(4, JAN) == allocated_with(40, FEB)
    assert balances_fen(A) == 44 * 10000


def test_it_sweeps_a_county_month_into_one_funds_entry_per_kind(county_a, demo_policy):
    one, two = (paid_employee(county_a, name).person for name in ("甲", "乙"))
    services.accounts_allocate_month(month=JAN, actor=SETUP)
    services.account_pay(person=one, amount_fen=2500, month=JAN, key="claim:1", actor=SETUP)
    assert discrepancies() == []  # unswept postings count towards the identity
    batches = services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP)
    assert sorted(b.kind for b in batches) == [PostingKind.ALLOCATION, PostingKind.PAYMENT]
    allocation = Entry.objects.get(key=f"pa:{A}:2026-01:allocation:1")
    assert sorted(
        (ln.account.category, ln.amount_fen) for ln in allocation.lines.select_related("account")
    ) == [(C.PERSONAL_ACCOUNT_BALANCE, -20000), (C.TREASURY_TRANSIT, 20000)]
    assert allocation.entry_date == date(2026, 1, 31) and allocation.source == sweep.SOURCE
    assert control_fen(A) == balances_fen(A) == 17500
    assert not AccountPosting.objects.filter(batch__isnull=True).exists()
    assert discrepancies() == []
    # Swept again: nothing left to match. A payment arriving later waits for the next sweep.
    assert services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP) == []
    services.account_pay(person=two, amount_fen=100, month=JAN, key="claim:2", actor=SETUP)
    assert control_fen(A) == 17500 and balances_fen(A) == 17400 and discrepancies() == []
    [late] = services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP)
    assert late.key == f"pa:{A}:2026-01:payment:2" and control_fen(A) == 17400


@pytest.mark.parametrize("path", ["vendor's", "portable"])
def test_its_totals_are_each_batch_count_and_sum_matched_in_one_update(
    county_a, demo_policy, monkeypatch, path
):
    if path == "portable":  # the ORM path SQLite takes, run on PostgreSQL too: the same answers
        monkeypatch.setattr(sweep, "_match", sweep._match_portable)
    one, two = (paid_employee(county_a, name).person for name in ("甲", "乙"))
    services.accounts_allocate_month(month=JAN, actor=SETUP)  # 2 × 10,000
    services.account_pay(person=one, amount_fen=2500, month=JAN, key="claim:1", actor=SETUP)
    services.account_pay(person=two, amount_fen=700, month=JAN, key="claim:2", actor=SETUP)
    swept = sweep.account_postings_sweep_totals(county_code=A, month=JAN, actor=SETUP)
    assert [(s.batch.kind, s.count, s.total_fen) for s in swept] == [
        (PostingKind.ALLOCATION, 2, 20000),
        (PostingKind.PAYMENT, 2, -3200),
    ]
    for s in swept:  # each batch holds its own kind's postings, and its entry says the same
        assert set(s.batch.postings.values_list("kind", flat=True)) == {s.batch.kind}
        assert sum(s.batch.postings.values_list("amount_fen", flat=True)) == s.total_fen
        entry = Entry.objects.get(key=s.batch.key)
        assert entry.memo.endswith(f"汇总 {s.count} 笔")
    assert control_fen(A) == balances_fen(A) == 16800 and discrepancies() == []


def test_it_posts_a_retiree_allocation_in_both_books_under_one_reference(county_a, demo_policy):
    person = retiree(county_a)
    pooled_cash(A, 1_000_000)
    assert (
        services.account_allocate(person=person, month=JAN, actor=SETUP).kind
        == PostingKind.RETIREE_ALLOCATION
    )
    [batch] = services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP)
    personal, pooled = (
        Entry.objects.get(key=batch.key),
        Entry.objects.get(key=f"{batch.key}:pooled"),
    )
    assert (personal.book.code, pooled.book.code) == (PERSONAL_BOOK, POOLED_BOOK)
    assert personal.source == pooled.source == sweep.SOURCE
    benefit = account_for(book=pooled.book, category=C.BENEFIT_PERSONAL_ACCOUNT, county_code=A)
    assert benefit.balance_fen == 9000 == control_fen(A)  # the policy's monthly amount under 70
    assert discrepancies() == []


def test_it_refuses_the_whole_sweep_when_the_pooled_fund_cannot_pay(county_a, demo_policy):
    services.account_allocate(person=retiree(county_a), month=JAN, actor=SETUP)
    paid = paid_employee(county_a, "在职").person
    services.account_allocate(person=paid, month=JAN, actor=SETUP)
    with pytest.raises(BusinessRuleError) as exc:
        services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP)
    assert exc.value.message is L.OVERDRAFT
    assert (
        not AccountBatch.objects.exists()
        and not AccountPosting.objects.filter(batch__isnull=False).exists()
    )
    assert not Line.objects.exists()  # not even the in-service batch that could have been posted
    assert discrepancies() == []


def test_it_leaves_nothing_matched_when_a_sweep_dies_half_way(county_a, demo_policy, monkeypatch):
    person = paid_employee(county_a).person
    services.account_allocate(person=person, month=JAN, actor=SETUP)
    services.account_pay(person=person, amount_fen=100, month=JAN, key="claim:1", actor=SETUP)
    real = sweep.post_entry
    calls = []

    def dies_on_the_second(**kwargs):
        calls.append(kwargs["key"])
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(sweep, "post_entry", dies_on_the_second)
    with pytest.raises(RuntimeError):
        services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP)
    assert (
        not AccountBatch.objects.exists() and not Entry.objects.filter(source=sweep.SOURCE).exists()
    )
    assert AccountPosting.objects.filter(batch__isnull=True).count() == 2
    monkeypatch.setattr(sweep, "post_entry", real)
    assert (
        len(services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP)) == 2
    )  # the re-run
    assert sorted(AccountBatch.objects.values_list("key", flat=True)) == [
        f"pa:{A}:2026-01:allocation:1",
        f"pa:{A}:2026-01:payment:1",
    ]  # the same keys: nothing was kept
    assert discrepancies() == []


def test_it_moves_the_control_accounts_with_a_person_who_transfers(
    county_a, county_b, clerk_b, demo_policy
):
    mover = paid_employee(county_a, "迁移者", months=(JAN, FEB))
    stayer = paid_employee(county_a, "留守者").person
    services.accounts_allocate_month(month=JAN, actor=SETUP)
    services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP)
    assert control_fen(A) == 20000
    with acting_as(clerk_b):
        transfer = services.transfer_request(
            id_number=mover.person.id_number,
            to_county=county_b,
            new_employer=f.employer(county_b, "新单位"),
            effective_month=APR,
            actor=clerk_b,
        )
    services.transfer_release(transfer=transfer, actor=SETUP)  # the sending county's release
    # February was paid in 亭湖区 but allocated after the move: the account is 盐都区's now.
    services.account_allocate(person=mover.person, month=FEB, actor=SETUP)
    assert discrepancies() == []
    assert balances_fen(A) == 10000 and balances_fen(B) == 20000
    services.account_postings_sweep_all(until=APR, actor=SETUP)
    assert (control_fen(A), control_fen(B)) == (10000, 20000)
    clearing = Account.objects.get(book__code=PERSONAL_BOOK, category=C.PERSONAL_ACCOUNT_CLEARING)
    assert clearing.balance_fen == 0
    assert AccountPosting.objects.get(key=f"transfer:{transfer.pk}:out").county_id == A
    assert services.account_balance(person=stayer) == 10000
    assert discrepancies() == []


def test_it_opens_the_control_account_in_books_opened_before_the_chart_had_it(county_a):
    books_ensure(area_code="320900", codes=[PERSONAL_BOOK, POOLED_BOOK])
    Account.objects.filter(
        category=C.PERSONAL_ACCOUNT_BALANCE
    ).delete()  # as the old chart left them
    f.posting(f.person(county_a), 10000)
    services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP)
    assert control_fen(A) == 10000 and discrepancies() == []


def test_it_lets_only_the_city_sweep(county_a, clerk_a, auditor):
    for user in (clerk_a, auditor):
        with acting_as(user), pytest.raises(PermissionDenied):
            services.account_postings_sweep(county_code=A, month=JAN, actor=user)


def test_it_reports_a_tampered_balance_and_money_put_on_the_control_account_by_hand(
    county_a, demo_policy
):
    person = paid_employee(county_a).person
    services.account_allocate(person=person, month=JAN, actor=SETUP)
    services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP)
    PersonalAccount.objects.filter(person=person).update(balance_fen=999999)
    found = {check for check, _row in discrepancies()}
    assert found == {
        "个人账户余额与记账不符 / a personal account's balance differs from its postings",
        "控制账户余额 + 未汇总记账 ≠ 个人账户余额合计 / control + unswept postings ≠ sum of balances (per county)",
    }
    PersonalAccount.objects.filter(person=person).update(balance_fen=10000)
    book = Account.objects.get(
        book__code=PERSONAL_BOOK, category=C.PERSONAL_ACCOUNT_BALANCE, county_id=A
    ).book
    post_entry(
        key="by-hand",
        book=book,
        memo="手工调账",
        entry_date=JAN,
        lines=[
            dr(account_for(book=book, category=C.TREASURY_TRANSIT, county_code=A), 5, A),
            cr(account_for(book=book, category=C.PERSONAL_ACCOUNT_BALANCE, county_code=A), 5),
        ],
        actor=SETUP,
    )
    found = {check for check, _row in discrepancies()}
    assert (
        "控制账户有不属于任何汇总批次的分录 / a control-account line that no batch accounts for"
        in found
    )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile", stdout=out)
    assert "[差异 FAIL] 控制账户有不属于任何汇总批次的分录" in out.getvalue()


def test_it_reconciles_the_demo_city(regions, demo_policy):
    from enrollment.demo import load as enrollment_demo

    enrollment_demo(lambda _text: None)
    assert (
        AccountBatch.objects.exists()
        and not AccountPosting.objects.filter(batch__isnull=True).exists()
    )
    out = StringIO()
    call_command("reconcile", stdout=out)
    assert (
        "个人账户余额留在已转出的经办单位" in out.getvalue() and "差异 FAIL" not in out.getvalue()
    )


def test_it_shows_on_the_person_record_which_fund_entry_took_each_posting(
    county_a, clerk_a, client_for
):
    from django.urls import reverse

    person = f.person(county_a)
    f.posting(person, 10000)
    url = reverse("enrollment:person", args=[person.pk])
    assert "待汇总入账" in client_for(clerk_a).get(url).content.decode()
    [batch] = services.account_postings_sweep(county_code=A, month=JAN, actor=SETUP)
    page = client_for(clerk_a).get(url).content.decode()
    assert batch.key in page and "待汇总入账" not in page


def test_the_same_movement_asked_with_the_kind_s_code_is_the_same_payload():
    """Found while making the allocation set-wise: stored hashes carry the enum member, so a
    caller passing "allocation" would have met a false key conflict."""
    from enrollment.services.subledger import payload_hash

    as_member = PostingSpec(
        person_id=7, kind=PostingKind.ALLOCATION, month=date(2026, 3, 9), amount_fen=100, key="k"
    )
    as_code = PostingSpec(
        person_id=7, kind="allocation", month=date(2026, 3, 1), amount_fen=100, key="k"
    )
    assert payload_hash(as_member) == payload_hash(as_code)
    assert payload_hash(as_member) != payload_hash(
        PostingSpec(
            person_id=7,
            kind=PostingKind.ALLOCATION,
            month=date(2026, 3, 1),
            amount_fen=101,
            key="k",
        )
    )

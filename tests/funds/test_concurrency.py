"""Real concurrent transactions on PostgreSQL, released together by a barrier."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from funds.chart import Category as C
from funds.models import Account, Entry
from funds.services import cr, dr, post_entry
from funds.services import ledger as L
from pooling.kernel.errors import BusinessRuleError
from tests import races
from tests.actors import SETUP

A = "320902"
DAY = date(2026, 5, 6)
THREADS = 6


def race(work: Callable[[int], object]) -> list[object]:
    """Run work(i) in THREADS threads that all start at the same moment."""
    return races.race(work, THREADS, timeout=30)


@pytest.fixture
def ledger(transactional_db, resident, acct):
    return resident, acct


def test_it_posts_one_entry_when_the_same_key_races(ledger):
    book, acct = ledger
    treasury, income = acct(book, C.TREASURY_TRANSIT), acct(book, C.INCOME_PREMIUM, A)

    def post(i: int) -> int:
        # Half the threads send the same payload, half another one under the same key.
        amount = 100 if i % 2 == 0 else 200
        return post_entry(
            key="collect:race",
            book=book,
            memo="保费",
            entry_date=DAY,
            lines=[dr(treasury, amount, A), cr(income, amount)],
            actor=SETUP,
        ).pk

    results = race(post)
    assert Entry.objects.filter(key="collect:race").count() == 1
    entry = Entry.objects.get(key="collect:race")
    ids = [r for r in results if isinstance(r, int)]
    errors = [r for r in results if isinstance(r, BusinessRuleError)]
    assert ids and set(ids) == {entry.pk}
    assert len(ids) + len(errors) == THREADS, results
    assert all(e.message == L.KEY_REUSED for e in errors)
    winner = Account.objects.get(pk=treasury.pk).balance_fen
    assert winner in (100, 200)
    assert len(ids) == 3  # every thread with the winner's payload got the winner's entry


def test_it_never_overdraws_under_concurrent_debits(ledger):
    book, acct = ledger
    special, city_exp = acct(book, C.FISCAL_SPECIAL), acct(book, C.CITY_EXPENDITURE)
    post_entry(
        key="fund",
        book=book,
        memo="入专户",
        entry_date=DAY,
        lines=[dr(special, 1000, A), cr(acct(book, C.INCOME_PREMIUM, A), 1000)],
        actor=SETUP,
    )

    def pay(i: int) -> int:
        return post_entry(
            key=f"pay:{i}",
            book=book,
            memo="拨付",
            entry_date=DAY,
            lines=[dr(city_exp, 300, A), cr(special, 300, A)],
            actor=SETUP,
        ).pk

    results = race(pay)
    paid = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, BusinessRuleError)]
    assert len(paid) == 3 and len(refused) == THREADS - 3, results
    assert all(e.message == L.OVERDRAFT for e in refused)
    assert Account.objects.get(pk=special.pk).balance_fen == 100
    assert Account.objects.get(pk=city_exp.pk).balance_fen == 900

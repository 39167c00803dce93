"""The ledger against a reference model small enough to be obviously right.

Hypothesis drives random sequences of postings along the fund flow, replays of a
key with the same and with another payload, reversals, period closes and
postings into closed periods. After every step every invariant holds and every
balance equals the model's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from funds.chart import Category as C
from funds.models import Account, AccountTotal, Book, Entry, Line
from funds.services import ledger as L
from funds.services import period_close, post_entry, reverse_entry
from funds.services.setup import account_for
from pooling.kernel.errors import BusinessRuleError
from tests.actors import SETUP

COUNTIES = ["320902", "320903"]
# Each movement: (debit category, credit category) along the money flow.
FLOW = {
    "collect": (C.TREASURY_TRANSIT, C.INCOME_PREMIUM),
    "to_special": (C.FISCAL_SPECIAL, C.TREASURY_TRANSIT),
    "to_city_exp": (C.CITY_EXPENDITURE, C.FISCAL_SPECIAL),
    "to_county_exp": (C.COUNTY_EXPENDITURE, C.CITY_EXPENDITURE),
    "pay_benefit": (C.BENEFIT_INPATIENT, C.COUNTY_EXPENDITURE),
}
KEYS = [f"k{i}" for i in range(8)]


class LedgerMachine(RuleBasedStateMachine):
    book: Book  # set by the test

    @initialize()
    def start(self):
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.balances: dict[int, int] = defaultdict(int)  # the model: account id -> debit-positive
        self.payloads: dict[str, tuple] = {}
        self.lines_of: dict[str, list[tuple[int, int]]] = {}
        self.reversed: set[str] = set()
        self.closed: set[int] = set()
        self.no_overdraft = set(
            Account.objects.filter(book=self.book, no_overdraft=True).values_list("pk", flat=True)
        )

    def teardown(self):
        if hasattr(self, "_atomic"):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    def account(self, category, county):
        return account_for(book=self.book, category=category, county_code=county)

    def expect(self, key, payload, lines, month, post):
        """Apply the model's verdict, then check the service reached the same one."""
        if key in self.payloads:
            expected: object = None if self.payloads[key] == payload else L.KEY_REUSED
        elif month in self.closed:
            expected = L.PERIOD_CLOSED
        elif any(
            pk in self.no_overdraft and self.balances[pk] + delta < 0
            for pk, delta in _sum(lines).items()
        ):
            expected = L.OVERDRAFT
        else:
            expected = "post"
        try:
            post()
            outcome = "post" if expected == "post" else None
        except BusinessRuleError as err:
            outcome = err.message
        assert outcome == expected, (key, payload, expected, outcome)
        if expected == "post":
            self.payloads[key] = payload
            self.lines_of[key] = lines
            for pk, amount in lines:
                self.balances[pk] += amount

    @rule(
        key=st.sampled_from(KEYS),
        move=st.sampled_from(sorted(FLOW)),
        county=st.sampled_from(COUNTIES),
        amount=st.integers(1, 10_000),
        month=st.integers(1, 3),
    )
    def post(self, key, move, county, amount, month):
        debit, credit = (self.account(cat, county) for cat in FLOW[move])
        lines = [(debit.pk, amount), (credit.pk, -amount)]
        self.expect(
            key,
            ("post", move, county, amount, month),
            lines,
            month,
            lambda: post_entry(
                key=key,
                book=self.book,
                memo=move,
                entry_date=date(2026, month, 5),
                lines=[L.dr(debit, amount, county), L.cr(credit, amount, county)],
                actor=SETUP,
            ),
        )

    @rule(key=st.sampled_from(KEYS), month=st.integers(1, 3))
    def reverse(self, key, month):
        if key not in self.lines_of or key.startswith("reversal:"):
            return
        entry = Entry.objects.get(key=key)
        lines = [(pk, -amount) for pk, amount in self.lines_of[key]]
        self.expect(
            f"reversal:{key}",
            ("reverse", key, month),
            lines,
            month,
            lambda: reverse_entry(entry=entry, entry_date=date(2026, month, 20), actor=SETUP),
        )

    @rule(month=st.integers(1, 3))
    def close(self, month):
        period_close(book=self.book, year=2026, month=month, actor=SETUP)
        self.closed.add(month)

    @invariant()
    def balances_equal_the_model(self):
        if not hasattr(self, "balances"):
            return
        stored = dict(
            Account.objects.filter(book=self.book)
            .exclude(balance_fen=0)
            .values_list("pk", "balance_fen")
        )
        assert stored == {pk: b for pk, b in self.balances.items() if b}
        assert Entry.objects.filter(book=self.book).count() == len(self.payloads)

    @invariant()
    def books_balance_and_totals_match_lines(self):
        if not hasattr(self, "balances"):
            return
        lines = Line.objects.filter(book=self.book)
        assert (lines.aggregate(s=Sum("amount_fen"))["s"] or 0) == 0
        by_account = dict(
            lines.values("account").annotate(s=Sum("amount_fen")).values_list("account", "s")
        )
        assert by_account == {pk: b for pk, b in self.balances.items() if pk in by_account}
        totals = AccountTotal.objects.filter(account__book=self.book).aggregate(
            d=Sum("debit_fen"), c=Sum("credit_fen")
        )
        assert (
            (totals["d"] or 0)
            == (totals["c"] or 0)
            == sum(a for a in lines.values_list("amount_fen", flat=True) if a > 0)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM (SELECT entry_id FROM funds_line GROUP BY entry_id"
                " HAVING sum(amount_fen) <> 0 OR count(*) < 2) x"
            )
            assert cursor.fetchone()[0] == 0


def _sum(lines):
    out: dict[int, int] = defaultdict(int)
    for pk, amount in lines:
        out[pk] += amount
    return out


@pytest.mark.django_db
def test_it_keeps_every_invariant_under_random_sequences(resident):
    LedgerMachine.book = resident
    run_state_machine_as_test(
        LedgerMachine, settings=settings(max_examples=20, stateful_step_count=25, deadline=None)
    )

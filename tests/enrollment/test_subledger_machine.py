"""The sub-ledger against a reference model: after any sequence of allocations (one person or
a whole month), payments (repeated, reused keys, overdrawn), sweeps and transfers between
counties, every balance is the model's and every identity of `manage.py reconcile` holds —
above all, per county, control account + unswept postings = the sum of its people's balances."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from enrollment import services
from enrollment.models import PersonalAccount
from enrollment.services import subledger
from pooling.kernel.errors import BusinessRuleError
from pooling.models import Region
from tests.actors import SETUP
from tests.enrollment import factories as f
from tests.enrollment.subledger_helpers import discrepancies, paid_employee, pooled_cash, retiree

A, B = "320902", "320903"
MONTHS = [date(2026, m, 1) for m in (1, 2, 3)]
KEYS = [f"claim:{n}" for n in range(5)]
EMPLOYEES = 4  # two in each county; then one retiree in 亭湖区
RETIREE_FEN, IN_SERVICE_FEN = 9000, 10000


class SubLedgerMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        counties = {c.code: c for c in Region.objects.filter(code__in=[A, B])}
        self.people = [
            paid_employee(counties[A if n < 2 else B], f"员工{n}", months=tuple(MONTHS)).person
            for n in range(EMPLOYEES)
        ]
        self.people.append(retiree(counties[A]))
        for code in (A, B):
            pooled_cash(code, 10_000_000)
        self.employers = {code: f.employer(county, "转入单位") for code, county in counties.items()}
        self.balance = {p.pk: 0 for p in self.people}
        self.county = {p.pk: p.county_id for p in self.people}
        self.allocated: set[tuple[int, date]] = set()
        self.payments: dict[str, tuple[int, int, date]] = {}
        self.next_move = {p.pk: 4 for p in self.people}

    def teardown(self):
        if hasattr(self, "_atomic"):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    def due(self, person) -> int:
        return RETIREE_FEN if person is self.people[-1] else IN_SERVICE_FEN

    @rule(who=st.integers(0, EMPLOYEES), month=st.sampled_from(MONTHS))
    def allocate_one(self, who, month):
        person = self.people[who]
        services.account_allocate(person=person, month=month, actor=SETUP)
        if (person.pk, month) not in self.allocated:
            self.allocated.add((person.pk, month))
            self.balance[person.pk] += self.due(person)

    @rule(month=st.sampled_from(MONTHS))
    def allocate_month(self, month):
        expected = [p for p in self.people if (p.pk, month) not in self.allocated]
        assert services.accounts_allocate_month(month=month, actor=SETUP) == len(expected)
        for person in expected:
            self.allocated.add((person.pk, month))
            self.balance[person.pk] += self.due(person)

    @rule(
        who=st.integers(0, EMPLOYEES),
        amount=st.integers(1, 15000),
        key=st.sampled_from(KEYS),
        month=st.sampled_from(MONTHS),
    )
    def pay(self, who, amount, key, month):
        person = self.people[who]
        payload = (person.pk, amount, month)
        if key in self.payments:
            expected: object = None if self.payments[key] == payload else subledger.KEY_CONFLICT
        elif self.balance[person.pk] < amount:
            expected = subledger.INSUFFICIENT
        else:
            expected = "paid"
        try:
            services.account_pay(
                person=person, amount_fen=amount, month=month, key=key, actor=SETUP
            )
            outcome = None if key in self.payments else "paid"
        except BusinessRuleError as exc:
            outcome = exc.message
        assert outcome == expected, (key, payload, expected, outcome)
        if expected == "paid":
            self.payments[key] = payload
            self.balance[person.pk] -= amount

    @rule(county=st.sampled_from([A, B]), month=st.sampled_from(MONTHS + [date(2026, 4, 1)]))
    def sweep(self, county, month):
        services.account_postings_sweep(county_code=county, month=month, actor=SETUP)

    @rule()
    def sweep_everything(self):
        services.account_postings_sweep_all(until=date(2026, 12, 1), actor=SETUP)

    @rule(who=st.integers(0, EMPLOYEES - 1))
    def transfer(self, who):
        person = self.people[who]
        if self.next_move[person.pk] > 12:
            return
        target = B if self.county[person.pk] == A else A
        transfer = services.transfer_request(
            id_number=person.id_number,
            to_county=self.employers[target].county,
            new_employer=self.employers[target],
            effective_month=date(2026, self.next_move[person.pk], 1),
            actor=SETUP,
        )
        services.transfer_release(transfer=transfer, actor=SETUP)
        self.county[person.pk] = target
        self.next_move[person.pk] += 1

    @invariant()
    def balances_are_the_models(self):
        if hasattr(self, "balance"):
            stored = dict(PersonalAccount.objects.values_list("person_id", "balance_fen"))
            assert {pk: stored.get(pk, 0) for pk in self.balance} == self.balance

    @invariant()
    def every_identity_holds(self):
        if hasattr(self, "balance"):
            assert discrepancies() == []


@pytest.mark.django_db
def test_it_keeps_the_control_identity_under_any_sequence(regions, demo_policy):
    run_state_machine_as_test(
        SubLedgerMachine,
        settings=settings(
            max_examples=8,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )

"""Two payments racing for the same account: the row lock lets only one through."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from enrollment import services
from pooling.kernel.errors import BusinessRuleError
from tests.actors import SETUP
from tests.enrollment import factories as f


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_racing_payments_through(county_a):
    person = f.person(county_a)
    f.posting(person, 10000)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay(n: int) -> None:
        try:
            barrier.wait()
            services.account_pay(
                person=person, amount_fen=8000, month=date(2026, 2, 1), key=f"race:{n}", actor=SETUP
            )
            outcomes.append("paid")
        except BusinessRuleError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["paid", "refused"]
    assert services.account_balance(person=person) == 2000

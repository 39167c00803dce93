"""Many claims for one person near the annual limit, settled at the same moment on real
PostgreSQL transactions: the person's row lock lets them through one at a time, so the
fund never pays past the limit and the accumulators equal the sum of the settlements."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from settlement.models import Accumulator, Settlement, Visit
from settlement.services.settle import SettleInput, settlement_settle
from settlement.services.visits import FeeLine, VisitInfo, fees_add, visit_open
from tests import races
from tests.actors import SETUP

THREADS = 6


def race(work):
    return races.race(work, THREADS)


@pytest.mark.django_db(transaction=True)
def test_it_never_pays_past_the_annual_limit_when_claims_race(hospital, people):
    from decimal import Decimal

    person = people.employee
    year = timezone.localdate().year
    # Outpatient pooling, 二级, in service: limit 3,000.00 a year, 2,900.00 already paid, deductible met.
    Accumulator.objects.create(
        person=person,
        year=year,
        scheme="employee",
        deductible_paid={"outpatient": 60000},
        fund_paid={"outpatient": 290000},
    )
    now = timezone.now()
    visits = []
    for i in range(THREADS):
        visit = visit_open(
            provider=hospital,
            person=person,
            insutype="310",
            med_type="11",
            begntime=now - timedelta(minutes=30),
            msgid=f"M{i}",
            info=VisitInfo(),
        )
        fees_add(
            visit=visit,
            lines=[
                FeeLine(
                    feedetl_sn="1",
                    code="250101001000000",
                    quantity=Decimal(1),
                    price_fen=100000,
                    amount_fen=100000,
                    occurred_at=now,
                )
            ],
        )
        visits.append(visit)

    results = race(
        lambda i: settlement_settle(
            data=SettleInput(visit=Visit.objects.get(pk=visits[i].pk)), actor=SETUP
        )
    )
    assert all(isinstance(r, Settlement) for r in results), results
    paid = sorted(r.hifp_pay for r in results)
    assert sum(paid) == 10000 and paid[-1] == 10000  # exactly what was left, once
    acc = Accumulator.objects.get(person=person, year=year, scheme="employee")
    assert acc.fund_paid["outpatient"] == 300000 == 290000 + sum(paid)
    assert acc.settlements == THREADS


@pytest.mark.django_db(transaction=True)
def test_one_serial_uploaded_at_the_same_moment_is_stored_once(hospital, people):
    """The visit's row lock makes racing uploads take turns, so the check folded into the insert
    (fees_sql.insert) sees the line a first upload committed: the others get the national
    "already uploaded" refusal, not a unique-constraint failure."""
    from decimal import Decimal

    from django.db import transaction

    from pooling.kernel.errors import BusinessRuleError
    from settlement.models import FeeDetail

    now = timezone.now()
    visit = visit_open(
        provider=hospital,
        person=people.employee,
        insutype="310",
        med_type="11",
        begntime=now - timedelta(minutes=30),
        msgid="M0",
        info=VisitInfo(),
    )

    def upload(i: int) -> object:
        with transaction.atomic():
            line = FeeLine(
                feedetl_sn="S1",
                code="250101001000000",
                quantity=Decimal(1),
                price_fen=100 + i,
                amount_fen=100 + i,
                occurred_at=now,
            )
            saved = fees_add(visit=Visit.objects.get(pk=visit.pk), lines=[line])
            time.sleep(0.2)  # commit late: the others have started their uploads by now
            return saved

    results = race(upload)
    stored = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, BusinessRuleError)]
    assert len(stored) == 1 and len(refused) == THREADS - 1, results
    assert all(r.code == "duplicate_sn" and r.params == {"sn": "S1"} for r in refused)
    assert list(FeeDetail.objects.values_list("pk", flat=True)) == [stored[0][0].pk]

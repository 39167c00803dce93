"""The settling transaction's few statements (settlement/services/settle_sql.py): what it reads under
the locks is what the locked visit says, and what it writes adds up (settlement/reconcile.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from enrollment.models import Person
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import acting_for_provider, unrestricted
from settlement import reconcile
from settlement.hsa.errors import HsaError
from settlement.hsa.shapes import visit_from
from settlement.models import Accumulator, FeeDetail, Settlement, Visit, VisitStatus
from settlement.services import settle_sql
from settlement.services.settle import SettleInput, _fees, settlement_settle
from tests.actors import SETUP
from tests.providers.factories import make_provider


def test_it_judges_the_visit_as_locked_not_as_first_read(hsa, people):
    """A 2203 changing the visit between the message's first read and the visit's lock: the
    enrolment is read for what the locked visit says (resident, where this employee is not enrolled)."""
    person = people.employee
    mdtrt_id = hsa.register(person)
    assert hsa.fees(mdtrt_id, person, [("001102000000100", "1", "20.00")])["infcode"] == 0
    first_read = Visit.objects.get()
    Visit.objects.filter(pk=first_read.pk).update(insutype="390")
    with pytest.raises(BusinessRuleError) as refused:
        settlement_settle(data=SettleInput(visit=first_read, medfee_sumamt_fen=2000), actor=SETUP)
    assert refused.value.code == "not_enrolled"
    assert not Settlement.objects.exists()


def test_what_it_writes_adds_up_to_the_fen(hsa, people):
    """Employee, 二级 hospital, ordinary outpatient (demo policy: deductible 600.00, fund 55 %):
    1,000.00 then 300.00 of class A; the second pays from the account (balance 500.00)."""
    person = people.employee
    for total, acct in (("1000.00", False), ("300.00", True)):
        mdtrt_id = hsa.register(person)
        hsa.fees(mdtrt_id, person, [("250101001000000", "1", total)])
        answer = hsa.settle(mdtrt_id, person, total, acct=acct)
        assert answer["infcode"] == 0, answer
    # 1st: deductible 600, fund 55 % of 400 = 220. 2nd: deductible met, fund 55 % of 300 = 165;
    # the account pays the 135 left.
    acc = Accumulator.objects.get(person=person, scheme="employee")
    assert acc.deductible_paid == {"outpatient": 60000}
    assert acc.fund_paid == {"outpatient": 22000 + 16500}
    assert acc.settlements == 2
    second = Settlement.objects.order_by("id").last()
    assert second is not None and second.acct_pay == 13500 and second.hifp_pay == 16500
    assert set(FeeDetail.objects.values_list("settlement_id", flat=True)) == set(
        Settlement.objects.values_list("id", flat=True)
    )
    assert set(Visit.objects.values_list("status", flat=True)) == {VisitStatus.SETTLED}
    with connection.cursor() as cursor:
        for check in (reconcile.SCALARS, reconcile.MIRRORS, reconcile.VISITS):
            cursor.execute(check)
            assert cursor.fetchall() == []
    assert reconcile.scopes(limit=10) == []


def test_the_hand_written_reads_keep_to_the_providers_own_visit(hsa, people, county_a):
    """visit_from (each lock), `hold` and the fee lines' read under another provider's scope find
    nothing of this visit; under its own provider's, the visit with its person as the ORM reads them."""
    person = people.employee
    mdtrt_id = hsa.register(person)
    hsa.fees(mdtrt_id, person, [("001102000000100", "1", "20.00")])
    visit = Visit.objects.get()
    other = make_provider(county_a, "他院")
    data = {"mdtrt_id": mdtrt_id}
    with acting_for_provider(other.pk):
        for lock, lock_person in ((False, False), (True, False), (False, True)):
            with pytest.raises(HsaError) as missing:
                visit_from(data, lock=lock, lock_person=lock_person)
            assert missing.value.code == "no_visit"
        with pytest.raises(Visit.DoesNotExist):
            settle_sql.hold(visit=visit, person_id=person.pk, scheme="employee", on=date.today())
        with pytest.raises(BusinessRuleError) as no_fees:
            _fees(visit, SettleInput(visit=visit))
        assert no_fees.value.code == "no_fees"
    with acting_for_provider(visit.provider_id):
        for lock, lock_person in ((False, False), (True, False), (False, True)):
            found = visit_from(data, lock=lock, lock_person=lock_person)
            assert model_to_dict(found) == model_to_dict(visit) and found.pk == visit.pk
        assert Visit.person.is_cached(found)
        with unrestricted():
            assert model_to_dict(found.person) == model_to_dict(Person.objects.get(pk=person.pk))
        held = settle_sql.hold(visit=visit, person_id=person.pk, scheme="employee", on=date.today())
        assert held.visit.pk == visit.pk and held.enrolment is not None
        assert held.balance_fen == 50000  # the employee's account (conftest)
        assert [f.amount_fen for f in _fees(visit, SettleInput(visit=visit))] == [2000]

"""The set-wise allocation (PostgreSQL) writes exactly what the Python path writes."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from enrollment import services
from enrollment.models import AccountPosting, PersonalAccount, PostingKind
from enrollment.services.accounts_setwise import accounts_allocate_county_setwise
from enrollment.services.subledger import KEY_CONFLICT, PostingSpec, payload_hash, posting_write
from enrollment.services.sweep import account_postings_sweep
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import acting_as
from tests.actors import SETUP
from tests.enrollment import factories as f
from tests.enrollment.subledger_helpers import balances_fen, control_fen, discrepancies, pooled_cash

pytestmark = pytest.mark.django_db
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def _paid_month(e, month):
    line = services.declaration_line_add(
        employer=e.employer, month=month, person=e.person, declared_base_fen=500000, actor=SETUP
    ).line
    services.collection_record(
        tax_ref=f"T{e.pk}-{month:%Y%m}",
        credit_code=e.employer.credit_code,
        month=month,
        amount_fen=line.declaration.total_fen,
        received_on=month,
        actor=SETUP,
    )


def _world(county_a, county_b):
    """Paid, declared-unpaid, already allocated, two retirees by age, a paid person elsewhere."""
    paid = f.employee_enrolment(county_a, "甲")
    _paid_month(paid, JAN)
    unpaid = f.employee_enrolment(county_a, "乙", emp=paid.employer)
    assert unpaid.employer is not None
    services.declaration_line_add(
        employer=unpaid.employer,
        month=FEB,
        person=unpaid.person,
        declared_base_fen=500000,
        actor=SETUP,
    )
    earlier = f.employee_enrolment(county_a, "丙")
    _paid_month(earlier, JAN)
    services.account_allocate(
        person=earlier.person, month=JAN, actor=SETUP
    )  # written before the run
    young = f.employee_enrolment(county_a, "六十五")
    old = f.employee_enrolment(county_a, "七十五", emp=young.employer)
    old.person.birth_date = date(1950, 1, 1)
    old.person.save()
    for e in (young, old):
        services.person_retire(person=e.person, on=date(2025, 12, 1), actor=SETUP)
    _paid_month(f.employee_enrolment(county_b, "丁"), JAN)
    return {"paid": paid, "earlier": earlier, "young": young, "old": old}


def _snapshot():
    postings = sorted(
        AccountPosting.objects.values_list(
            "county_id",
            "account__person_id",
            "kind",
            "month",
            "amount_fen",
            "key",
            "payload_hash",
            "memo",
            "batch_id",
            "created_by_id",
        )
    )
    return postings, dict(PersonalAccount.objects.values_list("person_id", "balance_fen"))


def _run(allocate, county_code):
    """Run one path inside a savepoint rolled back afterwards; what it wrote, and its count."""
    with transaction.atomic():
        written = allocate(month=JAN, actor=SETUP, county_code=county_code)
        seen = _snapshot()
        transaction.set_rollback(True)
    return written, seen


def test_the_set_wise_path_writes_the_same_postings_as_the_python_path(
    county_a, county_b, demo_policy
):
    w = _world(county_a, county_b)
    python = _run(services.accounts_allocate_month, county_a.code)
    setwise = _run(accounts_allocate_county_setwise, county_a.code)
    assert setwise == python
    written, (postings, balances) = setwise
    assert (
        written == 3
    )  # 甲 100.00, retirees 90.00 and 110.00; 丙 had it already, 乙 unpaid, 丁 elsewhere
    assert balances[w["paid"].person.pk] == 10000 and balances[w["earlier"].person.pk] == 10000
    assert (balances[w["young"].person.pk], balances[w["old"].person.pk]) == (9000, 11000)
    for _county, person_id, kind, month, amount, key, digest, *_rest in postings:
        # The kind as the services pass it (the member: its repr is part of the hash).
        assert digest == payload_hash(
            PostingSpec(
                person_id=person_id, kind=PostingKind(kind), month=month, amount_fen=amount, key=key
            )
        )
    assert {p[2] for p in postings} == {PostingKind.ALLOCATION, PostingKind.RETIREE_ALLOCATION}


def test_a_second_set_wise_run_writes_nothing(county_a, county_b, demo_policy):
    _world(county_a, county_b)
    assert accounts_allocate_county_setwise(month=JAN, actor=SETUP, county_code=county_a.code) == 3
    before = _snapshot()
    assert accounts_allocate_county_setwise(month=JAN, actor=SETUP, county_code=county_a.code) == 0
    assert _snapshot() == before


def test_a_key_used_for_another_amount_is_refused_and_nothing_is_written(
    county_a, county_b, demo_policy
):
    w = _world(county_a, county_b)
    person = w["paid"].person
    # The allocation's key, already used (by hand, say) for another amount.
    posting_write(
        spec=PostingSpec(
            person_id=person.pk,
            kind=PostingKind.ALLOCATION,
            month=JAN,
            amount_fen=1,
            key=f"alloc:{person.id_number}:2026-01",
        ),
        actor=SETUP,
    )
    before = _snapshot()
    with pytest.raises(BusinessRuleError) as caught, transaction.atomic():
        accounts_allocate_county_setwise(month=JAN, actor=SETUP, county_code=county_a.code)
    assert caught.value.message is KEY_CONFLICT
    assert _snapshot() == before


def test_a_county_clerk_cannot_run_it(county_a, county_b, clerk_a, demo_policy):
    _world(county_a, county_b)
    with acting_as(clerk_a), pytest.raises(PermissionDenied):
        accounts_allocate_county_setwise(month=JAN, actor=SETUP, county_code=county_a.code)


def test_after_the_set_wise_write_and_the_sweep_the_sub_ledger_reconciles(
    county_a, county_b, demo_policy
):
    w = _world(county_a, county_b)
    pooled_cash(county_a.code, 100000)  # what the retirees' 200.00 is paid from
    accounts_allocate_county_setwise(month=JAN, actor=SETUP, county_code=county_a.code)
    assert discrepancies() == []  # control + unswept = Σ balances, each balance = Σ its postings
    account_postings_sweep(county_code=county_a.code, month=JAN, actor=SETUP)
    # 甲 and 丙 100.00 each, the retirees 90.00 + 110.00: all of it on the control account now.
    assert control_fen(county_a.code) == balances_fen(county_a.code) == 40000
    assert discrepancies() == []
    assert services.account_balance(person=w["old"].person) == 11000

"""The sub-ledger writer's rules as a settlement meets them — a payment and its refund — on
whichever database runs the suite: PostgreSQL takes the hand-written statements
(`subledger_sql`), SQLite (tests/settlement/test_sqlite_settlement.py runs this file there too)
the ORM's."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from enrollment import services
from enrollment.models import AccountPosting, PersonalAccount, PostingKind
from enrollment.services import subledger
from enrollment.services.accounts import account_refund
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import acting_as
from tests.actors import SETUP
from tests.enrollment import factories as f

FEB = date(2026, 2, 1)


def balance(person) -> int:
    return PersonalAccount.objects.get(person=person).balance_fen


def pay(person, amount_fen=3000, key="setl:1", actor=SETUP) -> AccountPosting:
    return services.account_pay(
        person=person, amount_fen=amount_fen, month=date(2026, 2, 17), key=key, actor=actor
    )


def test_a_payment_is_written_in_the_person_s_county_in_the_clerk_s_name(county_a, clerk_a):
    person = f.person(county_a)
    f.posting(person, 10000)
    with acting_as(clerk_a):
        paid = pay(person, actor=clerk_a)
    stored = AccountPosting.objects.get(key="setl:1")
    assert (stored.pk, stored.county_id, stored.created_by_id) == (paid.pk, county_a.pk, clerk_a.pk)
    assert (stored.kind, stored.month, stored.amount_fen) == (PostingKind.PAYMENT, FEB, -3000)
    assert stored.memo == "个人账户支付" and stored.batch_id is None
    assert (paid.created_at, paid.payload_hash) == (stored.created_at, stored.payload_hash)
    assert balance(person) == 7000


def test_a_replayed_payment_is_the_posting_already_written(county_a):
    person = f.person(county_a)
    f.posting(person, 10000)
    first = pay(person)
    assert pay(person).pk == first.pk
    assert balance(person) == 7000 and AccountPosting.objects.filter(key="setl:1").count() == 1


def test_a_key_reused_for_another_payment_is_refused_and_writes_nothing(county_a):
    person = f.person(county_a)
    f.posting(person, 10000)
    pay(person)
    with pytest.raises(BusinessRuleError) as exc:
        pay(person, amount_fen=3001)
    assert exc.value.message is subledger.KEY_CONFLICT
    assert balance(person) == 7000 and AccountPosting.objects.count() == 2


def test_a_payment_beyond_the_balance_is_refused_and_writes_nothing(county_a):
    person = f.person(county_a)
    f.posting(person, 10000)
    with pytest.raises(BusinessRuleError) as exc:
        pay(person, amount_fen=10001)
    assert exc.value.message is subledger.INSUFFICIENT
    assert "100.00" in exc.value.text() and "100.01" in exc.value.text()
    assert balance(person) == 10000 and not AccountPosting.objects.filter(key="setl:1").exists()


def test_a_clerk_of_another_county_cannot_pay_from_the_account(county_a, clerk_b):
    person = f.person(county_a)
    f.posting(person, 10000)
    with acting_as(clerk_b), pytest.raises(PermissionDenied):
        pay(person, actor=clerk_b)
    assert balance(person) == 10000 and not AccountPosting.objects.filter(key="setl:1").exists()


def test_a_refund_puts_back_what_the_payment_took(county_a):
    person = f.person(county_a)
    f.posting(person, 10000)
    pay(person)
    account_refund(person=person, amount_fen=3000, month=FEB, key="setl:1:refund", actor=SETUP)
    assert balance(person) == 10000
    kinds = AccountPosting.objects.order_by("pk").values_list("kind", "amount_fen")
    assert list(kinds)[1:] == [(PostingKind.PAYMENT, -3000), (PostingKind.PAYMENT_REFUND, 3000)]

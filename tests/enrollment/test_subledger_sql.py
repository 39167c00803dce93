"""The sub-ledger writer's hand-written statements (PostgreSQL, issue 12): the rows they write
are the ORM path's, a key taken by another transaction meanwhile is answered as before (also in a
real race of two transactions, which meet at the unique index), and a payment costs four
statements and no savepoint."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from enrollment.models import AccountPosting, PersonalAccount, PostingKind
from enrollment.services import subledger, subledger_sql
from enrollment.services.subledger import PostingSpec
from pooling.kernel.errors import BusinessRuleError
from tests.actors import SETUP
from tests.enrollment import factories as f

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the hand-written statements are PostgreSQL's"
)
FEB = date(2026, 2, 1)


def payment(person, key: str, amount_fen: int = -3000) -> PostingSpec:
    return PostingSpec(
        person_id=person.pk,
        kind=PostingKind.PAYMENT,
        month=date(2026, 2, 17),
        amount_fen=amount_fen,
        key=key,
        memo="结算 1",
    )


def comparable(posting: AccountPosting) -> dict:
    """What both paths must write alike (ids, keys and the person's hash differ by design)."""
    fields = model_to_dict(posting, exclude=["id", "account", "key", "payload_hash"])
    fields["created_at"] = posting.created_at is not None
    return fields


def test_the_hand_written_path_writes_the_orm_path_s_rows(county_a, clerk_a):
    one, two = f.person(county_a, "甲"), f.person(county_a, "乙")
    f.posting(one, 10000), f.posting(two, 10000)
    fast = subledger._written_sql([payment(one, "fast")], clerk_a).postings[0]
    orm = subledger._written_orm([payment(two, "orm")], clerk_a).postings[0]
    assert comparable(fast) == comparable(orm)
    assert fast.payload_hash == subledger.payload_hash(payment(one, "fast"))
    stored = AccountPosting.objects.get(pk=fast.pk)
    assert model_to_dict(stored) == model_to_dict(fast) and stored.created_at == fast.created_at
    assert comparable(stored) == comparable(AccountPosting.objects.get(pk=orm.pk))
    assert [fast.account_id, fast._state.adding] == [
        PersonalAccount.objects.get(person=one).pk,
        False,
    ]
    balances = PersonalAccount.objects.filter(person__in=[one, two]).values_list("balance_fen")
    assert list(balances) == [(7000,), (7000,)]


def test_a_payment_is_four_statements_and_no_savepoint(county_a):
    person = f.person(county_a)
    f.posting(person, 10000)
    with CaptureQueriesContext(connection) as queries:
        subledger.posting_write(spec=payment(person, "setl:1"), actor=SETUP)
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 4 and not any("SAVEPOINT" in s for s in sql), sql
    assert "FOR NO KEY UPDATE" in sql[0] and "ON CONFLICT" in sql[3]


def taken_meanwhile(monkeypatch) -> None:
    """The first look at the keys misses what another transaction commits right after it."""
    looks: Iterator[dict[str, AccountPosting]] = iter([{}])
    real = subledger_sql.existing
    monkeypatch.setattr(subledger_sql, "existing", lambda keys: next(looks, None) or real(keys))


def test_a_key_taken_meanwhile_for_another_person_is_refused_and_moves_nothing(
    county_a, monkeypatch
):
    one, two = f.person(county_a, "甲"), f.person(county_a, "乙")
    f.posting(one, 10000), f.posting(two, 10000)
    subledger.posting_write(spec=payment(two, "setl:1"), actor=SETUP)
    taken_meanwhile(monkeypatch)
    with pytest.raises(BusinessRuleError) as exc:
        subledger.posting_write(spec=payment(one, "setl:1"), actor=SETUP)
    assert exc.value.message is subledger.KEY_CONFLICT
    # Nothing written, and the caller's transaction goes on (no statement failed in it).
    assert PersonalAccount.objects.get(person=one).balance_fen == 10000
    assert AccountPosting.objects.get(key="setl:1").account.person_id == two.pk


def test_a_batch_with_a_key_taken_meanwhile_writes_none_of_its_postings(county_a, monkeypatch):
    one, two = f.person(county_a, "甲"), f.person(county_a, "乙")
    f.posting(one, 10000), f.posting(two, 10000)
    subledger.posting_write(spec=payment(two, "setl:1"), actor=SETUP)
    taken_meanwhile(monkeypatch)
    with pytest.raises(BusinessRuleError) as exc:
        subledger.postings_write(
            specs=[payment(one, "setl:2"), payment(one, "setl:1")], actor=SETUP
        )
    assert exc.value.message is subledger.KEY_CONFLICT
    assert not AccountPosting.objects.filter(key="setl:2").exists()
    assert PersonalAccount.objects.get(person=one).balance_fen == 10000


def test_the_database_still_refuses_an_overdraft_the_check_missed(county_a, monkeypatch):
    person = f.person(county_a)
    f.posting(person, 10000)
    monkeypatch.setattr(subledger, "_refuse_overdraft", lambda accounts, deltas: None)
    with pytest.raises(Exception, match="personal_account_not_negative"):
        subledger.postings_write(
            specs=[payment(person, "a", -6000), payment(person, "b", -6000)], actor=SETUP
        )
    assert PersonalAccount.objects.get(person=person).balance_fen == 10000


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_one_key_get_one_posting_and_one_refusal(county_a):
    one, two = f.person(county_a, "甲"), f.person(county_a, "乙")
    f.posting(one, 10000), f.posting(two, 10000)
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def pay(person) -> None:
        try:
            with transaction.atomic():  # as a settlement's: the single posting's fast path
                barrier.wait()
                subledger.posting_write(spec=payment(person, "setl:1"), actor=SETUP)
            outcomes[person.pk] = "paid"
        except BusinessRuleError as exc:
            outcomes[person.pk] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(p,)) for p in (one, two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["key_conflict", "paid"]
    winner = AccountPosting.objects.get(key="setl:1").account.person_id
    assert outcomes[winner] == "paid"
    balances = dict(PersonalAccount.objects.values_list("person_id", "balance_fen"))
    assert balances == {winner: 7000, (two.pk if winner == one.pk else one.pk): 10000}

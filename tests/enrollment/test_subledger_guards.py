"""Raw SQL that would rewrite personal-account history is refused by PostgreSQL itself: by the
triggers even for the tables' owner, and by its privileges for the runtime role the
application serves as (pooling/dbroles.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction

from enrollment import services
from enrollment.models import AccountBatch, AccountPosting, PersonalAccount
from tests.actors import SETUP
from tests.enrollment import factories as f

JAN = date(2026, 1, 1)


def refused(sql: str, params: list | None = None, error: type[Exception] = IntegrityError) -> str:
    """Run SQL in a savepoint; return the database's refusal."""
    with pytest.raises(error) as err, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # TRUNCATE waits for no deferred check of ours
        cursor.execute(sql, params)
    return str(err.value)


@pytest.fixture
def swept(county_a):
    """One posting matched to a batch, and one still unswept."""
    person = f.person(county_a)
    f.posting(person, 10000)
    [batch] = services.account_postings_sweep(county_code=county_a.code, month=JAN, actor=SETUP)
    f.posting(person, 500)
    return batch


REWRITES = [
    "UPDATE enrollment_accountposting SET amount_fen = amount_fen * 2",
    "UPDATE enrollment_accountposting SET county_id = '320903'",
    "UPDATE enrollment_accountposting SET memo = 'changed'",
    "DELETE FROM enrollment_accountposting",
    "UPDATE enrollment_accountbatch SET month = '2026-02-01'",
    "DELETE FROM enrollment_accountbatch",
]
TRUNCATES = [
    "TRUNCATE enrollment_accountposting CASCADE",
    "TRUNCATE enrollment_person CASCADE",
    "TRUNCATE enrollment_personalaccount CASCADE",
    "TRUNCATE enrollment_accountbatch CASCADE",
]


@pytest.mark.parametrize("sql", REWRITES)
def test_it_refuses_to_rewrite_the_sub_ledger_even_for_the_owner(swept, db_owner, sql):
    assert "immutable" in refused(sql)
    assert sorted(AccountPosting.objects.values_list("amount_fen", flat=True)) == [500, 10000]


@pytest.mark.parametrize("sql", TRUNCATES)
def test_it_refuses_to_truncate_the_sub_ledger_even_for_the_owner(swept, db_owner, sql):
    assert "TRUNCATE refused" in refused(sql, error=ProgrammingError)
    assert AccountPosting.objects.count() == 2


@pytest.mark.parametrize("sql", REWRITES + TRUNCATES)
def test_the_runtime_role_may_not_rewrite_or_truncate_the_sub_ledger(swept, sql):
    assert "permission denied for table" in refused(sql, error=ProgrammingError)
    assert sorted(AccountPosting.objects.values_list("amount_fen", flat=True)) == [500, 10000]


def test_it_matches_a_posting_once_and_only_to_a_batch_of_its_own(swept, county_b):
    matched = AccountPosting.objects.get(batch=swept)
    other = AccountBatch.objects.create(
        county=swept.county, month=JAN, kind=swept.kind, key="pa:other"
    )
    assert "immutable" in refused(
        "UPDATE enrollment_accountposting SET batch_id = %s WHERE id = %s", [other.pk, matched.pk]
    )
    assert "immutable" in refused(
        "UPDATE enrollment_accountposting SET batch_id = NULL WHERE id = %s", [matched.pk]
    )
    elsewhere = AccountBatch.objects.create(
        county=county_b, month=JAN, kind=swept.kind, key="pa:elsewhere"
    )
    assert "another county" in refused(
        "UPDATE enrollment_accountposting SET batch_id = %s WHERE batch_id IS NULL", [elsewhere.pk]
    )
    with (
        connection.cursor() as cursor
    ):  # the one change allowed: an unswept posting joins a batch of its own
        cursor.execute(
            "UPDATE enrollment_accountposting SET batch_id = %s WHERE batch_id IS NULL", [other.pk]
        )
    assert AccountPosting.objects.filter(batch=other).count() == 1


def test_it_refuses_an_account_below_zero_whatever_writes_it(swept):
    assert "personal_account_not_negative" in refused(
        "UPDATE enrollment_personalaccount SET balance_fen = -1"
    )
    assert PersonalAccount.objects.get().balance_fen == 10500

"""Raw SQL that would make the books lie is refused by PostgreSQL itself."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction

from funds.chart import Category as C
from funds.models import Entry, Line, Period
from funds.services import cr, dr, period_close, post_entry
from tests.actors import SETUP

A = "320902"


@pytest.fixture
def posted(resident, acct):
    return post_entry(
        key="collect",
        book=resident,
        memo="保费",
        entry_date=date(2026, 3, 1),
        lines=[
            dr(acct(resident, C.TREASURY_TRANSIT), 1000, A),
            cr(acct(resident, C.INCOME_PREMIUM, A), 1000),
        ],
        actor=SETUP,
    )


def refused(sql: str, params: list | None = None, error: type[Exception] = IntegrityError) -> str:
    """Run SQL (and the deferred checks) in a savepoint; return the database's refusal."""
    with pytest.raises(error) as err, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return str(err.value)


def new_entry_sql(period: Period, key: str) -> tuple[str, list]:
    return (
        "INSERT INTO funds_entry (book_id, period_id, key, payload_hash, entry_date, memo, source,"
        " posted_at) VALUES (%s, %s, %s, '', '2026-03-01', 'raw', '', now()) RETURNING id",
        [period.book_id, period.pk, key],
    )


def test_it_refuses_an_unbalanced_entry_inserted_by_hand(posted, acct, resident):
    sql, params = new_entry_sql(posted.period, "raw-1")
    treasury, income = acct(resident, C.TREASURY_TRANSIT).pk, acct(resident, C.INCOME_PREMIUM, A).pk
    message = refused(
        f"WITH e AS ({sql}) INSERT INTO funds_line (entry_id, book_id, account_id, county_id, amount_fen)"
        " SELECT e.id, %s, x.a, %s, x.amt FROM e, (VALUES (%s, 100), (%s, -99)) AS x(a, amt)",
        [*params, resident.pk, A, treasury, income],
    )
    assert "unbalanced" in message
    assert not Entry.objects.filter(key="raw-1").exists()


def test_it_refuses_an_entry_without_lines_at_commit(posted):
    sql, params = new_entry_sql(posted.period, "raw-2")
    assert "fewer than two lines" in refused(sql, params)


def test_it_refuses_lines_added_to_a_posted_entry(posted, acct, resident):
    treasury, income = acct(resident, C.TREASURY_TRANSIT).pk, acct(resident, C.INCOME_PREMIUM, A).pk
    message = refused(
        "INSERT INTO funds_line (entry_id, book_id, account_id, county_id, amount_fen)"
        " VALUES (%s, %s, %s, %s, 5), (%s, %s, %s, %s, -5)",
        [posted.pk, resident.pk, treasury, A, posted.pk, resident.pk, income, A],
    )
    assert "added to a posted entry" in message


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE funds_line SET amount_fen = amount_fen * 2 WHERE entry_id = %s",
        "DELETE FROM funds_line WHERE entry_id = %s",
        "UPDATE funds_entry SET memo = 'changed' WHERE id = %s",
        "DELETE FROM funds_entry WHERE id = %s",
    ],
)
def test_it_refuses_to_change_or_delete_posted_rows_even_for_the_owner(posted, db_owner, sql):
    assert "immutable" in refused(sql, [posted.pk])
    assert sorted(Line.objects.filter(entry=posted).values_list("amount_fen", flat=True)) == [
        -1000,
        1000,
    ]


def test_it_refuses_a_line_in_another_book_than_its_account(posted, books, acct):
    employee = books["employee_pooled"]
    message = refused(
        "INSERT INTO funds_line (entry_id, book_id, account_id, county_id, amount_fen)"
        " VALUES (%s, %s, %s, %s, 1)",
        [posted.pk, posted.book_id, acct(employee, C.TREASURY_TRANSIT).pk, A],
    )
    assert "outside its book" in message


def test_it_refuses_an_entry_into_a_closed_period(posted, resident):
    period = period_close(book=resident, year=2026, month=3, actor=SETUP)
    sql, params = new_entry_sql(period, "raw-3")
    assert "is closed" in refused(sql, params)
    assert "cannot be reopened" in refused(
        "UPDATE funds_period SET status = 'open' WHERE id = %s", [period.pk]
    )


def test_it_refuses_to_overdraw_a_no_overdraft_account_by_hand(resident, acct):
    special = acct(resident, C.FISCAL_SPECIAL)
    message = refused("UPDATE funds_account SET balance_fen = -1 WHERE id = %s", [special.pk])
    assert "funds_account_no_overdraft" in message


def test_it_refuses_an_entry_dated_outside_its_periods_month(posted, resident):
    """A closed month's date filed under an open period would dodge the closed-period check."""
    period_close(book=resident, year=2026, month=2, actor=SETUP)
    sql, params = new_entry_sql(posted.period, "raw-4")  # the March period...
    message = refused(
        sql.replace("'2026-03-01'", "'2026-02-27'"), params
    )  # ...dated in closed February
    assert "dated outside its period's month" in message


# The application's own role (pooling/dbroles.py): what it may not do at all.
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE funds_line SET amount_fen = amount_fen * 2 WHERE entry_id = %s",
        "DELETE FROM funds_line WHERE entry_id = %s",
        "UPDATE funds_entry SET memo = 'changed' WHERE id = %s",
        "DELETE FROM funds_entry WHERE id = %s",
    ],
)
def test_the_runtime_role_may_not_change_or_delete_posted_rows(posted, sql):
    assert "permission denied for table" in refused(sql, [posted.pk], ProgrammingError)
    assert Entry.objects.get(pk=posted.pk).memo == "保费"


@pytest.mark.parametrize(
    "table", ["funds_line", "funds_entry", "funds_period", "funds_account", "funds_book"]
)
def test_the_runtime_role_may_not_truncate_the_ledger(posted, table):
    assert "permission denied for table" in refused(
        f"TRUNCATE {table} CASCADE", error=ProgrammingError
    )
    assert Line.objects.filter(entry=posted).count() == 2


@pytest.mark.parametrize(
    "table", ["funds_line", "funds_entry", "funds_period", "funds_account", "funds_book"]
)
def test_the_ledger_refuses_truncate_even_from_its_owner(posted, db_owner, table):
    """TRUNCATE skips the row triggers: a statement-level guard stands in for them."""
    # Checks still deferred in this test's transaction would stop TRUNCATE first: run them.
    sql = f"SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE {table} CASCADE"
    assert "TRUNCATE refused" in refused(sql, error=ProgrammingError)
    assert Line.objects.filter(entry=posted).count() == 2


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE funds_line DISABLE TRIGGER funds_line_immutable",
        "ALTER TABLE funds_entry DISABLE TRIGGER USER",
        "DROP TRIGGER funds_line_no_truncate ON funds_line",
        "SET session_replication_role = replica",  # would switch every trigger off for the session
    ],
)
def test_the_runtime_role_may_not_switch_a_guard_off(posted, sql):
    message = refused(sql, error=ProgrammingError)
    assert "must be owner" in message or "permission denied" in message

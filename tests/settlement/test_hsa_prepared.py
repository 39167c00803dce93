"""Interface messages reuse prepared statements on PostgreSQL, and leave the connection as they
found it (settlement/hsa/prepared.py)."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from settlement.hsa import prepared
from settlement.models import Settlement
from tests.settlement.hsa_client import psn

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _prepared() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return int(cursor.fetchone()[0])


def _settle_twice(hsa, person) -> None:
    for _ in range(2):
        mdtrt_id = hsa.register(person, insutype="390")
        hsa.fees(mdtrt_id, person, [("001102000000100", "1", "20.00")])
        assert hsa.settle(mdtrt_id, person, "20.00", insutype="390")["infcode"] == 0


def test_a_repeated_message_runs_prepared_statements(hsa, people, settings):
    settings.HSA_PREPARED_STATEMENTS = True
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    _settle_twice(hsa, people.resident)
    assert _prepared() >= 5  # the claim, the reads and writes of 2201/2204/2207, the answer
    assert Settlement.objects.count() == 2


def test_without_the_setting_nothing_is_prepared(hsa, people, settings):
    settings.HSA_PREPARED_STATEMENTS = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    _settle_twice(hsa, people.resident)
    assert _prepared() == 0


def test_the_connection_binds_on_the_client_again_after_a_message(hsa, people, settings):
    """A utility statement with a parameter (as the cycle's `SET LOCAL work_mem = %s`) cannot be
    bound on the server: after a message the connection must take it as before."""
    settings.HSA_PREPARED_STATEMENTS = True
    _settle_twice(hsa, people.resident)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = %s", ["8MB"])
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == "8MB"


def test_the_debug_log_names_every_statement_of_a_message(hsa, people, settings):
    """Under DEBUG query logging (`connection.queries`, the django.db.backends log,
    bench._settlement_queries --sql) a prepared statement is logged with its SQL like any other:
    psycopg keeps no text for a statement it runs by name, so Django must compose it."""
    settings.HSA_PREPARED_STATEMENTS = True
    with CaptureQueriesContext(connection) as seen:
        _settle_twice(hsa, people.resident)
    sql = [q["sql"] for q in seen.captured_queries]
    assert all(sql), [n for n, text in enumerate(sql) if not text]
    assert sum(text.startswith("WITH taken AS") for text in sql) == 2  # each 2204's insert
    # put back after the message (a PostgreSQL feature: not on the base class)
    assert not vars(connection.features).get("uses_server_side_binding", False)


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_is_answered_by_the_interface(hsa, people, settings, monkeypatch):
    """The database gone between two messages, the credential and sign-in still remembered: the
    message is answered as any failure inside it (HTTP 200, infcode -1, an incident, the msgid
    echoed, its log line), not by Django's 500 page — the switch must not connect before
    `_serve`'s own error handling does."""
    settings.HSA_PREPARED_STATEMENTS = True
    settings.HSA_LOOKUP_TTL_SECONDS = 60
    payload = {"data": {"psn_no": psn(people.employee)}}
    assert hsa.post("1101", payload)["infcode"] == 0  # remembers the credential and sign-in

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    connection.close()
    monkeypatch.setattr(connection, "get_new_connection", unreachable)
    msgid = hsa.msgid()
    answer = hsa.post("1101", payload, msgid=msgid)
    monkeypatch.undo()
    assert answer["infcode"] == -1 and "事件编号" in answer["err_msg"], answer
    assert answer["msgid"] == msgid


def _plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_ran_a_message_keeps_generic_plans(hsa, people, settings):
    """Outside a transaction (production's autocommit) the first message asks the session for
    generic plans, so its prepared statements are no longer planned on every run; a new
    connection asks again."""
    settings.HSA_PREPARED_STATEMENTS = True
    connection.close()
    assert _plan_cache_mode() == "auto"  # the server's default, before any message
    _settle_twice(hsa, people.resident)
    assert _plan_cache_mode() == "force_generic_plan"
    connection.close()  # a new session starts from the default and is asked again
    assert _plan_cache_mode() == "auto"
    _settle_twice(hsa, people.resident)
    assert _plan_cache_mode() == "force_generic_plan"


def test_inside_a_transaction_the_session_is_not_changed(hsa, people, settings):
    """A SET inside a transaction would be undone with it (and would change a session the
    caller owns): then the switch leaves the mode alone."""
    settings.HSA_PREPARED_STATEMENTS = True
    with connection.cursor() as cursor:  # as a fresh session, for this test's transaction
        cursor.execute("RESET plan_cache_mode")
    prepared._GENERIC.discard(connection.connection)
    _settle_twice(hsa, people.resident)
    assert _plan_cache_mode() == "auto"
    assert connection.connection not in prepared._GENERIC  # asked again at the next message


def test_the_settlement_write_is_not_parsed_again_by_psycopg(hsa, people, monkeypatch):
    """psycopg re-parses, on every run, a statement with more parameters than it caches: the
    settlement's one-statement write has about 70, so `prepared` raises that limit."""
    from psycopg import _queries

    parsed: list[bytes] = []
    uncached = _queries._query2pg_nocache

    def spy(query: bytes, encoding: str) -> object:
        parsed.append(query)
        return uncached(query, encoding)

    _settle_twice(hsa, people.resident)  # the write is in psycopg's cache from now on
    monkeypatch.setattr(_queries, "_query2pg_nocache", spy)
    _settle_twice(hsa, people.resident)
    assert not [q for q in parsed if b"INSERT INTO" in q], [q[:60] for q in parsed]

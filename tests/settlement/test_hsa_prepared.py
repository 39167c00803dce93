"""Interface messages reuse prepared statements on PostgreSQL, and leave the connection as they
found it (settlement/hsa/prepared.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from settlement.models import Settlement

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

"""Loading a file as large as the table it goes into: set the indexes aside, rebuild them after.

PostgreSQL maintains a btree row by row at ~4 µs an entry (measured on the person
table: 1,000,000 rows into four indexes took 18 s), but builds one from scratch by
sorting at under 1 µs an entry. So when a load is large against what the table
already holds (a county's or the city's first migration), it is cheaper to drop the
secondary indexes, unique constraints and outgoing foreign keys, write the rows, and
recreate every one of them from the definitions PostgreSQL itself printed — in the
same transaction, so a failure anywhere (a duplicate found by the rebuilt unique
index, a dangling foreign key) rolls back the rows *and* brings the old indexes back.

The price is an ACCESS EXCLUSIVE lock on the table until the transaction ends: other
sessions' reads of it wait. Hence only for big loads (`worth_setting_aside`) and only
if the lock comes within LOCK_WAIT; otherwise the caller writes row by row as before.
The primary key stays (other tables' foreign keys hang on it), and so do CHECK
constraints (cheap per row, and they keep guarding the new rows).

Dropping an index takes the table's owner: the runtime role (pooling/dbroles.py) is
not, so a load from the browser or the worker always writes row by row, and a go-live
load is run by the owner (`manage.py import_file` with the owner's DATABASE_URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import OperationalError, connection, transaction

MIN_ROWS = 100_000  # below this the lock costs clerks more than the rebuild saves
# Rebuilding sorts (existing + new) rows; maintaining costs ~4× per new row. Set aside
# only when the table holds at most this many times the incoming rows.
EXISTING_PER_NEW = 2
LOCK_WAIT = "5s"
SORT_MEMORY = "512MB"  # per index build; a million people's name index needs ~100 MB


def worth_setting_aside(table: str, incoming: int) -> bool:
    if connection.vendor != "postgresql" or incoming < MIN_ROWS:
        return False
    return _rows_now(table) <= EXISTING_PER_NEW * incoming


def _rows_now(table: str) -> int:
    """The table's rows as the planner reckons them: the last ANALYZE's rows per page times
    the pages it has now — statistics a big load has made stale still scale with its size."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT CASE WHEN relpages > 0 AND reltuples > 0 THEN reltuples / relpages
                        ELSE current_setting('block_size')::int / 200.0 END  -- ~200 bytes a row
                   * (pg_relation_size(oid) / current_setting('block_size')::int)
            FROM pg_class WHERE oid = %s::regclass
        """,
            [table],
        )
        return int(cursor.fetchone()[0])


@contextmanager
def indexes_set_aside(table: str) -> Iterator[bool]:
    """Inside the caller's transaction: yield True with the table's secondary indexes,
    unique constraints and foreign keys dropped, and recreate them all on exit; yield
    False (nothing dropped) if the table lock is not granted within LOCK_WAIT.

    An exception inside leaves them dropped: the caller's transaction must roll back
    (which brings them back), as a failed import's does.
    """
    if not _owned(table) or not _lock(table):
        yield False
        return
    with connection.cursor() as cursor:
        # PostgreSQL refuses to alter a table with deferred foreign-key checks still queued
        # in this transaction (rows written earlier): run them now, as COMMIT would.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        restore = _definitions(cursor, table)
        for drop, _create in restore:
            cursor.execute(drop)
    yield True
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{SORT_MEMORY}'")
        for _drop, create in restore:
            cursor.execute(create)
        # Back to deferred for the rest of the transaction: Django's foreign keys are
        # DEFERRABLE INITIALLY DEFERRED (and no constraint here is deferrable but immediate).
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _owned(table: str) -> bool:
    """Whether this connection's role may drop the table's indexes (owns it, or is a superuser)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass",
            [table],
        )
        return bool(cursor.fetchone()[0])


def _lock(table: str) -> bool:
    try:
        # A savepoint: a lock that does not come must not doom the caller's transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    except OperationalError:
        return False
    return True


def _definitions(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(drop, create) statements for every unique constraint and foreign key of the table
    that nothing else depends on, then for every index that backs no constraint."""
    cursor.execute(
        """
        SELECT format('ALTER TABLE %%I DROP CONSTRAINT %%I', %s, c.conname),
               format('ALTER TABLE %%I ADD CONSTRAINT %%I ', %s, c.conname) || pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.conrelid = %s::regclass AND c.contype IN ('u', 'f')
          AND (c.contype = 'f' OR NOT EXISTS (  -- a unique key another table's FK points at stays
               SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid))
        ORDER BY c.contype DESC, c.conname
    """,
        [table, table, table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT 'DROP INDEX ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY i.indexrelid
    """,
        [table],
    )
    return constraints + cursor.fetchall()

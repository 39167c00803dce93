"""Prepared statements for the interface's messages (PostgreSQL): each statement of a message is
parsed and planned once per connection instead of once per message.

Why only here: a provider's message runs the same dozen small statements thousands of times an
hour on the same persistent connection; PostgreSQL's parse and plan are a sizeable share of its
work (bench.settlement_http prints the PostgreSQL backends' CPU per settlement), and psycopg
prepares a statement it has seen `THRESHOLD` times when the query is bound on the server.
Django binds on the client and disables preparing by default, for good reasons elsewhere: utility
statements (`SET ROLE %s`, `SET LOCAL work_mem = %s`, DDL) cannot take server-side parameters,
and a connection pooler in transaction mode (PgBouncer) does not keep a session's prepared
statements. So the switch is made per message, on the connection already open, and put back
after it: pages, the monthly cycle and migrations never see it. `HSA_PREPARED_STATEMENTS=false`
turns it off (behind a transaction-mode pooler). Every interface test runs through it.

Generic plans: PostgreSQL plans a prepared statement afresh for its first five runs and then keeps
planning afresh whenever the generic plan's estimate is higher — always so on the month-partitioned
visits, fee lines, settlements and message log (62 partitions each), where the generic plan counts
every partition it will prune only when it runs. So without help every statement of a message was
still planned on every run: measured with pg_stat_statements (`bench._settlement_profile`), about
0.5 ms of PostgreSQL's 3.5 ms per settlement went into planning. Every statement a message runs is
a lookup or write by key with the partition key bound, whose generic plan is the custom plan with
the pruning done at execution, so the session that runs messages asks for generic plans
(`plan_cache_mode` only concerns statements prepared by name — the plans of these and of PL/pgSQL
bodies; Django's other statements bind on the client and are planned each time as before).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from psycopg import _queries

# psycopg parses a statement's `%s` placeholders once and keeps the result — but only for a
# statement of at most 50 parameters (its MAX_CACHED_STATEMENT_PARAMS); a longer one is parsed again
# on every run, prepared or not. The settlement's one-statement write (settle_sql.write: the row's
# 47 columns, its accumulator, its fee lines and visit) has about 70, so every 2207 paid for a fresh
# parse of it (cProfile: psycopg's `_split_query` about 4 % of a settlement). The cache holds at most
# 128 statements whatever their length, so a higher limit costs no more memory than a few
# statements' parts. A test holds that the write is taken from the cache.
CACHED_PARAMS = 128
if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", CACHED_PARAMS) < CACHED_PARAMS:
    _queries.MAX_CACHED_STATEMENT_PARAMS = CACHED_PARAMS

THRESHOLD = 2  # the second time a connection sees a statement, it is prepared


@contextmanager
def prepared_statements() -> Iterator[None]:
    if connection.vendor != "postgresql" or not settings.HSA_PREPARED_STATEMENTS:
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    if not _connected():  # the message fails inside, where its answer is made (view._serve)
        yield
        return
    raw = connection.connection
    _generic_plans(raw)
    saved = raw.cursor_factory, raw.prepare_threshold
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, THRESHOLD
    # Tell Django too, as `OPTIONS["server_side_binding"]` would: its DEBUG query log then
    # composes each statement's SQL, where it read psycopg's text of it — none for a statement
    # run by name, so `connection.queries` and the django.db.backends log showed None.
    vars(connection.features)["uses_server_side_binding"] = True
    try:
        yield
    finally:
        vars(connection.features).pop("uses_server_side_binding")  # computed from the settings
        if connection.connection is raw:  # not closed and reopened meanwhile
            raw.cursor_factory, raw.prepare_threshold = saved


def _connected() -> bool:
    """Open the connection now (connecting runs SET ROLE etc. with the usual cursor); False when
    the database cannot be reached, which the message itself then meets and answers."""
    try:
        connection.ensure_connection()
    except DatabaseError:
        return False
    return True


_GENERIC: weakref.WeakSet[Any] = weakref.WeakSet()  # the connections already asked


def _generic_plans(raw: Any) -> None:
    """`plan_cache_mode = force_generic_plan` for this connection's session, once. Only outside a
    transaction: inside one (a test's) a SET is undone with it, so it waits for the next message."""
    from psycopg.pq import TransactionStatus

    if (
        raw in _GENERIC
        or not raw.autocommit
        or raw.info.transaction_status != TransactionStatus.IDLE
    ):
        return
    raw.execute("SET plan_cache_mode = force_generic_plan")
    _GENERIC.add(raw)

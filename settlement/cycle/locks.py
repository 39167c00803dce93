"""One worker at a time on a shard, from its claim to its commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

LOCK_NAMESPACE = 0x0C1C  # advisory locks of cycle shards (the imports use their own namespace)


@contextmanager
def held(shard_id: int) -> Iterator[bool]:
    """Hold the shard for this worker, from its claim to its commit: a second delivery of its
    message meanwhile finds it held and leaves it alone. A session lock, so a worker killed
    anywhere lets go of it with its connection (PostgreSQL only; SQLite runs one process)."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = [LOCK_NAMESPACE, shard_id % 2**31]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        got = bool(cursor.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)

"""What the benches share: a migrated PostgreSQL bench database, timing, peak memory."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_URL = "postgres://postgres:postgres@127.0.0.1:5432/pooling_bench"


def setup_django(default_db: str = "pooling_bench") -> None:
    """Point Django at the bench database (DATABASE_URL wins), create and migrate it."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL.rsplit("/", 1)[0] + "/" + default_db
    if not url.startswith("postgres"):
        raise SystemExit("benches need PostgreSQL: set DATABASE_URL=postgres://…")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pooling.settings")
    _create_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def truncate(tables: str) -> None:
    """Empty tables of the scratch bench database. The ledger's tables refuse TRUNCATE even
    from their owner (pooling.dbroles.RefuseTruncate): as a DBA resetting a scratch copy
    would, the bench switches triggers off for this one transaction (superuser only)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def _create_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    name = name.split("?")[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def timed() -> Iterator[list[float]]:
    box: list[float] = []
    start = time.perf_counter()
    yield box
    box.append(time.perf_counter() - start)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def verdict(ok: bool) -> str:
    return "OK" if ok else "BELOW FLOOR"

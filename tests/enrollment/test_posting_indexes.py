"""The posting table after migration 0015: the county and pattern indexes gone, the county
foreign key kept — and the migration gets there by dropping indexes only, never by dropping
and re-adding the foreign key (a lock and a validating scan of millions of rows)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from enrollment.models import AccountPosting

TABLE = AccountPosting._meta.db_table


@pytest.mark.django_db
def test_postings_keep_the_county_foreign_key_without_its_indexes():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE).values()
    indexed = sorted(tuple(c["columns"]) for c in constraints if c["index"] and not c["unique"])
    assert ("county_id",) not in indexed and ("key",) not in indexed
    assert ("county_id", "month") in indexed  # posting_unmatched: how a sweep finds a county's
    assert [c["foreign_key"] for c in constraints if c["columns"] == ["county_id"]] == [
        ("pooling_region", "code")
    ]


# SQLite's schema editor (sqlmigrate's) will not open inside the test's transaction.
@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db
def test_the_migration_drops_indexes_only_and_concurrently_on_postgresql():
    out = StringIO()
    call_command("sqlmigrate", "enrollment", "0015", stdout=out)
    statements = [line for line in out.getvalue().splitlines() if line and line[:2] != "--"]
    assert statements and all(s.startswith("DROP INDEX") for s in statements)
    assert "CONSTRAINT" not in out.getvalue() and "BEGIN;" not in statements
    assert len(statements) == 3 and all("CONCURRENTLY" in s for s in statements)

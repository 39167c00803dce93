"""Three indexes fewer on the posting table: each is paid on every posting written and again
on every posting matched to a batch (a city month writes 270,000 allocations and matches
820,000 postings; matching cannot be a HOT update, `batch_id` being indexed).

- `key`'s varchar_pattern_ops twin (Django adds one to every indexed CharField on
  PostgreSQL, for LIKE 'prefix%'): postings are looked up by whole key only (`postings_write`,
  the set-wise allocation's clash check), never by prefix — 63 MB at 820,000 postings, as
  large as the unique index itself;
- `county_id`'s index and its pattern twin: a sweep finds a county's unmatched postings
  through `posting_unmatched` (county, month where batch is null); the ledger checks group
  the whole table; the foreign key's PROTECT is asked only when a region is deleted (as
  for the person table, migration 0003).
The unique index on `key` (the idempotency guard) and every trigger stay as they were.

Only the indexes are dropped. Django's own AlterField(db_index=False) would also drop the
county foreign key and add it back (ACCESS EXCLUSIVE on a table of millions of rows and a
scan of all of them to validate it; on SQLite, a copy of the whole table), so the model's
state takes the AlterField and the database only the DROP INDEX statements. On PostgreSQL
they run CONCURRENTLY — postings keep being written meanwhile — which cannot run inside a
transaction, hence `atomic = False`. Going back creates exactly the indexes Django had, under
its names (`sqlmigrate enrollment 0014`'s table shows them). A CREATE INDEX CONCURRENTLY that
fails leaves an INVALID index behind, which IF NOT EXISTS would then keep: drop it first.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

TABLE = "enrollment_accountposting"
# Django's names for them (schema_editor._create_index_name: table, column, hash, suffix).
COUNTY = "enrollment_accountposting_county_id_627591f7"
COUNTY_LIKE = f"{COUNTY}_like"
KEY_LIKE = "enrollment_accountposting_key_027c9f3b_like"

Statements = tuple[str, ...]  # a tuple: RunSQL's stubs take no list[str]

POSTGRESQL: tuple[Statements, Statements] = (
    tuple(f'DROP INDEX CONCURRENTLY IF EXISTS "{n}"' for n in (COUNTY, COUNTY_LIKE, KEY_LIKE)),
    (
        f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{COUNTY}" ON "{TABLE}" ("county_id")',
        f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{COUNTY_LIKE}" ON "{TABLE}" '
        '("county_id" varchar_pattern_ops)',
        f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{KEY_LIKE}" ON "{TABLE}" '
        '("key" varchar_pattern_ops)',
    ),
)
# Other databases (SQLite) have no pattern twins: the county index only.
PORTABLE: tuple[Statements, Statements] = (
    (f'DROP INDEX IF EXISTS "{COUNTY}"',),
    (f'CREATE INDEX IF NOT EXISTS "{COUNTY}" ON "{TABLE}" ("county_id")',),
)


class VendorSQL(migrations.RunSQL):
    """RunSQL with PostgreSQL's statements and the portable ones for every other database,
    so `sqlmigrate` prints what each database runs."""

    def __init__(
        self, *, postgresql: tuple[Statements, Statements], portable: tuple[Statements, Statements]
    ):
        super().__init__(sql=portable[0], reverse_sql=portable[1])
        self.postgresql, self.portable = postgresql, portable

    def _for(self, schema_editor: Any) -> migrations.RunSQL:
        vendor = schema_editor.connection.vendor
        return migrations.RunSQL(*(self.postgresql if vendor == "postgresql" else self.portable))

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._for(schema_editor).database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._for(schema_editor).database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY refuse to run in a transaction

    dependencies = [("enrollment", "0014_posting_guard_compares_rows")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accountposting",
                    name="county",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="account_postings",
                        to="pooling.region",
                        verbose_name="经办单位",
                    ),
                ),
            ],
            database_operations=[VendorSQL(postgresql=POSTGRESQL, portable=PORTABLE)],
        ),
    ]

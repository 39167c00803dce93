"""Monthly range partitions on PostgreSQL for the tables that grow with every settlement.

Visits, fee details, settlements and the provider message log grow by hundreds of
thousands of rows a day in a city of several million insured. They are partitioned by
month (declarative partitioning, `PARTITION BY RANGE (month)`): the monthly cycle reads
one month's partition, a month's data can be archived as one table, and indexes stay
the size of a month.

How it fits Django:
- A partitioned model has a `month` DateField (first day of the month) and an `id`
  BigAutoField. Django treats `id` as the primary key; in the database the key is
  `(id, month)`, as PostgreSQL requires the partition key in every unique index. Ids come
  from one sequence per table, so they are unique across months anyway.
- Ids given to providers (`mdtrt_id`, `setl_id`) carry the month: `"202611" + id`
  (see `external_id`/`parse_external_id`), so a lookup names its partition and
  PostgreSQL reads one month's index, not every month's.
- `CreatePartitionedModel` is a `CreateModel` whose database step builds the table this
  way on PostgreSQL (SQLite, the embedded demo, gets a plain table).
- Partitions are DDL, which only the owner role may run: they are created at `migrate`
  (post_migrate: 36 months back to 24 months ahead) and by `manage.py
  settlement_partitions`. A DEFAULT partition catches anything outside them, so a row is
  never refused for want of a partition; `settlement_partitions` reports rows there.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection, migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError

BAD_ID = _("%(field)s=%(value)s 不是本系统签发的编号")

MONTHS_BACK = 36
MONTHS_AHEAD = 24


def month_key(on: date) -> date:
    return on.replace(day=1)


def external_id(month: date, pk: int) -> str:
    """The id a provider sees: yyyymm followed by the row id ("2026111234")."""
    return f"{month:%Y%m}{pk}"


def parse_external_id(value: Any, *, error: Any = BAD_ID, field: str) -> tuple[date, int]:
    """(month, id) from an external id; a malformed one is the caller's `error`."""
    text = str(value or "").strip()
    params = {"field": field, "value": text}
    # isdigit() alone lets in full-width and superscript digits, which int() reads or chokes on.
    if len(text) < 7 or not (text.isascii() and text.isdigit()) or len(text) > 24:
        raise BusinessRuleError(error, code="bad_id", field=field, params=params)
    year, month = int(text[:4]), int(text[4:6])
    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        raise BusinessRuleError(error, code="bad_id", field=field, params=params)
    return date(year, month, 1), int(text[6:])


def _quote(
    name: Any,
) -> str:  # a column or table name (typed str | None by the stubs, never None here)
    return connection.ops.quote_name(str(name))


def create_partitioned_table(
    schema_editor: BaseDatabaseSchemaEditor, model: type[models.Model], key: str = "month"
) -> None:
    """CREATE TABLE … PARTITION BY RANGE (key), with its sequence, indexes and foreign keys."""
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.create_model(model)
        return
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    seq = f"{table}_id_seq"
    columns = []
    for field in model._meta.local_concrete_fields:
        if field is pk:
            columns.append(f"{_quote(pk.column)} bigint NOT NULL DEFAULT nextval('{seq}')")
            continue
        definition, _params = schema_editor.column_sql(model, field, include_default=False)
        if definition is None:
            continue
        # Unique columns would need the partition key: uniqueness is declared per model instead.
        definition = definition.replace(" UNIQUE", "")
        columns.append(f"{_quote(field.column)} {definition}")
    key_column = model._meta.get_field(key).column  # type: ignore[union-attr]  # a concrete field
    schema_editor.execute(f"CREATE SEQUENCE {_quote(seq)}")
    schema_editor.execute(
        f"CREATE TABLE {_quote(table)} ({', '.join(columns)},"
        f" PRIMARY KEY ({_quote(pk.column)}, {_quote(key_column)})) PARTITION BY RANGE ({_quote(key_column)})"
    )
    schema_editor.execute(
        f"ALTER SEQUENCE {_quote(seq)} OWNED BY {_quote(table)}.{_quote(pk.column)}"
    )
    for field in model._meta.local_concrete_fields:
        if field.remote_field and field.db_constraint:  # type: ignore[attr-defined]
            schema_editor.execute(
                schema_editor._create_fk_sql(  # type: ignore[attr-defined]
                    model, field, "_fk_%(to_table)s_%(to_column)s"
                )
            )
    for field in model._meta.local_concrete_fields:
        if field.db_index and not field.unique and field is not pk:  # type: ignore[attr-defined]
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))  # type: ignore[attr-defined]
    for index in model._meta.indexes:
        schema_editor.add_index(model, index)
    for constraint in model._meta.constraints:
        schema_editor.add_constraint(model, constraint)
    schema_editor.execute(
        f"CREATE TABLE {_quote(table + '_default')} PARTITION OF {_quote(table)} DEFAULT"
    )


class CreatePartitionedModel(migrations.CreateModel):
    """CreateModel whose table is partitioned by month on PostgreSQL (see the module docstring)."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = to_state.apps.get_model(app_label, self.name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            create_partitioned_table(schema_editor, model)

    def describe(self) -> str:
        return f"Create model {self.name} partitioned by month"


def partition_name(table: str, month: date) -> str:
    return f"{table}_{month:%Y%m}"


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def ensure_partitions(
    tables: list[str], *, around: date, back: int = MONTHS_BACK, ahead: int = MONTHS_AHEAD
) -> int:
    """Create the monthly partitions missing around a date; returns how many were created.

    Owner-only DDL (run at migrate and by `manage.py settlement_partitions`).
    """
    if connection.vendor != "postgresql":
        return 0
    start = _add_months(month_key(around), -back)
    created = 0
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
                [table],
            )
            existing = {row[0] for row in cursor.fetchall()}
            for n in range(back + ahead + 1):
                month = _add_months(start, n)
                name = partition_name(table, month)
                if name in existing:
                    continue
                cursor.execute(
                    f"CREATE TABLE {_quote(name)} PARTITION OF {_quote(table)}"
                    f" FOR VALUES FROM ('{month.isoformat()}') TO ('{_add_months(month, 1).isoformat()}')"
                )
                created += 1
    return created


def default_partition_rows(tables: list[str]) -> dict[str, int]:
    """Rows that fell into a DEFAULT partition (none should: it means a partition is missing)."""
    if connection.vendor != "postgresql":
        return {}
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {_quote(table + '_default')}")
            counts[table] = int(cursor.fetchone()[0])
    return counts

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
"""

from django.db import migrations, models
import django.db.models.deletion

TABLE = "enrollment_accountposting"


def drop_key_twin(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [TABLE, "%(key varchar_pattern_ops)%"],
        )
        twins = [name for (name,) in cursor.fetchall()]
    for name in twins:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore_key_twin(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("enrollment", "AccountPosting")
    name = schema_editor._create_index_name(TABLE, ["key"], suffix="_like")
    table = model._meta.db_table
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("key" varchar_pattern_ops)')


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0014_posting_guard_compares_rows")]

    operations = [
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
        migrations.RunPython(drop_key_twin, restore_key_twin),
    ]

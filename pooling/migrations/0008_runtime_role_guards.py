"""The runtime role's scratch schema, and published policy refuses TRUNCATE (see pooling.dbroles)."""

from django.db import migrations

from pooling.dbroles import SCRATCH_SCHEMA, RefuseTruncate


def scratch_schema(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SCHEMA IF NOT EXISTS {SCRATCH_SCHEMA}")


def drop_scratch_schema(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SCHEMA IF EXISTS {SCRATCH_SCHEMA} CASCADE")


class Migration(migrations.Migration):
    dependencies = [("pooling", "0007_import_batch")]

    operations = [
        migrations.RunPython(scratch_schema, drop_scratch_schema),
        RefuseTruncate("pooling_policyversion"),
    ]

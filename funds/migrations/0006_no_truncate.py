"""TRUNCATE skips row triggers: a statement-level guard keeps posted ledger rows (PostgreSQL only).

Migration 0002 refuses UPDATE and DELETE of posted rows row by row; TRUNCATE empties a
table without firing those, so it is refused here for every table that holds posted
money or what is derived from it. A deliberate wipe of a whole database (a test run's
teardown, a scratch copy) says so first with `SET LOCAL pooling.ledger_maintenance = 'on'`;
the runtime database role should not hold TRUNCATE at all.
"""

from django.db import migrations

TABLES = ["funds_entry", "funds_line", "funds_account", "funds_accounttotal", "funds_period"]

FUNCTION = r"""
CREATE FUNCTION funds_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('pooling.ledger_maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'funds: TRUNCATE of % refused: posted ledger rows are immutable, post a reversing entry',
        TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
                              " FOR EACH STATEMENT EXECUTE FUNCTION funds_refuse_truncate()", params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS funds_refuse_truncate", params=None)


class Migration(migrations.Migration):
    dependencies = [("funds", "0005_personal_account_chart")]
    operations = [migrations.RunPython(forward, backward)]

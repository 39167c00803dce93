"""The posting guard (0007) compares the row as a record, not as two JSON documents.

Matching a month's postings to batches updates every one of them (a city month: 800,000 rows
and more), and the row trigger ran `to_jsonb(NEW) - 'batch_id' = to_jsonb(OLD) - 'batch_id'`
for each: 9.5 s of a 35 s sweep of 550,000 payments (bench.cycle). The same rule as a record
comparison (the old row with the new batch must be the new row, every column, whatever
columns the table gains) takes 1.5 s. Nothing else changes: the same updates are allowed
and refused, with the same message.
"""

from django.db import migrations

RECORD = r"""
CREATE OR REPLACE FUNCTION enrollment_posting_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE was enrollment_accountposting;
BEGIN
    -- The one change allowed: an unmatched posting matched to a batch, nothing else touched.
    IF TG_OP = 'UPDATE' AND OLD.batch_id IS NULL AND NEW.batch_id IS NOT NULL THEN
        was := OLD;
        was.batch_id := NEW.batch_id;
        IF was IS NOT DISTINCT FROM NEW THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'enrollment: % of % refused: personal-account postings are immutable, post a correcting one',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$;
"""

JSON = r"""
CREATE OR REPLACE FUNCTION enrollment_posting_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The one change allowed: an unmatched posting matched to a batch, nothing else touched.
    IF TG_OP = 'UPDATE' AND OLD.batch_id IS NULL AND NEW.batch_id IS NOT NULL
            AND (to_jsonb(NEW) - 'batch_id') = (to_jsonb(OLD) - 'batch_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'enrollment: % of % refused: personal-account postings are immutable, post a correcting one',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RECORD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(JSON, params=None)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0013_collection_booked_month")]
    operations = [migrations.RunPython(forward, backward)]

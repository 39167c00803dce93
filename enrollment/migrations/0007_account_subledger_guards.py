"""The database keeps the personal-account sub-ledger honest (PostgreSQL only), as migration
funds 0002 keeps the funds ledger: postings and batches are never changed or deleted (even
by the owner), a posting is matched to a batch once and only to a batch of its own county,
month and kind, and none of the three tables can be truncated (TRUNCATE skips row
triggers). The runtime role holds less still (pooling.dbroles): no DELETE, and of a
posting it may update only `batch_id`.
"""

from django.db import migrations

from pooling.dbroles import RefuseTruncate

FORWARD = r"""
CREATE FUNCTION enrollment_posting_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The one change allowed: an unmatched posting matched to a batch, nothing else touched.
    IF TG_OP = 'UPDATE' AND OLD.batch_id IS NULL AND NEW.batch_id IS NOT NULL
            AND (to_jsonb(NEW) - 'batch_id') = (to_jsonb(OLD) - 'batch_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'enrollment: % of % refused: personal-account postings are immutable, post a correcting one',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER enrollment_posting_immutable BEFORE UPDATE OR DELETE ON enrollment_accountposting
    FOR EACH ROW EXECUTE FUNCTION enrollment_posting_guard();

CREATE FUNCTION enrollment_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'enrollment: % of % refused: sub-ledger batches are immutable', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER enrollment_batch_immutable BEFORE UPDATE OR DELETE ON enrollment_accountbatch
    FOR EACH ROW EXECUTE FUNCTION enrollment_refuse_change();

-- Matched postings belong to their batch's county, month and kind (checked per statement).
CREATE FUNCTION enrollment_postings_matched() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad bigint;
BEGIN
    SELECT n.id INTO bad FROM matched n JOIN enrollment_accountbatch b ON b.id = n.batch_id
        WHERE n.county_id <> b.county_id OR n.month <> b.month OR n.kind <> b.kind LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'enrollment: posting % matched to a batch of another county, month or kind', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER enrollment_postings_matched AFTER UPDATE ON enrollment_accountposting
    REFERENCING NEW TABLE AS matched FOR EACH STATEMENT EXECUTE FUNCTION enrollment_postings_matched();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS enrollment_postings_matched ON enrollment_accountposting;
DROP TRIGGER IF EXISTS enrollment_batch_immutable ON enrollment_accountbatch;
DROP TRIGGER IF EXISTS enrollment_posting_immutable ON enrollment_accountposting;
DROP FUNCTION IF EXISTS enrollment_postings_matched, enrollment_refuse_change, enrollment_posting_guard;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0006_account_subledger_data"), ("pooling", "0008_runtime_role_guards")]
    operations = [
        migrations.RunPython(forward, backward),
        RefuseTruncate("enrollment_accountposting", "enrollment_accountbatch", "enrollment_personalaccount"),
    ]

"""The database keeps settlements honest against raw SQL too (PostgreSQL only).

- A settlement row is never changed or deleted: a cancellation is a new negative row.
- The reversal link is append-only, so "reversed at most once" cannot be undone.
- A logged message's answer is written once, in the transaction that claimed its msgid.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION settlement_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'settlement: % of % refused: settlements are immutable, reverse them instead',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER settlement_settlement_immutable BEFORE UPDATE OR DELETE ON settlement_settlement
    FOR EACH ROW EXECUTE FUNCTION settlement_refuse_change();
CREATE TRIGGER settlement_reversal_immutable BEFORE UPDATE OR DELETE ON settlement_settlementreversal
    FOR EACH ROW EXECUTE FUNCTION settlement_refuse_change();
CREATE TRIGGER settlement_message_no_delete BEFORE DELETE ON settlement_message
    FOR EACH ROW EXECUTE FUNCTION settlement_refuse_change();

CREATE FUNCTION settlement_message_answer_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.response <> '{}'::jsonb OR NEW.msgid <> OLD.msgid OR NEW.month <> OLD.month
            OR NEW.payload_sha256 <> OLD.payload_sha256 OR NEW.provider_id <> OLD.provider_id
            OR NEW.infno <> OLD.infno THEN
        RAISE EXCEPTION 'settlement: message % was answered already; its log is immutable', OLD.msgid
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER settlement_message_answer_once BEFORE UPDATE ON settlement_message
    FOR EACH ROW EXECUTE FUNCTION settlement_message_answer_once();

"""

BACKWARD = r"""
DROP TRIGGER settlement_message_answer_once ON settlement_message;
DROP FUNCTION settlement_message_answer_once();
DROP TRIGGER settlement_message_no_delete ON settlement_message;
DROP TRIGGER settlement_reversal_immutable ON settlement_settlementreversal;
DROP TRIGGER settlement_settlement_immutable ON settlement_settlement;
DROP FUNCTION settlement_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

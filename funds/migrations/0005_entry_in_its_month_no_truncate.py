"""An entry is dated in its period's month, and the ledger refuses TRUNCATE (PostgreSQL only).

Before this, raw SQL could file an entry dated in a closed month under an open period:
the closed-period check looks at the period, not the date. And TRUNCATE skips the row
triggers of migration 0002, so the ledger's tables refuse it outright; the runtime role
(see pooling.dbroles) has no TRUNCATE privilege either.
"""

from django.db import migrations

from pooling.dbroles import RefuseTruncate

# The function of migration 0002, with a check of the entries' dates where {dates} stands.
ENTRIES_INSERTED = r"""
CREATE OR REPLACE FUNCTION funds_entries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE closed_id bigint; misdated bigint;
BEGIN
    PERFORM 1 FROM funds_period p WHERE p.id IN (SELECT period_id FROM new_entries) FOR SHARE;
    SELECT p.id INTO closed_id FROM funds_period p
        WHERE p.id IN (SELECT period_id FROM new_entries) AND p.status = 'closed' LIMIT 1;
    IF closed_id IS NOT NULL THEN
        RAISE EXCEPTION 'funds: period % is closed, no new entries', closed_id
            USING ERRCODE = 'check_violation';
    END IF;{dates}
    RETURN NULL;
END $$;
"""
DATES = r"""
    SELECT n.id INTO misdated FROM new_entries n JOIN funds_period p ON p.id = n.period_id
        WHERE extract(year FROM n.entry_date) <> p.year OR extract(month FROM n.entry_date) <> p.month
        LIMIT 1;
    IF misdated IS NOT NULL THEN
        RAISE EXCEPTION 'funds: entry % is dated outside its period''s month', misdated
            USING ERRCODE = 'check_violation';
    END IF;"""
CHECK_ENTRIES = ENTRIES_INSERTED.replace("{dates}", DATES)
UNCHECKED_ENTRIES = ENTRIES_INSERTED.replace("{dates}", "")


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("funds", "0004_lean_entry_keys"), ("pooling", "0008_runtime_role_guards")]

    operations = [
        migrations.RunPython(_run(CHECK_ENTRIES), _run(UNCHECKED_ENTRIES)),
        RefuseTruncate("funds_book", "funds_account", "funds_period", "funds_entry", "funds_line"),
    ]

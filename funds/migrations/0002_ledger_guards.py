"""The database refuses what the posting service refuses (PostgreSQL only).

SQLite is the embedded demo database: there the Python checks of
funds.services.ledger still hold, but these guards are what make the books
trustworthy against raw SQL, a buggy future service or a hand-run psql session.
"""

from django.db import migrations

FORWARD = r"""
-- A line sits in the book of its entry and of its account; an entry in the book of its period.
ALTER TABLE funds_line ADD CONSTRAINT funds_line_entry_book_fk
    FOREIGN KEY (entry_id, book_id) REFERENCES funds_entry (id, book_id);
ALTER TABLE funds_line ADD CONSTRAINT funds_line_account_book_fk
    FOREIGN KEY (account_id, book_id) REFERENCES funds_account (id, book_id);
ALTER TABLE funds_entry ADD CONSTRAINT funds_entry_period_book_fk
    FOREIGN KEY (period_id, book_id) REFERENCES funds_period (id, book_id);

-- Posted entries and lines are immutable: a mistake is corrected by a reversing entry.
CREATE FUNCTION funds_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'funds: % of % refused: posted ledger rows are immutable, post a reversing entry',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER funds_line_immutable BEFORE UPDATE OR DELETE ON funds_line
    FOR EACH ROW EXECUTE FUNCTION funds_refuse_change();
CREATE TRIGGER funds_entry_immutable BEFORE UPDATE OR DELETE ON funds_entry
    FOR EACH ROW EXECUTE FUNCTION funds_refuse_change();

-- A closed period stays closed.
CREATE FUNCTION funds_period_stays_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'closed' AND (NEW.status <> 'closed' OR NEW.book_id <> OLD.book_id
            OR NEW.year <> OLD.year OR NEW.month <> OLD.month) THEN
        RAISE EXCEPTION 'funds: period % is closed and cannot be reopened or changed', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER funds_period_stays_closed BEFORE UPDATE ON funds_period
    FOR EACH ROW EXECUTE FUNCTION funds_period_stays_closed();
CREATE TRIGGER funds_period_no_delete BEFORE DELETE ON funds_period
    FOR EACH ROW EXECUTE FUNCTION funds_refuse_change();

-- No entry into a closed period. FOR SHARE makes a concurrent close wait for us,
-- and makes us see the close if it committed first.
CREATE FUNCTION funds_entries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE closed_id bigint;
BEGIN
    PERFORM 1 FROM funds_period p WHERE p.id IN (SELECT period_id FROM new_entries) FOR SHARE;
    SELECT p.id INTO closed_id FROM funds_period p
        WHERE p.id IN (SELECT period_id FROM new_entries) AND p.status = 'closed' LIMIT 1;
    IF closed_id IS NOT NULL THEN
        RAISE EXCEPTION 'funds: period % is closed, no new entries', closed_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER funds_entries_inserted AFTER INSERT ON funds_entry
    REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION funds_entries_inserted();

-- The lines of an entry arrive in one statement and balance; none is added later.
-- Lines of a county's own account are accounted to that county.
CREATE FUNCTION funds_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad_entry bigint; bad_line bigint;
BEGIN
    WITH n AS (SELECT entry_id, count(*) AS c, sum(amount_fen) AS s FROM new_lines GROUP BY entry_id)
    SELECT n.entry_id INTO bad_entry FROM n
        WHERE n.s <> 0 OR n.c < 2
           OR n.c <> (SELECT count(*) FROM funds_line l WHERE l.entry_id = n.entry_id)
        LIMIT 1;
    IF bad_entry IS NOT NULL THEN
        RAISE EXCEPTION 'funds: lines of entry % are unbalanced, fewer than two, or added to a posted entry',
            bad_entry USING ERRCODE = 'check_violation';
    END IF;
    SELECT l.id INTO bad_line FROM new_lines l JOIN funds_account a ON a.id = l.account_id
        WHERE NOT a.city_level AND a.county_id <> l.county_id LIMIT 1;
    IF bad_line IS NOT NULL THEN
        RAISE EXCEPTION 'funds: line % is accounted to another county than its account''s', bad_line
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER funds_lines_inserted AFTER INSERT ON funds_line
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION funds_lines_inserted();

-- At commit every entry has its balanced lines (catches an entry inserted without lines).
CREATE FUNCTION funds_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint; s numeric;
BEGIN
    SELECT count(*), coalesce(sum(amount_fen), 0) INTO n, s FROM funds_line WHERE entry_id = NEW.id;
    IF n < 2 OR s <> 0 THEN
        RAISE EXCEPTION 'funds: entry % is unbalanced or has fewer than two lines (% lines, sum %)',
            NEW.id, n, s USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER funds_entry_balanced AFTER INSERT ON funds_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funds_entry_balanced();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS funds_entry_balanced ON funds_entry;
DROP TRIGGER IF EXISTS funds_lines_inserted ON funds_line;
DROP TRIGGER IF EXISTS funds_entries_inserted ON funds_entry;
DROP TRIGGER IF EXISTS funds_period_no_delete ON funds_period;
DROP TRIGGER IF EXISTS funds_period_stays_closed ON funds_period;
DROP TRIGGER IF EXISTS funds_entry_immutable ON funds_entry;
DROP TRIGGER IF EXISTS funds_line_immutable ON funds_line;
DROP FUNCTION IF EXISTS funds_entry_balanced, funds_lines_inserted, funds_entries_inserted,
    funds_period_stays_closed, funds_refuse_change;
ALTER TABLE funds_entry DROP CONSTRAINT IF EXISTS funds_entry_period_book_fk;
ALTER TABLE funds_line DROP CONSTRAINT IF EXISTS funds_line_account_book_fk;
ALTER TABLE funds_line DROP CONSTRAINT IF EXISTS funds_line_entry_book_fk;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

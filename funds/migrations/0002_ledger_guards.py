"""The database refuses what the posting service refuses (PostgreSQL only).

SQLite is the embedded demo database: there the Python checks of
funds.services.ledger still hold, but these guards are what make the books
trustworthy against raw SQL, a buggy future service or a hand-run psql session.
"""

from django.db import migrations

FORWARD = r"""
-- An entry sits in the book of its period. (Lines: see funds_lines_inserted below.)
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
DECLARE bad_entry bigint; bad_account bigint; reason text;
BEGIN
    -- Per entry (a few thousand rows, not the lines): it exists in the line's book, its
    -- lines balance, there are at least two, and all of them arrived in this statement.
    WITH n AS (SELECT entry_id, book_id, count(*) AS c, sum(amount_fen) AS s
               FROM new_lines GROUP BY entry_id, book_id)
    SELECT n.entry_id INTO bad_entry FROM n
        LEFT JOIN funds_entry e ON e.id = n.entry_id AND e.book_id = n.book_id
        WHERE e.id IS NULL OR n.s <> 0 OR n.c < 2
           OR n.c <> (SELECT count(*) FROM funds_line l WHERE l.entry_id = n.entry_id)
        LIMIT 1;
    IF bad_entry IS NOT NULL THEN
        RAISE EXCEPTION 'funds: lines of entry % are unbalanced, fewer than two, outside its book, or added to a posted entry',
            bad_entry USING ERRCODE = 'check_violation';
    END IF;
    -- Per distinct (account, book, county): foreign keys checked set-based, and a county's
    -- own account takes only lines accounted to that county.
    WITH k AS (SELECT DISTINCT account_id, book_id, county_id FROM new_lines)
    SELECT k.account_id,
           CASE WHEN a.id IS NULL THEN 'is not an account of the line''s book'
                WHEN r.code IS NULL THEN 'names an unknown county'
                ELSE 'takes a line accounted to another county than its own' END
      INTO bad_account, reason
      FROM k LEFT JOIN funds_account a ON a.id = k.account_id AND a.book_id = k.book_id
             LEFT JOIN pooling_region r ON r.code = k.county_id
     WHERE a.id IS NULL OR r.code IS NULL OR (NOT a.city_level AND a.county_id <> k.county_id)
     LIMIT 1;
    IF bad_account IS NOT NULL THEN
        RAISE EXCEPTION 'funds: account % %', bad_account, reason USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER funds_lines_inserted AFTER INSERT ON funds_line
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION funds_lines_inserted();

-- What lines refer to cannot move away: an account in use keeps its id, book and county
-- and is never deleted (entries are immutable, see above).
CREATE FUNCTION funds_account_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.book_id <> OLD.book_id
            OR NEW.county_id <> OLD.county_id OR NEW.city_level <> OLD.city_level THEN
        IF EXISTS (SELECT 1 FROM funds_line WHERE account_id = OLD.id) THEN
            RAISE EXCEPTION 'funds: account % has postings: it cannot be deleted or moved', OLD.id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER funds_account_guard BEFORE UPDATE OR DELETE ON funds_account
    FOR EACH ROW EXECUTE FUNCTION funds_account_guard();

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
DROP TRIGGER IF EXISTS funds_account_guard ON funds_account;
DROP TRIGGER IF EXISTS funds_lines_inserted ON funds_line;
DROP TRIGGER IF EXISTS funds_entries_inserted ON funds_entry;
DROP TRIGGER IF EXISTS funds_period_no_delete ON funds_period;
DROP TRIGGER IF EXISTS funds_period_stays_closed ON funds_period;
DROP TRIGGER IF EXISTS funds_entry_immutable ON funds_entry;
DROP TRIGGER IF EXISTS funds_line_immutable ON funds_line;
DROP FUNCTION IF EXISTS funds_entry_balanced, funds_lines_inserted, funds_entries_inserted,
    funds_period_stays_closed, funds_refuse_change, funds_account_guard;
ALTER TABLE funds_entry DROP CONSTRAINT IF EXISTS funds_entry_period_book_fk;
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

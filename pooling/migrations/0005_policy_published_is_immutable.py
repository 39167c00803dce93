"""A published policy version cannot be changed or deleted, even by raw SQL.

The ORM already refuses (PolicyVersion.save/delete); this trigger makes the database
refuse too, so a psql session or another service cannot rewrite the rule a past claim
was judged by. PostgreSQL only (tests and production run on it).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION pooling_policy_published_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'published' THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'published policy version % cannot be deleted', OLD.code
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.document IS DISTINCT FROM OLD.document
           OR NEW.effective_from IS DISTINCT FROM OLD.effective_from
           OR NEW.code IS DISTINCT FROM OLD.code
           OR NEW.title IS DISTINCT FROM OLD.title
           OR NEW.status IS DISTINCT FROM OLD.status
           OR NEW.drafted_by_id IS DISTINCT FROM OLD.drafted_by_id
           OR NEW.approved_by_id IS DISTINCT FROM OLD.approved_by_id THEN
            RAISE EXCEPTION 'published policy version % is immutable', OLD.code
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS pooling_policy_published_immutable ON pooling_policyversion;
CREATE TRIGGER pooling_policy_published_immutable
    BEFORE UPDATE OR DELETE ON pooling_policyversion
    FOR EACH ROW EXECUTE FUNCTION pooling_policy_published_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS pooling_policy_published_immutable ON pooling_policyversion;
DROP FUNCTION IF EXISTS pooling_policy_published_immutable();
"""


def _run(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # None: the % in RAISE is not a placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [("pooling", "0004_policy_review_and_county_baselines")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]

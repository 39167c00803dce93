"""The application connects as the runtime role, which cannot undo the database's guards.

The test database is migrated by its owner; every connection of the application then
takes the runtime role (tests/conftest.py), as web, worker and beat do in production.
"""

from __future__ import annotations

import pytest
from django.db import ProgrammingError, connection, transaction

from pooling import dbroles
from tests.conftest import RUNTIME_ROLE
from tests.pooling.policy.policy_docs import demo_doc
from tests.pooling.policy.test_services import publish

pytestmark = [pytest.mark.django_db, pytest.mark.skipif("connection.vendor != 'postgresql'")]


def refused(sql: str) -> str:
    with (
        pytest.raises(ProgrammingError) as err,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    return str(err.value)


def scalar(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_it_serves_the_application_as_the_runtime_role():
    assert scalar("SELECT current_user") == RUNTIME_ROLE
    assert not scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")


def test_the_runtime_role_may_truncate_no_table_and_owns_none():
    truncatable = scalar("""
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           AND (has_table_privilege(current_user, c.oid, 'TRUNCATE')
                OR pg_has_role(current_user, c.relowner, 'USAGE'))""")
    assert truncatable == 0


def test_the_runtime_role_may_not_touch_published_policy(bureau_admin, bureau_checker):
    version = publish(demo_doc(), bureau_admin, bureau_checker)
    assert "permission denied for table pooling_policyversion" in refused(
        "TRUNCATE pooling_policyversion CASCADE"
    )
    assert "must be owner" in refused("ALTER TABLE pooling_policyversion DISABLE TRIGGER USER")
    assert "must be owner" in refused(
        "DROP TRIGGER pooling_policy_published_immutable ON pooling_policyversion"
    )
    assert (
        scalar("SELECT status FROM pooling_policyversion WHERE id = %s", [version.pk])
        == "published"
    )


def test_published_policy_refuses_truncate_even_from_its_owner(
    db_owner, bureau_admin, bureau_checker
):
    publish(demo_doc(), bureau_admin, bureau_checker)
    assert "TRUNCATE refused" in refused(
        "SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE pooling_policyversion CASCADE"
    )


def test_a_new_append_only_table_is_one_line(db_owner, monkeypatch):
    """Grants follow the rule for a table created after them: default privileges give the
    runtime role its rows, and naming the table in APPEND_ONLY_TABLES takes back UPDATE/DELETE."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE demo_subledger (id bigint PRIMARY KEY, amount_fen bigint)")
        cursor.execute("CREATE TABLE demo_notes (id bigint PRIMARY KEY, note text)")
    monkeypatch.setattr(
        dbroles, "APPEND_ONLY_TABLES", (*dbroles.APPEND_ONLY_TABLES, "demo_subledger")
    )
    dbroles.runtime_grants_apply(role=RUNTIME_ROLE)

    def may(table: str, privilege: str) -> bool:
        return scalar("SELECT has_table_privilege(%s, %s, %s)", [RUNTIME_ROLE, table, privilege])

    assert may("demo_subledger", "INSERT") and may("demo_subledger", "SELECT")
    assert not may("demo_subledger", "UPDATE") and not may("demo_subledger", "DELETE")
    assert may("demo_notes", "UPDATE") and may("demo_notes", "DELETE")
    assert not may("demo_notes", "TRUNCATE")


def test_the_runtime_role_creates_tables_only_in_the_scratch_schema():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {dbroles.SCRATCH_SCHEMA}.stage_test (a text)")
    assert "permission denied for schema public" in refused(
        "CREATE TABLE public.stage_test (a text)"
    )


def test_it_refuses_a_role_name_that_is_not_a_plain_identifier():
    from pooling.kernel.errors import BusinessRuleError

    with pytest.raises(BusinessRuleError) as err:
        dbroles.runtime_grants_apply(role='app"; DROP TABLE x; --')
    assert err.value.message == dbroles.BAD_ROLE_NAME


def test_migrate_creates_the_runtime_role_and_grants_it_what_it_needs(db_owner, settings):
    """What `manage.py migrate` does in production (post_migrate), here inside the test's
    transaction, which takes the new role away again."""
    settings.DATABASE_APP_ROLE, settings.DATABASE_APP_PASSWORD = "pooling_app_probe", "probe-secret"
    dbroles.after_migrate(using="default")
    assert scalar("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'pooling_app_probe'")
    assert scalar("SELECT has_table_privilege('pooling_app_probe', 'funds_line', 'INSERT')")
    assert not scalar("SELECT has_table_privilege('pooling_app_probe', 'funds_line', 'UPDATE')")
    assert scalar("SELECT has_table_privilege('pooling_app_probe', 'enrollment_person', 'UPDATE')")

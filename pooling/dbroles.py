"""Two database roles: the owner migrates, the runtime role serves (PostgreSQL only).

The owner (who runs `manage.py migrate`) owns every table, trigger and function. The
web, worker and beat processes connect as the runtime role, which holds only what the
application needs, so a bug or an intruder inside the application cannot switch a
guard off:

- SELECT, INSERT, UPDATE, DELETE on every table: `ALTER DEFAULT PRIVILEGES` for tables
  the owner creates from now on, and a re-grant after every migrate for those it holds.
- Only SELECT and INSERT on the append-only tables below: posted rows are never
  rewritten or deleted; a mistake gets a reversing entry. A table whose rows may change
  in one named column only (a sub-ledger posting matched to its batch) gets UPDATE of
  that column alone (UPDATE_ONLY_COLUMNS).
- Never TRUNCATE, TRIGGER or REFERENCES, and no ownership, so it cannot
  `ALTER TABLE … DISABLE TRIGGER`, drop a constraint or truncate past the row triggers.
- CREATE only in the `pooling_scratch` schema, for an import's staging tables.

The grants are re-applied after every `migrate` (post_migrate), so a table added by any
app is covered, and a new append-only table is one line in APPEND_ONLY_TABLES. Rows of
published policy stay updatable for drafts; the trigger of pooling migration 0005
refuses changes to a published version, and only the owner could disable it.

`RefuseTruncate` is the migration operation that adds a statement-level guard: TRUNCATE
skips the row triggers, so a table whose rows must not vanish refuses it outright,
even for the owner (a DBA who means it drops the trigger first, on the record).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, ProgrammingError, connections, transaction
from django.db.migrations.operations.base import Operation
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError

# Tables whose rows, once written, are never changed or deleted by the application.
APPEND_ONLY_TABLES = (
    "funds_entry",
    "funds_line",
    "enrollment_accountbatch",
    "enrollment_accountposting",
    "settlement_settlement",  # partitioned by month: its partitions are revoked too
    "settlement_settlementreversal",
)
# Append-only tables of which the application may still update these columns (and no other).
UPDATE_ONLY_COLUMNS = {
    "enrollment_accountposting": (
        "batch_id",
    ),  # matched to a batch once (enrollment migration 0007)
}
SCRATCH_SCHEMA = "pooling_scratch"
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"

BAD_ROLE_NAME = _("数据库角色名“%(role)s”不合法：只能由小写字母、数字和下划线组成，且以字母开头")
ROLE_MISSING = _(
    "数据库运行角色“%(role)s”不存在：请先创建（见 README“数据库角色”），或设置 DATABASE_APP_PASSWORD 由迁移创建"
)


def _role_name(role: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", role):
        raise BusinessRuleError(
            BAD_ROLE_NAME, code="bad_role", field="DATABASE_APP_ROLE", params={"role": role}
        )
    return role


def runtime_role_ensure(*, role: str, password: str | None = None, using: str = "default") -> None:
    """Create the runtime role if it is missing (LOGIN with `password`, else NOLOGIN, for
    SET ROLE), or set its password. Needs CREATEROLE (the owner in compose is a superuser).
    Two processes may race here (test workers): the loser finds the role made."""
    role = _role_name(role)
    login, params = ("LOGIN PASSWORD %s", [password]) if password else ("NOLOGIN", [])
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is not None:
            if password:
                cursor.execute(f"ALTER ROLE {role} {login}", params)
            return
        try:
            with transaction.atomic(using=using):
                cursor.execute(f"CREATE ROLE {role} {login}", params)
        except (IntegrityError, ProgrammingError):  # made meanwhile by another process
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise


def runtime_grants_apply(*, role: str, using: str = "default") -> None:
    """Give the runtime role exactly what the application needs (see the module's doc)."""
    role = _role_name(role)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            raise BusinessRuleError(
                ROLE_MISSING, code="role_missing", field="DATABASE_APP_ROLE", params={"role": role}
            )
        cursor.execute("SELECT current_database()")
        database = connection.ops.quote_name(cursor.fetchone()[0])
        for sql in (
            f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role}",
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {TABLE_PRIVILEGES} ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {role}",
            f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {role}",
            f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA public TO {role}",
            f"REVOKE TRUNCATE, TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA public FROM {role}",
            f"GRANT USAGE, CREATE ON SCHEMA {SCRATCH_SCHEMA} TO {role}",
        ):
            cursor.execute(sql)
        # The tables, and the partitions of a partitioned one (a partition can be named directly).
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relname = ANY(%s)"
            " UNION SELECT k.relname FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid"
            " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY(%s) AND k.relkind IN ('r', 'p')",
            [list(APPEND_ONLY_TABLES), list(APPEND_ONLY_TABLES)],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(
                f"REVOKE UPDATE, DELETE ON {connection.ops.quote_name(table)} FROM {role}"
            )
            if columns := UPDATE_ONLY_COLUMNS.get(table):
                names = ", ".join(connection.ops.quote_name(c) for c in columns)
                cursor.execute(
                    f"GRANT UPDATE ({names}) ON {connection.ops.quote_name(table)} TO {role}"
                )


def after_migrate(*, using: str = "default", **_kwargs: Any) -> None:
    """post_migrate: re-apply the grants when this deployment names a runtime role."""
    from django.conf import settings

    role = getattr(settings, "DATABASE_APP_ROLE", "")
    if not role or connections[using].vendor != "postgresql":
        return
    password = getattr(settings, "DATABASE_APP_PASSWORD", "") or None
    if password:
        runtime_role_ensure(role=role, password=password, using=using)
    runtime_grants_apply(role=role, using=using)


GUARD_FUNCTION = r"""
CREATE OR REPLACE FUNCTION pooling_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%: TRUNCATE refused: its rows are kept for good (it would skip the row guards)',
        TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
"""


class RefuseTruncate(Operation):
    """Migration operation: these tables refuse TRUNCATE (a statement-level trigger)."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, *tables: str) -> None:
        self.tables = tables

    def deconstruct(self) -> tuple[str, list[str], dict[str, Any]]:
        return self.__class__.__qualname__, list(self.tables), {}

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # no model changes: only database triggers

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(GUARD_FUNCTION, params=None)
        for table in self.tables:
            name = schema_editor.quote_name(table)
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {name}", params=None
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {name} "
                "FOR EACH STATEMENT EXECUTE FUNCTION pooling_refuse_truncate()",
                params=None,
            )

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in self.tables:
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {schema_editor.quote_name(table)}",
                params=None,
            )

    def describe(self) -> str:
        return f"Refuse TRUNCATE on {', '.join(self.tables)}"

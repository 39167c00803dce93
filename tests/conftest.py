"""Shared fixtures: the demo city's regions and one named person per role.

Who may see what:
- clerk_a works in 亭湖区 (320902): sees and changes only 亭湖区's rows.
- clerk_b works in 盐都区 (320903): Alice-and-Charlie style — must never see clerk_a's rows.
- city_agent, bureau_admin, bureau_checker, finance: see every county.
- auditor: reads every county, changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import Client
from django.utils import translation

from pooling.kernel.choices import Role
from pooling.kernel.regions import StaffSpec, regions_load, staff_ensure
from pooling.models import Region, User

pytest_plugins = ["tests.browser"]

PASSWORD = "test-pass-2026"  # noqa: S105
# The role the application's connections take in tests, as web/worker/beat do in production.
RUNTIME_ROLE = os.environ.get("TEST_DATABASE_APP_ROLE", "pooling_app")
COUNTY_A = "320902"  # 亭湖区
COUNTY_B = "320903"  # 盐都区


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Create and migrate the test database as the connecting superuser (the owner), then let
    every connection of the application — this process's, a live server's threads', a
    Celery worker's — take the runtime role (pooling/dbroles.py), as production does."""
    if connection.vendor != "postgresql":
        yield
        return
    from pooling.dbroles import runtime_grants_apply, runtime_role_ensure

    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                pytest.exit(
                    "测试数据库须以超级用户连接（建库、创建运行角色、清空表）；"
                    "TEST_DATABASE_URL must name a superuser",
                    returncode=2,
                )
        runtime_role_ensure(role=RUNTIME_ROLE)
        runtime_grants_apply(role=RUNTIME_ROLE)
        _take_role(RUNTIME_ROLE)
    os.environ["DATABASE_ROLE"] = RUNTIME_ROLE  # subprocesses (the worker) read settings anew
    with pytest.MonkeyPatch.context() as patch:  # put back when the session ends
        patch.setattr(
            DatabaseOperations,
            "execute_sql_flush",
            _flush_as_owner(DatabaseOperations.execute_sql_flush),
        )
        yield
    with django_db_blocker.unblock():
        _take_role(None)  # dropping the test database takes the owner


def _take_role(role: str | None) -> None:
    for conn in connections.all():
        options = conn.settings_dict.setdefault("OPTIONS", {})
        if role:
            options["assume_role"] = role
        else:
            options.pop("assume_role", None)
        conn.close()


def _flush_as_owner(flush: Callable) -> Callable:
    """Django empties the tables after a transactional test with TRUNCATE, which the runtime
    role may not do and the ledger refuses: the harness does it as the owner with triggers
    off (session_replication_role, superuser only), as a DBA resetting a test database would."""

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SET ROLE NONE; SET session_replication_role = replica")
        try:
            flush(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.execute(
                    "SET ROLE %s", [self.connection.settings_dict["OPTIONS"]["assume_role"]]
                )

    return execute_sql_flush


@contextmanager
def as_owner() -> Iterator[None]:
    """Act as the schema's owner for a moment (a migration, or a go-live load run by the DBA)."""
    role = connection.settings_dict["OPTIONS"].get("assume_role")
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET ROLE NONE")
    try:
        yield
    finally:
        if role:
            with connection.cursor() as cursor:
                cursor.execute("SET ROLE %s", [role])


@pytest.fixture
def db_owner(db) -> Iterator[None]:
    """This whole test acts as the schema's owner."""
    with as_owner():
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Every test signs staff in with fresh passwords; PBKDF2's deliberate slowness would
    # dominate the suite on a 2-core machine. Production keeps Django's default hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded files (imports) land in the test's own folder, never in var/.
    settings.MEDIA_ROOT = tmp_path / "media"
    # The national interface's lookup memo (settlement/services/memo.py) outlives a test's rolled-back
    # rows: tests read every time unless they are about the memo (tests/settlement/test_memo.py).
    settings.HSA_LOOKUP_TTL_SECONDS = 0


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language: a page asked for in English through the test
    client leaves English active in this thread (LocaleMiddleware activates it and nothing
    deactivates it), so a later test's Chinese messages would read in English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def regions(db) -> dict[str, Region]:
    return {r.code: r for r in regions_load(area_code="320900")}


@pytest.fixture
def county_a(regions) -> Region:
    return regions[COUNTY_A]


@pytest.fixture
def county_b(regions) -> Region:
    return regions[COUNTY_B]


def _staff(username: str, role: str, region: str | None = None) -> User:
    return staff_ensure(spec=StaffSpec(username, role, username, region), password=PASSWORD)


@pytest.fixture
def clerk_a(regions) -> User:
    return _staff("clerk_a", Role.COUNTY_CLERK, COUNTY_A)


@pytest.fixture
def clerk_b(regions) -> User:
    return _staff("clerk_b", Role.COUNTY_CLERK, COUNTY_B)


@pytest.fixture
def city_agent(regions) -> User:
    return _staff("city_agent", Role.CITY_AGENCY)


@pytest.fixture
def bureau_admin(regions) -> User:
    return _staff("bureau_admin", Role.BUREAU_ADMIN)


@pytest.fixture
def bureau_checker(regions) -> User:
    return _staff("bureau_checker", Role.BUREAU_ADMIN)


@pytest.fixture
def finance(regions) -> User:
    return _staff("finance", Role.FINANCE)


@pytest.fixture
def auditor(regions) -> User:
    return _staff("auditor", Role.AUDITOR)


@pytest.fixture
def superuser(regions) -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    """A browser session signed in as this user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def publish_demo_policy(admin: Any, checker: Any) -> Any:
    """The demo policy document, published by two administrators (maker-checker); its rules.
    A plain function too, for a module-scoped world built outside this fixture."""
    import json
    from pathlib import Path

    from django.utils import timezone

    from pooling.models import PolicyStatus, PolicyVersion
    from pooling.policy.document import policy_from_document

    doc = json.loads(
        (
            Path(__file__).resolve().parent.parent / "pooling/policy/documents/demo-2026.json"
        ).read_text("utf-8")
    )
    PolicyVersion.objects.create(
        code=doc["code"],
        title=doc["title"],
        effective_from=doc["effective_from"],
        document=doc,
        status=PolicyStatus.PUBLISHED,
        drafted_by=admin,
        approved_by=checker,
        published_at=timezone.now(),
    )
    return policy_from_document(doc)


@pytest.fixture
def demo_policy(bureau_admin, bureau_checker):
    """The demo policy document, published by two administrators (maker-checker)."""
    return publish_demo_policy(bureau_admin, bureau_checker)

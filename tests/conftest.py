"""Shared fixtures: the demo city's regions and one named person per role.

Who may see what:
- clerk_a works in 亭湖区 (320902): sees and changes only 亭湖区's rows.
- clerk_b works in 盐都区 (320903): Alice-and-Charlie style — must never see clerk_a's rows.
- city_agent, bureau_admin, bureau_checker, finance: see every county.
- auditor: reads every county, changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from pooling.kernel.choices import Role
from pooling.kernel.regions import StaffSpec, regions_load, staff_ensure
from pooling.models import Region, User

pytest_plugins = ["tests.browser"]

PASSWORD = "test-pass-2026"  # noqa: S105
COUNTY_A = "320902"  # 亭湖区
COUNTY_B = "320903"  # 盐都区


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every test signs staff in with fresh passwords; PBKDF2's deliberate slowness would
    # dominate the suite on a 2-core machine. Production keeps Django's default hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _ledger_maintenance_on_flush():
    """Transactional tests end with Django's flush, a TRUNCATE of every table; the ledger
    tables refuse TRUNCATE unless the transaction says it is maintenance (migrations
    funds 0006, enrollment 0007). Only the flush says so: a test's own TRUNCATE is refused."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):  # type: ignore[no-untyped-def]
        statements = original(self, style, tables, **kwargs)
        return ["SET LOCAL pooling.ledger_maintenance = 'on'", *statements] if statements else statements

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


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


@pytest.fixture
def demo_policy(bureau_admin, bureau_checker):
    """The demo policy document, published by two administrators (maker-checker)."""
    import json
    from pathlib import Path

    from django.utils import timezone

    from pooling.models import PolicyStatus, PolicyVersion
    from pooling.policy.document import policy_from_document

    doc = json.loads((Path(__file__).resolve().parent.parent / "pooling/policy/documents/demo-2026.json").read_text("utf-8"))
    PolicyVersion.objects.create(
        code=doc["code"], title=doc["title"], effective_from=doc["effective_from"], document=doc,
        status=PolicyStatus.PUBLISHED, drafted_by=bureau_admin, approved_by=bureau_checker,
        published_at=timezone.now(),
    )
    return policy_from_document(doc)

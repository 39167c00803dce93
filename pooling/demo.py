"""The demo city: regions and one account per role. Safe to load twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from pooling.benefits.catalogue.importer import load_demo_catalogue
from pooling.kernel.choices import Role
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.regions import StaffSpec, regions_load, staff_ensure
from pooling.models import PolicyStatus, PolicyVersion, User

DEMO_PASSWORD = "demo-2026"  # noqa: S105 — printed for the demo on purpose

DEMO_STAFF = [
    StaffSpec("clerk_tinghu", Role.COUNTY_CLERK, "王敏（亭湖区经办）", "320902"),
    StaffSpec("clerk_yandu", Role.COUNTY_CLERK, "李强（盐都区经办）", "320903"),
    StaffSpec("city_agent", Role.CITY_AGENCY, "陈静（市经办机构）"),
    StaffSpec("bureau_admin", Role.BUREAU_ADMIN, "赵磊（市医保局）"),
    StaffSpec("bureau_checker", Role.BUREAU_ADMIN, "孙芳（市医保局复核）"),
    StaffSpec("finance", Role.FINANCE, "周洁（财务）"),
    StaffSpec("auditor", Role.AUDITOR, "吴刚（审计）"),
]


@DEMO_LOADERS.register
def load(echo: Callable[[str], None]) -> None:
    regions_load(area_code=settings.POOLING_AREA_CODE)
    staff = {spec.username: staff_ensure(spec=spec, password=DEMO_PASSWORD) for spec in DEMO_STAFF}
    _publish_demo_policy(drafted_by=staff["bureau_admin"], approved_by=staff["bureau_checker"])
    _load_demo_baselines(actor=staff["bureau_admin"])
    _submit_demo_draft(maker=staff["bureau_admin"])
    load_demo_catalogue(maker=staff["bureau_admin"], checker=staff["bureau_checker"], echo=lambda _msg: None)
    echo(f"演示账号（密码均为 {DEMO_PASSWORD}）/ demo accounts (password {DEMO_PASSWORD}):")
    for spec in DEMO_STAFF:
        echo(f"  {spec.username:<16} {spec.display_name}")


DEMO_POLICY = Path(__file__).resolve().parent / "policy" / "documents" / "demo-2026.json"


def _publish_demo_policy(*, drafted_by: User, approved_by: User) -> None:
    doc = json.loads(DEMO_POLICY.read_text(encoding="utf-8"))
    PolicyVersion.objects.get_or_create(code=doc["code"], defaults={
        "title": doc["title"], "effective_from": doc["effective_from"], "document": doc,
        "status": PolicyStatus.PUBLISHED, "drafted_by": drafted_by, "approved_by": approved_by,
        "published_at": timezone.now(),
    })


DEMO_BASELINES = Path(__file__).resolve().parent / "policy" / "documents" / "demo-county-baselines.csv"


def _load_demo_baselines(*, actor: User) -> None:
    """Demo pre-pooling county parameters for the 待遇不降 report (replaced on every load)."""
    from pooling.policy.unification.services import county_baselines_import

    county_baselines_import(content=DEMO_BASELINES.read_bytes(), source=DEMO_BASELINES.name, actor=actor)


DEMO_DRAFT = Path(__file__).resolve().parent / "policy" / "documents" / "demo-2027-draft.json"


def _submit_demo_draft(*, maker: User) -> None:
    """Next year's draft, submitted by bureau_admin, so bureau_checker can try 复核发布."""
    from pooling.policy.services import policy_draft_import, policy_submit

    doc = json.loads(DEMO_DRAFT.read_text(encoding="utf-8"))
    if not PolicyVersion.objects.filter(code=doc["code"]).exists():
        policy_submit(version=policy_draft_import(document=doc, actor=maker), actor=maker)

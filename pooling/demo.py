"""The demo city: regions and one account per role, its published policy, next year's draft
and the pre-pooling baselines, all read from the city's demo file
(`pooling/data/demo/<area code>.json`, see `pooling/kernel/demo_city.py`). Safe to load twice."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from pooling.benefits.catalogue.importer import load_demo_catalogue
from pooling.kernel.demo_city import demo_city, demo_file, demo_staff
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.regions import regions_load, staff_ensure
from pooling.models import PolicyStatus, PolicyVersion, User

DEMO_PASSWORD = "demo-2026"  # noqa: S105 — printed for the demo on purpose


@DEMO_LOADERS.register
def load(echo: Callable[[str], None]) -> None:
    city = demo_city()  # refuses, in Chinese, an area that ships no demo
    regions_load(area_code=settings.POOLING_AREA_CODE)
    specs = demo_staff()
    staff = {spec.username: staff_ensure(spec=spec, password=DEMO_PASSWORD) for spec in specs}
    policy = city["policy"]
    maker, checker = staff[policy["maker"]], staff[policy["checker"]]
    _publish_demo_policy(path=policy["published"], drafted_by=maker, approved_by=checker)
    if policy.get("baselines"):
        _load_demo_baselines(path=policy["baselines"], actor=maker)
    if policy.get("draft"):
        _submit_demo_draft(path=policy["draft"], maker=maker)
    load_demo_catalogue(maker=maker, checker=checker, echo=lambda _msg: None)
    echo(f"演示账号（密码均为 {DEMO_PASSWORD}）/ demo accounts (password {DEMO_PASSWORD}):")
    for spec in specs:
        echo(f"  {spec.username:<16} {spec.display_name}")


def _publish_demo_policy(*, path: str, drafted_by: User, approved_by: User) -> None:
    doc = json.loads(demo_file(path).read_text(encoding="utf-8"))
    PolicyVersion.objects.get_or_create(
        code=doc["code"],
        defaults={
            "title": doc["title"],
            "effective_from": doc["effective_from"],
            "document": doc,
            "status": PolicyStatus.PUBLISHED,
            "drafted_by": drafted_by,
            "approved_by": approved_by,
            "published_at": timezone.now(),
        },
    )


def _load_demo_baselines(*, path: str, actor: User) -> None:
    """Demo pre-pooling county parameters for the 待遇不降 report (replaced on every load)."""
    from pooling.policy.unification.services import county_baselines_import

    file = demo_file(path)
    county_baselines_import(content=file.read_bytes(), source=file.name, actor=actor)


def _submit_demo_draft(*, path: str, maker: User) -> None:
    """Next year's draft, submitted by bureau_admin, so bureau_checker can try 复核发布."""
    from pooling.policy.services import policy_draft_import, policy_submit

    doc = json.loads(demo_file(path).read_text(encoding="utf-8"))
    if not PolicyVersion.objects.filter(code=doc["code"]).exists():
        policy_submit(version=policy_draft_import(document=doc, actor=maker), actor=maker)

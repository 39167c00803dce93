"""The admin never bypasses a service: every registered admin model × role × add/change/delete.

What may be written here is stated below, on its own, not read from the table: a handful
of settings whose admin saves through their service, and the scheduled jobs. Everything
else — rule data (agreement and assessment templates, handling rules and exceptions,
remittance rules, catalogues, policy), people, providers, the ledger — is read-only for
every role, and nobody but a superuser deletes.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.http import HttpRequest
from django.test import RequestFactory

from funds.models import InterestRate
from funds.services.setup import books_ensure
from pooling.kernel.permissions import can
from pooling.models import Region, User
from providers.models import AgreementTemplate, AssessmentTemplate, HandlingRule
from providers.services.assessment import assessment_template_create
from tests.actors import SETUP
from tests.providers.factories import make_template

pytestmark = pytest.mark.django_db
ROLES = ("clerk_a", "city_agent", "bureau_admin", "finance", "auditor")
BEAT = ("periodictask", "clockedschedule", "crontabschedule", "solarschedule", "intervalschedule")
# label -> (the actions it may be written with, the capability they need); the admin saves through a service.
WRITABLE = {
    "funds.book": ({"change"}, "fund.configure"),
    "funds.interestrate": ({"add", "change"}, "interest.accrue"),
    "funds.prepoolingposition": ({"add", "change"}, "prepooling.manage"),
    **{f"django_celery_beat.{m}": ({"add", "change"}, "schedule.manage") for m in BEAT},
}
SUPERUSER_ONLY = {"pooling.user", "auth.group", "pooling.region"}


def _request(user: User) -> HttpRequest:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _allowed(model_admin: admin.ModelAdmin, action: str, request: HttpRequest) -> bool:
    return {
        "add": model_admin.has_add_permission,
        "change": model_admin.has_change_permission,
        "delete": model_admin.has_delete_permission,
    }[action](request)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_a_role_write_in_the_admin_only_what_its_capabilities_allow(request, role):
    user = request.getfixturevalue(role)
    wrong = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        actions, capability = WRITABLE.get(label, (set(), None))
        for action in ("add", "change", "delete"):
            expected = action in actions and capability is not None and can(user, capability)
            if _allowed(model_admin, action, _request(user)) is not expected:
                wrong.append(f"{label} {action}: {'不应允许' if not expected else '应允许'}")
    assert not wrong, f"{role}: " + "；".join(wrong)


def test_it_keeps_rule_data_read_only_even_for_a_superuser(superuser):
    wrong = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        for action in ("add", "change", "delete"):
            expected = label in SUPERUSER_ONLY or (
                action != "delete" and label in WRITABLE and action in WRITABLE[label][0]
            )
            if _allowed(model_admin, action, _request(superuser)) is not expected:
                wrong.append(f"{label} {action}")
    assert not wrong, "；".join(wrong)


def test_it_keeps_a_county_clerk_off_city_wide_rule_data(client_for, clerk_a, templates_and_rules):
    client = client_for(clerk_a)
    template, handling_rule, assessment_template = templates_and_rules
    for obj in (template, handling_rule, assessment_template):
        opts = obj._meta
        change = f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"
        page = client.get(change)
        assert (
            page.status_code == 200 and 'name="_save"' not in page.content.decode()
        )  # read, no save button
        assert (
            client.post(
                change, {"title": "县里改的", "note": "县里改的", "name": "县里改的"}
            ).status_code
            == 403
        )
        assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/add/").status_code == 403
    template.refresh_from_db()
    assert template.title != "县里改的"


def test_it_saves_an_interest_rate_through_its_service(client_for, finance, regions):
    book = books_ensure(area_code="320900", codes=["resident"])[0]
    client = client_for(finance)
    bad = client.post(
        "/admin/funds/interestrate/add/",
        {"book": book.pk, "year": 2026, "month": 13, "annual_rate": "0.0135"},
    )
    assert bad.status_code == 200 and "请填写有效的年度与月份" in bad.content.decode()
    good = client.post(
        "/admin/funds/interestrate/add/",
        {"book": book.pk, "year": 2026, "month": 3, "annual_rate": "0.0135"},
    )
    assert good.status_code == 302
    assert InterestRate.objects.get(book=book, year=2026, month=3).annual_rate == Decimal("0.0135")


@pytest.fixture
def templates_and_rules(
    regions: dict[str, Region],
) -> tuple[AgreementTemplate, HandlingRule, AssessmentTemplate]:
    rule = HandlingRule.objects.create(
        provider_kind="hospital", level="level3", location_region=regions["320902"]
    )
    assessment = assessment_template_create(
        name="考核", from_year=2020, indicators=[("A", "甲", 100)], bands=[], actor=SETUP
    )
    return make_template(), rule, assessment

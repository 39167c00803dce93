"""One permission model: every capability of the table, as every role.

For each capability the service refuses an actor without it (PermissionDenied naming the
capability) and lets a holder past the check; its page refuses (403) or its button is
hidden; its API refuses; its admin model follows. The oracle is `can()` on the one
table — what this proves is that services, pages, templates, API and admin ask it the
same question. A capability without a probe fails `test_it_probes_every_capability`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import RequestFactory

from pooling.kernel.choices import Role
from pooling.kernel.permissions import (
    ACCOUNTS_JOB,
    CAPABILITIES,
    DEMO_LOADER,
    READ_ONLY_ROLES,
    SUSPENSIONS_JOB,
    SWEEP_JOB,
    TRANSFERS_JOB,
    can,
    denied_message,
    model_permission,
    require,
)
from pooling.models import User
from tests.pooling.kernel.capability_probes import PROBES, RESERVED, World, url

pytestmark = pytest.mark.django_db
ROLES = ("clerk_a", "city_agent", "bureau_admin", "finance", "auditor", "superuser", "norole")
REFUSED = (403, 404)  # a user with no role sees no county's rows at all: 404 before 403


class _Undo(Exception):
    pass


@contextmanager
def undone() -> Iterator[None]:
    """Whatever is written inside (services, pages, API) is rolled back after."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def _denied_by(capability: str, call: Any) -> bool:
    """True if `call` is refused for lacking `capability`; any other outcome (a rule's
    refusal included) means it got past the check."""
    try:
        call()
    except PermissionDenied as exc:
        return str(exc.args[0]) == str(denied_message(capability))
    except Exception:  # noqa: BLE001 — past the check, a rule may still refuse: not our question
        return False
    return False


@pytest.fixture
def actors(request, regions) -> dict[str, Any]:
    found = {name: request.getfixturevalue(name) for name in ROLES if name != "norole"}
    found["norole"] = User.objects.create_user(
        "norole", password="test-pass-2026"
    )  # staff without a role
    return found


def test_it_probes_every_capability():
    assert set(PROBES) | RESERVED == set(CAPABILITIES)
    assert not set(PROBES) & RESERVED


def test_it_labels_every_capability_in_chinese_for_an_administrator():
    for name, cap in CAPABILITIES.items():
        assert cap.roles <= set(Role.values), name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(cap.label)), name


def test_it_keeps_the_auditor_read_only_and_the_county_out_of_city_decisions():
    assert READ_ONLY_ROLES == {Role.AUDITOR}
    auditor_caps = {n for n, c in CAPABILITIES.items() if Role.AUDITOR in c.roles}
    assert auditor_caps == {
        "fund.view",
        "settlement.view",
        "audit.view",
        "api.docs",
        "system.view",
        "staff.view",
        "access.view",
    }
    clerk_caps = {n for n, c in CAPABILITIES.items() if Role.COUNTY_CLERK in c.roles}
    for city_only in (
        "policy.draft",
        "policy.publish",
        "catalogue.publish",
        "budget.issue",
        "agreement.template",
        "handling.rules",
        "ledger.post",
        "period.close",
        "fund.view",
        "api.docs",
    ):
        assert city_only not in clerk_caps, city_only


def test_it_refuses_an_unknown_capability_loudly():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        can(None, "policy.pubish")


def test_it_gives_system_jobs_only_their_own_capabilities():
    assert can(SUSPENSIONS_JOB, "provider.transition") and not can(SUSPENSIONS_JOB, "ledger.post")
    assert (
        can(SWEEP_JOB, "account.sweep")
        and can(SWEEP_JOB, "ledger.post")
        and not can(SWEEP_JOB, "account.post")
    )
    assert can(ACCOUNTS_JOB, "account.post") and not can(ACCOUNTS_JOB, "person.register")
    assert TRANSFERS_JOB.capabilities == {
        "transfer.release"
    }  # it neither asks for nor withdraws a transfer
    assert all(can(DEMO_LOADER, name) for name in CAPABILITIES)
    with pytest.raises(PermissionDenied):
        require(None, "person.register")  # nobody is never everybody


def test_it_binds_a_county_clerk_to_their_own_county(clerk_a, city_agent):
    assert can(clerk_a, "person.register", county="320902")
    assert not can(clerk_a, "person.register", county="320903")
    assert can(city_agent, "person.register", county="320903")


@pytest.mark.parametrize("capability", sorted(PROBES))
def test_it_enforces_the_capability_in_service_page_api_and_admin(
    capability, actors, bureau_checker, client_for
):
    probe, world = PROBES[capability], World(maker=bureau_checker)
    if probe.service is not None:  # make the rows it acts on, outside the undone blocks below
        assert _denied_by(capability, lambda: probe.service(world, actors["norole"]))
    for where in (probe.button, probe.page, probe.api):
        if where is not None:
            url(world, where[0]), url(world, where[1])
    holders = {name for name, user in actors.items() if can(user, capability)}
    assert holders and "norole" not in holders
    for name, user in actors.items():
        holds = name in holders
        with undone():
            _check(capability, probe, world, name, user, holds, client_for(user))


def _check(
    capability: str, probe: Any, world: World, name: str, user: Any, holds: bool, client: Any
) -> None:
    if probe.button is not None:
        page, marker = probe.button
        response = client.get(url(world, page))
        shown = response.status_code == 200 and url(world, marker) in response.content.decode()
        assert shown is holds, (
            f"{capability}: {page} 对 {name} {'显示' if shown else '未显示'}按钮（{response.status_code}）"
        )
    if probe.service is not None:
        denied = _denied_by(capability, lambda: probe.service(world, user))
        assert denied is not holds, f"{capability}: 服务对 {name} {'拒绝' if denied else '放行'}"
    if probe.page is not None:
        method, page = probe.page
        status = getattr(client, method)(url(world, page)).status_code
        assert (status in REFUSED) is not holds, f"{capability}: {page} 对 {name} 返回 {status}"
    if probe.api is not None:
        method, endpoint = probe.api
        status = getattr(client, method)(
            url(world, endpoint), {}, content_type="application/json"
        ).status_code
        assert (status in REFUSED) is not holds, f"{capability}: {endpoint} 对 {name} 返回 {status}"
    if probe.admin is not None:
        label, action = probe.admin
        app_label, model = label.split(".")
        assert model_permission(user, app_label, model, action) is holds, (
            f"{capability}: admin {label} {name}"
        )
        _assert_the_admin_agrees(label, action, user, holds)


def _assert_the_admin_agrees(label: str, action: str, user: Any, holds: bool) -> None:
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label_lower == label)
    request = RequestFactory().get("/admin/")
    request.user = user
    allowed = {
        "view": model_admin.has_view_permission,
        "add": model_admin.has_add_permission,
        "change": model_admin.has_change_permission,
    }[action](request)
    assert allowed is holds, f"admin {label} {action} for {user}"

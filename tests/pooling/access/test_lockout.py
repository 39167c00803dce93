"""Guessing passwords: five wrong ones lock the username (from that address) on the login
page and over the API's HTTP Basic, the message says when to try again, and an
administrator sees the lockout, lifts it, and both are in the audit log."""

from __future__ import annotations

import base64

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.throttling import UserRateThrottle

from pooling.access import services as lockouts
from pooling.web.api import THROTTLED
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LIMIT = 5


def guess(client: Client, username: str, password: str = "wrong-guess", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def test_it_locks_the_login_page_after_five_wrong_passwords_even_for_the_right_one(client, clerk_a):
    for _ in range(LIMIT - 1):
        assert guess(client, "clerk_a").status_code == 200
    locked = guess(client, "clerk_a")
    assert locked.status_code == 429
    right = guess(client, "clerk_a", PASSWORD)
    assert right.status_code == 429 and int(right["Retry-After"]) > 0
    body = right.content.decode()
    assert "登录失败次数过多" in body and "分钟后" in body and "请在" in body
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out


def test_it_locks_http_basic_too_and_says_when_in_both_languages(client, clerk_a):
    for _ in range(LIMIT - 1):
        assert client.get("/api/v1/me/", **basic("clerk_a", "wrong")).status_code in (401, 403)
    assert client.get("/api/v1/me/", **basic("clerk_a", "wrong")).status_code == 429
    right = client.get("/api/v1/me/", **basic("clerk_a", PASSWORD))
    assert right.status_code == 429 and int(right["Retry-After"]) > 60
    body = right.json()
    assert body["code"] == "locked_out" and "请在" in body["detail_zh"]
    assert "try again" in body["detail_en"].lower()


def test_it_locks_only_the_address_that_guessed(client, clerk_a):
    for _ in range(LIMIT):
        guess(client, "clerk_a", REMOTE_ADDR="10.0.0.9")
    assert guess(client, "clerk_a", REMOTE_ADDR="10.0.0.9").status_code == 429
    assert guess(client, "clerk_a", PASSWORD, REMOTE_ADDR="10.0.0.10").status_code == 302


def test_it_forgets_a_few_mistakes_after_a_good_sign_in(client, clerk_a):
    for _ in range(LIMIT - 1):
        guess(client, "clerk_a")
    assert guess(client, "clerk_a", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(LIMIT - 1):
        assert guess(client, "clerk_a").status_code == 200


def test_it_audits_the_lockout_once(client, clerk_a):
    for _ in range(LIMIT + 3):
        guess(client, "clerk_a")
    entries = LogEntry.objects.filter(content_type__app_label="axes")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.object_repr == "clerk_a @ 127.0.0.1" and entry.actor is None
    assert "锁定至" in entry.changes_dict["登录状态"][1]


@pytest.fixture
def locked(client, clerk_a):
    for _ in range(LIMIT):
        guess(client, "clerk_a")
    return AccessAttempt.objects.get(username="clerk_a")


def test_an_administrator_sees_and_lifts_a_lockout(client, client_for, bureau_admin, locked):
    admin = client_for(bureau_admin)
    page = admin.get("/admin/axes/accessattempt/").content.decode()
    assert "clerk_a" in page and "锁定至" in page and "解除所选账号的登录锁定" in page
    assert "登录保护" in admin.get("/admin/").content.decode()
    response = admin.post(
        "/admin/axes/accessattempt/", {"action": "lift", "_selected_action": [locked.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    lifted = LogEntry.objects.get(content_type__app_label="axes", actor=bureau_admin)
    assert lifted.changes_dict["登录状态"] == ["失败 5 次", "已由管理员解锁"]
    assert guess(client, "clerk_a", PASSWORD).status_code == 302


def test_the_auditor_sees_lockouts_but_cannot_lift_them(client_for, auditor, locked):
    client = client_for(auditor)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "clerk_a" in page and "解除所选账号的登录锁定" not in page
    client.post("/admin/axes/accessattempt/", {"action": "lift", "_selected_action": [locked.pk]})
    assert AccessAttempt.objects.filter(pk=locked.pk).exists()


def test_a_county_clerk_does_not_see_lockouts(client_for, clerk_b, locked):
    response = client_for(clerk_b).get("/admin/axes/accessattempt/")
    assert response.status_code in (302, 403)
    assert "clerk_a" not in response.content.decode()


def test_lifting_goes_through_the_service_only(superuser, locked):
    assert lockouts.lockouts_lift(attempts=[locked], actor=superuser) == 1
    assert not AccessAttempt.objects.exists()


def test_the_api_throttles_a_client_that_asks_too_often(client_for, clerk_a, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(
        UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"}
    )
    client = client_for(clerk_a)
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    throttled = client.get("/api/v1/me/")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    body = throttled.json()
    assert body["code"] == "throttled"
    assert body["detail_zh"] == str(THROTTLED) % {"seconds": throttled["Retry-After"]}

"""Small things a visitor notices: the icon, the API's front door, the docs' sign-in, and
no false alarm about a worker in the demo where tasks run in-process."""

from __future__ import annotations

import pytest

from pooling.heartbeat import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_it_serves_a_favicon_and_names_it_on_every_page(client, client_for, clerk_a):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client_for(clerk_a).get("/").content.decode()
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()


def test_it_answers_the_api_root_with_an_index(client_for, clerk_a):
    response = client_for(clerk_a).get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    paths = {e["path"] for e in body["endpoints"]}
    assert {"/api/v1/regions/", "/api/v1/me/", "/api/v1/policies/"} <= paths
    assert body["docs"] == "/api/docs/" and body["schema"] == "/api/schema/"
    assert all(p.startswith("/api/v1/") and p != "/api/v1/" for p in paths)


def test_it_asks_an_anonymous_api_client_to_authenticate_at_the_root(client):
    response = client.get("/api/v1/")
    assert response.status_code in (401, 403) and response.json()["detail_zh"]


def test_it_sends_an_anonymous_visitor_of_the_api_docs_to_sign_in(client, client_for, city_agent):
    response = client.get("/api/docs/")
    assert (
        response.status_code == 302 and response["Location"] == "/accounts/login/?next=/api/docs/"
    )
    assert (
        client_for(city_agent).get("/api/docs/").status_code == 200
    )  # a role that uses the API ("api.docs")


def test_it_raises_no_worker_alarm_where_tasks_run_in_process(settings, client_for, clerk_a):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert "后台任务进程" not in client_for(clerk_a).get("/").content.decode()


def test_it_raises_the_worker_alarm_where_a_worker_should_beat(settings, client_for, clerk_a):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert "无心跳" in client_for(clerk_a).get("/").content.decode()
    WorkerHeartbeat.objects.create(token="t-1", hostname="worker-1")
    body = client_for(clerk_a).get("/").content.decode()
    assert "后台任务进程正常" in body and "无心跳" not in body

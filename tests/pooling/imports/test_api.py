"""The imports API: upload, status, errors, commit — scoped and once-only like the pages."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from enrollment.models import Person
from pooling.imports import services
from tests.enrollment.imports.helpers import bad_check, id_number, people_csv


def upload(client, data: bytes):
    return client.post(
        "/api/v1/imports/", {"kind": "people", "file": SimpleUploadedFile("p.csv", data)}
    )


def test_it_uploads_previews_and_commits_over_the_api(
    client_for, clerk_a, django_capture_on_commit_callbacks
):
    client = client_for(clerk_a)
    with django_capture_on_commit_callbacks(execute=True):
        created = upload(client, people_csv([[id_number(), "张三", "在职职工", "320902"]]))
    assert created.status_code == 201 and created.json()["county"] == "320902"
    pk = created.json()["id"]
    assert client.get(f"/api/v1/imports/{pk}/").json()["is_clean"] is True
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/imports/{pk}/commit/").status_code == 202
    assert client.get(f"/api/v1/imports/{pk}/").json()["status"] == "committed"
    again = client.post(f"/api/v1/imports/{pk}/commit/")
    assert again.status_code == 400 and again.json()["detail_zh"] == str(services.ALREADY_COMMITTED)
    assert Person.objects.count() == 1


def test_it_lists_errors_and_refuses_to_commit_them(
    client_for, clerk_a, clerk_b, django_capture_on_commit_callbacks
):
    client = client_for(clerk_a)
    with django_capture_on_commit_callbacks(execute=True):
        pk = upload(
            client, people_csv([[bad_check(id_number()), "张三", "在职职工", "320902"]])
        ).json()["id"]
    errors = client.get(f"/api/v1/imports/{pk}/errors/").json()
    assert errors["count"] == 1 and errors["results"][0]["row"] == 2
    assert errors["results"][0]["column"] == "身份证号码"
    refused = client.post(f"/api/v1/imports/{pk}/commit/")
    assert refused.status_code == 400 and refused.json()["code"] == "not_ready"
    other = client_for(clerk_b)
    assert other.get(f"/api/v1/imports/{pk}/").status_code == 404
    assert other.get("/api/v1/imports/").json()["count"] == 0


def test_it_refuses_uploads_from_read_only_roles(client_for, auditor):
    assert (
        upload(client_for(auditor), people_csv([[id_number(), "张三", "在职职工", ""]])).status_code
        == 403
    )

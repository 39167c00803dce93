from __future__ import annotations

import json

import pytest

from pooling.models import PolicyStatus, PolicyVersion
from pooling.policy.services import SAME_PERSON
from tests.pooling.policy.policy_docs import demo_doc

pytestmark = pytest.mark.django_db
API = "/api/v1/policies/"


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_the_api_runs_maker_checker_end_to_end(client_for, bureau_admin, bureau_checker, clerk_a):
    maker, checker, clerk = (
        client_for(bureau_admin),
        client_for(bureau_checker),
        client_for(clerk_a),
    )
    assert post(clerk, f"{API}import/", demo_doc()).status_code == 403
    created = post(maker, f"{API}import/", demo_doc())
    assert created.status_code == 201, created.content
    assert created.json()["status"] == PolicyStatus.DRAFT
    assert post(maker, f"{API}YC-2026/submit/").json()["status"] == PolicyStatus.SUBMITTED
    refused = post(maker, f"{API}YC-2026/approve/")
    assert refused.status_code == 400
    assert refused.json()["detail_zh"].startswith(str(SAME_PERSON)[:10])
    assert post(clerk, f"{API}YC-2026/approve/").status_code == 403
    assert post(checker, f"{API}YC-2026/approve/").json()["status"] == PolicyStatus.PUBLISHED
    # Everyone signed in reads, including the file itself.
    listed = clerk.get(API).json()["results"]
    assert [v["code"] for v in listed] == ["YC-2026"]
    assert clerk.get(f"{API}YC-2026/").json()["document"] == demo_doc()
    exported = clerk.get(f"{API}YC-2026/export/")
    assert json.loads(exported.content) == demo_doc()
    assert "attachment" in exported["Content-Disposition"]


def test_the_api_returns_every_problem_with_its_json_path(client_for, bureau_admin):
    doc = demo_doc()
    doc["benefits"]["inpatient"][0]["hospital_level"] = "level9"
    del doc["title"]
    response = post(client_for(bureau_admin), f"{API}import/", doc)
    assert response.status_code == 400
    problems = {p["path"]: p["reason"] for p in response.json()["problems"]}
    assert set(problems) == {"$.title", "$.benefits.inpatient[0].hospital_level"}
    assert problems["$.title"] == "缺少必填项"
    assert not PolicyVersion.objects.exists()


def test_the_api_rejects_with_a_reason_and_publishes_the_schema(
    client_for, bureau_admin, bureau_checker
):
    post(client_for(bureau_admin), f"{API}import/", demo_doc())
    post(client_for(bureau_admin), f"{API}YC-2026/submit/")
    checker = client_for(bureau_checker)
    assert post(checker, f"{API}YC-2026/reject/", {}).status_code == 400
    rejected = post(checker, f"{API}YC-2026/reject/", {"reason": "比例偏低"}).json()
    assert (rejected["status"], rejected["review_note"]) == (PolicyStatus.REJECTED, "比例偏低")
    schema = checker.get(f"{API}schema/").json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_openapi_schema_documents_the_policy_api_and_changes_are_audited(
    client_for, bureau_admin
):
    from auditlog.models import LogEntry

    schema = client_for(bureau_admin).get("/api/schema/?format=json").json()
    assert {"/api/v1/policies/import/", "/api/v1/policies/{code}/approve/"} <= set(schema["paths"])
    post(client_for(bureau_admin), f"{API}import/", demo_doc())
    entry = LogEntry.objects.get(content_type__model="policyversion")
    assert entry.actor == bureau_admin

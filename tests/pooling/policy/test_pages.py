from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pooling.models import PolicyStatus, PolicyVersion
from pooling.policy.unification.services import county_baselines_import
from tests.pooling.policy.policy_docs import DEMO_BASELINES, demo_doc

pytestmark = pytest.mark.django_db


def upload(client, doc, url="/policy/upload/"):
    data = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode("utf-8")
    return client.post(url, {"document": SimpleUploadedFile("p.json", data, "application/json")})


def test_an_invalid_upload_names_each_problem_in_words_with_its_json_path(client_for, bureau_admin):
    doc = demo_doc()
    doc["benefits"]["maternity"]["leave_days"]["base"] = 0
    response = upload(client_for(bureau_admin), doc)
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "待遇标准 · 生育保险待遇 · 产假天数 · 基础产假（$.benefits.maternity.leave_days.base）：不能小于 1"
        in page
    )
    assert not PolicyVersion.objects.exists()
    assert "JSON" in upload(client_for(bureau_admin), b"{not json").content.decode()


def test_pages_run_draft_submit_approve_and_show_the_tables(
    client_for, bureau_admin, bureau_checker, clerk_a
):
    maker, checker = client_for(bureau_admin), client_for(bureau_checker)
    assert upload(client_for(clerk_a), demo_doc()).status_code == 403
    response = upload(maker, demo_doc())
    assert response.status_code == 302 and response["Location"] == "/policy/v/YC-2026/"
    maker.post("/policy/v/YC-2026/submit/")
    page = maker.get("/policy/v/YC-2026/").content.decode()
    assert "起草人不能自己发布" in page and 'id="approve-policy"' not in page
    maker.post("/policy/v/YC-2026/approve/")  # refused: same person
    assert PolicyVersion.objects.get().status == PolicyStatus.SUBMITTED
    checker.post("/policy/v/YC-2026/approve/")
    assert PolicyVersion.objects.get().status == PolicyStatus.PUBLISHED
    page = client_for(clerk_a).get("/policy/v/YC-2026/").content.decode()
    assert (
        "首次住院起付标准" in page and "1200.00" in page and "高血压" in page and "已发布" in page
    )
    listing = client_for(clerk_a).get("/policy/").content.decode()
    assert "YC-2026" in listing and "bureau_checker" in listing and "当前生效" in listing
    download = client_for(clerk_a).get("/policy/v/YC-2026/download/")
    assert json.loads(download.content) == demo_doc()


def test_the_compare_page_lists_changed_items(client_for, bureau_admin):
    upload(client_for(bureau_admin), demo_doc())
    later = demo_doc(code="YC-2027", effective_from="2027-01-01")
    later["benefits"]["inpatient"][0]["ratio_pct"] = "87"
    upload(client_for(bureau_admin), later)
    assert (
        "当前生效" not in client_for(bureau_admin).get("/policy/").content.decode()
    )  # drafts never are
    page = client_for(bureau_admin).get("/policy/compare/?a=YC-2026&b=YC-2027").content.decode()
    assert (
        "待遇标准 · 住院待遇 · 职工基本医疗保险 在职职工 三级 · 统筹基金支付比例</td><td>85%</td><td>87%"
        in page
    )
    assert page.count("<tr><td") == 3  # code, effective_from and the ratio
    assert "<td>$." not in page and "ratio_pct</td>" not in page


def test_the_unification_page_and_csv(client_for, demo_policy, bureau_admin, clerk_b):
    county_baselines_import(content=DEMO_BASELINES.read_bytes(), source="demo", actor=bureau_admin)
    client = client_for(clerk_b)
    page = client.get("/policy/unification/").content.decode()
    assert "共 6 项统一标准不如统筹前优惠" in page and "亭湖区" in page
    body = b"".join(client.get("/policy/unification/export/?format=csv").streaming_content).decode(
        "utf-8-sig"
    )
    lines = body.strip().splitlines()
    assert lines[0] == "区划代码,县（区）,项目代码,项目,统筹前标准,统一标准"
    assert (
        "320902,亭湖区,ip.employee.in_service.level3.deductible_first,职工基本医疗保险 在职职工 三级 首次住院起付标准,1000.00,1200.00"
        in lines
    )
    assert len(lines) == 7
    assert client.get("/policy/unification/import/").status_code == 403

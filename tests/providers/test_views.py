from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from providers.choices import State
from providers.models import Provider, ProviderEvent
from tests.providers.factories import codes, make_provider
from tests.providers.helpers import walk

pytestmark = pytest.mark.django_db


def test_it_lists_only_the_clerks_own_providers(
    client_for, clerk_a, clerk_b, city_agent, county_a, county_b, city
):
    make_provider(county_a, "甲")
    make_provider(county_b, "乙")
    make_provider(county_a, "市管", handling=city)
    page = client_for(clerk_a).get("/providers/").content.decode()
    assert "测试医院甲" in page and "测试医院乙" not in page and "测试医院市管" not in page
    page = client_for(city_agent).get("/providers/").content.decode()
    assert all(f"测试医院{m}" in page for m in ("甲", "乙", "市管"))


def test_it_hides_another_countys_provider_page(client_for, clerk_b, county_a):
    provider = make_provider(county_a)
    assert client_for(clerk_b).get(f"/providers/{provider.pk}/").status_code == 404
    assert (
        client_for(clerk_b)
        .post(f"/providers/{provider.pk}/act/apply/", {"on": "2026-01-05"})
        .status_code
        == 404
    )


def test_it_registers_through_the_form_with_errors_beside_the_field(
    client_for, clerk_a, county_a, handling_rules
):
    national, credit = codes(county_a.code)
    form = {
        "kind": "hospital",
        "name": "亭湖康复医院",
        "national_code": "H32090300001",
        "credit_code": credit,
        "location_region": county_a.code,
        "address": "开放大道",
        "level": "level2",
        "ownership": "private",
        "opened_on": "2020-01-01",
    }
    response = client_for(clerk_a).post("/providers/new/", form)
    assert "与所在区县 320902 不一致" in response.content.decode()
    form["national_code"] = national
    response = client_for(clerk_a).post("/providers/new/", form)
    provider = Provider.objects.get(national_code=national)
    assert response.status_code == 302 and provider.handling_region == county_a


def test_it_shows_the_rule_that_refused_an_action(client_for, clerk_a, county_a):
    provider = make_provider(county_a, opened_on=date.today() - timedelta(days=30))
    response = client_for(clerk_a).post(
        f"/providers/{provider.pk}/act/apply/", {"on": date.today().isoformat()}
    )
    assert "正式运营满3个月" in response.content.decode()
    assert not ProviderEvent.objects.filter(provider=provider).exists()


def test_it_refuses_finance_the_lifecycle_pages(client_for, finance, county_a):
    provider = make_provider(county_a)
    assert client_for(finance).get(f"/providers/{provider.pk}/act/apply/").status_code == 403
    assert client_for(finance).get(f"/providers/{provider.pk}/").status_code == 200


def test_it_exports_the_public_list_city_wide(
    client_for, clerk_b, clerk_a, county_a, county_b, templates
):
    designated = walk(make_provider(county_a, "定点"), clerk_a)
    make_provider(county_b, "未定点")
    client = client_for(clerk_b)
    csv = client.get("/providers/public/export/?format=csv")
    text = b"".join(csv.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff医保机构编码") and designated.national_code in text
    assert "未定点" not in text and designated.credit_code not in text
    xlsx = client.get("/providers/public/export/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.values)
    assert rows[2][0] == "医保机构编码"  # under the title block
    assert rows[3][0] == designated.national_code and rows[3][9] == "履约中"


def test_it_counts_deadlines_on_the_home_page(client_for, clerk_a, county_a):
    today = date.today()
    provider = make_provider(county_a)
    walk(
        provider,
        clerk_a,
        [("apply", today - timedelta(days=80), {}), ("accept", today - timedelta(days=80), {})],
    )
    home = client_for(clerk_a).get("/").content.decode()
    assert "定点评估临近3个月期限" in home
    page = client_for(clerk_a).get("/providers/deadlines/").content.decode()
    assert provider.name in page and "评估期限" in page


def test_it_loads_the_demo_twice(db, capsys):
    call_command("load_demo")
    call_command("load_demo")
    third = Provider.objects.get(national_code="H32090200003")
    assert third.handling_region_id == "320903" and third.state == State.PERFORMING
    assert Provider.objects.get(national_code="H32090200001").handling_region_id == "320900"
    assert Provider.objects.get(national_code="H32090300102").state == State.SUSPENDED
    assert Provider.objects.count() == 7


def test_it_runs_the_lifecycle_over_the_api(
    client_for, clerk_a, county_a, handling_rules, templates
):
    national, credit = codes(county_a.code)
    client = client_for(clerk_a)
    created = client.post(
        "/api/v1/providers/",
        {
            "kind": "hospital",
            "name": "接口医院",
            "national_code": national,
            "credit_code": credit,
            "location_region": county_a.code,
            "address": "x路",
            "level": "level1",
            "ownership": "private",
            "opened_on": "2019-01-01",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    ok = client.post(
        f"/api/v1/providers/{pk}/transitions/", {"action": "apply"}, content_type="application/json"
    )
    assert ok.json()["state"] == State.APPLIED
    refused = client.post(
        f"/api/v1/providers/{pk}/transitions/",
        {"action": "publish"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "只能在以下状态办理" in refused.json()["detail_zh"]
    assert [e["to_state"] for e in client.get(f"/api/v1/providers/{pk}/events/").json()] == [
        State.REGISTERED,
        State.APPLIED,
    ]


def test_it_scopes_the_api(client_for, clerk_b, county_a, auditor):
    provider = make_provider(county_a, "甲")
    assert client_for(clerk_b).get(f"/api/v1/providers/{provider.pk}/").status_code == 404
    assert client_for(clerk_b).get("/api/v1/providers/").json()["count"] == 0
    denied = client_for(auditor).post(
        f"/api/v1/providers/{provider.pk}/transitions/",
        {"action": "apply"},
        content_type="application/json",
    )
    assert denied.status_code == 403


def test_it_records_a_violation_in_yuan_as_fen(client_for, clerk_a, county_a, templates):
    provider = walk(make_provider(county_a), clerk_a)
    client = client_for(clerk_a)
    form = {
        "kind": "overcharge",
        "found_on": "2026-04-10",
        "finding": "超标准收费",
        "recover_yuan": "1,234.5",
        "deduct_yuan": "0.015",
        "deduction_month": "2026-05-20",
        "action": "none",
    }
    response = client.post(f"/providers/{provider.pk}/violations/new/", form)
    assert "金额最多两位小数" in response.content.decode()
    form["deduct_yuan"] = "500.01"
    assert client.post(f"/providers/{provider.pk}/violations/new/", form).status_code == 302
    violation = provider.violations.get()
    assert (violation.recover_fen, violation.deduct_fen, violation.deduction_month) == (
        123450,
        50001,
        date(2026, 5, 1),
    )


def test_it_lets_only_city_roles_publish_templates(client_for, clerk_a, city_agent, templates):
    form = {
        "provider_kind": "pharmacy",
        "title": "药店协议第二版",
        "body": "正文",
        "effective_from": "2026-01-01",
        "term_months": "24",
    }
    assert client_for(clerk_a).post("/providers/templates/", form).status_code == 403
    assert client_for(city_agent).post("/providers/templates/", form).status_code == 302
    page = client_for(clerk_a).get("/providers/templates/").content.decode()
    assert "药店协议第二版" in page and "v2" in page


def test_it_lets_the_city_agency_act_on_a_county_provider(
    client_for, clerk_a, city_agent, county_a, templates
):
    provider = walk(make_provider(county_a), clerk_a)
    response = client_for(city_agent).post(
        f"/providers/{provider.pk}/act/suspend/",
        {"on": "2026-04-01", "initiator": "agency", "reason": "市级检查发现违规"},
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.state == State.SUSPENDED


def test_it_shows_who_handles_what(client_for, clerk_a, handling_rules):
    page = client_for(clerk_a).get("/providers/handling/").content.decode()
    assert (
        "盐城市第三人民医院" in page and "盐都区" in page and "市区三级医疗机构（亭湖区）" in page
    )

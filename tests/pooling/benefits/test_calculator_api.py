"""POST /api/v1/benefits/calculate: a quote under the policy and catalogue in force; nothing stored."""

from __future__ import annotations

from pooling.benefits.catalogue.models import CatalogueItem, CatalogueVersion
from pooling.kernel.money import TOO_PRECISE
from pooling.models import PolicyVersion

URL = "/api/v1/benefits/calculate"


def _claim(**over: object) -> dict[str, object]:
    body = {
        "scheme": "employee",
        "category": "in_service",
        "hospital_level": "level3",
        "care_type": "inpatient",
        "service_date": "2026-06-01",
        "use_personal_account": True,
        "account_balance": "2000.00",
        "lines": [
            {"code": "XJ01CAA040E001010100593", "quantity": "1", "unit_price": "10000.00"},  # 甲类
            {
                "code": "XJ01DCC118A001010104443",
                "quantity": "2",
                "unit_price": "250.00",
            },  # 乙类 10%
            {"code": "111000001000000", "quantity": "1", "unit_price": "300.00"},  # 丙类 特需病房
        ],
    }
    body.update(over)
    return body


def test_it_quotes_a_claim_itemised_with_reasons_and_stores_nothing(client_for, clerk_a, in_force):
    counts = (
        PolicyVersion.objects.count(),
        CatalogueVersion.objects.count(),
        CatalogueItem.objects.count(),
    )
    res = client_for(clerk_a).post(URL, _claim(), content_type="application/json")
    assert res.status_code == 200, res.content
    q = res.json()
    # 10000 + 500 + 300 = 10800；乙类先行自付 50；范围内 10450；起付1200 → 9250 × 85% = 7862.50；
    # 个人负担 10800 − 7862.50 = 2937.50，账户可付（除丙类300）2637.50，余额2000 → 账户 2000，现金 937.50
    assert q["total"]["yuan"] == "10800.00"
    assert q["class_b_self_pay"]["fen"] == 5000
    assert q["excluded"]["yuan"] == "300.00"
    assert q["fund"]["yuan"] == "7862.50"
    assert q["account"]["yuan"] == "2000.00"
    assert q["patient"]["yuan"] == "937.50"
    assert [x["cls"] for x in q["lines"]] == ["A", "B", "C"]
    assert q["policy"] == "YC-2026" and q["catalogue"] == "DEMO-2026"
    assert (
        "起付标准：本年度第1次住院，三级医院起付线1,200.00元，本次计入1,200.00元"
        in q["explanation"]
    )
    assert q["ytd_after"]["admissions"] == 1
    after = (
        PolicyVersion.objects.count(),
        CatalogueVersion.objects.count(),
        CatalogueItem.objects.count(),
    )
    assert after == counts


def test_it_explains_invalid_input_in_chinese(client_for, clerk_a, in_force):
    res = client_for(clerk_a).post(
        URL,
        _claim(scheme="nobody", lines=[{"code": "X", "quantity": "1", "unit_price": "1.234"}]),
        content_type="application/json",
    )
    assert res.status_code == 400
    body = res.json()
    assert "不是有效选项" in body["scheme"][0]
    lines = body["lines"]  # per-row errors (a list, or a dict keyed by the row index)
    first = lines[0] if isinstance(lines, list) else lines["0"]
    assert first["unit_price"] == [str(TOO_PRECISE % {"value": "1.234"})], body


def test_it_refuses_a_date_without_a_policy_in_force(client_for, clerk_a, in_force):
    res = client_for(clerk_a).post(
        URL, _claim(service_date="2025-06-01"), content_type="application/json"
    )
    assert res.status_code == 400
    assert res.json()["detail_zh"] == "2025-06-01 没有生效的已发布政策版本"


def test_it_refuses_a_disease_not_on_the_list(client_for, clerk_a, in_force):
    res = client_for(clerk_a).post(
        URL, _claim(care_type="chronic", diagnosis="X99"), content_type="application/json"
    )
    assert res.status_code == 400
    assert res.json()["field"] == "diagnosis"


def test_it_lists_catalogues_and_finds_items(client_for, clerk_a, in_force):
    client = client_for(clerk_a)
    versions = client.get("/api/v1/catalogues/").json()["results"]
    assert versions[0]["code"] == "DEMO-2026" and versions[0]["drug_count"] == 15
    items = client.get(f"/api/v1/catalogues/{in_force.pk}/items/", {"q": "阿莫西林"}).json()[
        "results"
    ]
    assert [i["code"] for i in items] == ["XJ01CAA040E001010100593"]
    found = client.get(
        "/api/v1/catalogues/lookup", {"on": "2026-02-01", "codes": "XJ01DCC118A001010104443,NOPE"}
    ).json()
    assert found == {
        "XJ01DCC118A001010104443": {
            "name": "头孢呋辛酯片",
            "cls": "B",
            "kind": "drug",
            "restrictions": "限二线用药",
            "self_pay_pct": None,
        }
    }

from __future__ import annotations

from pooling.policy.validation import document_problems
from tests.pooling.policy.policy_docs import DEMO, demo_doc


def paths(doc):
    return {p.column: p.reason for p in document_problems(doc)}


def test_it_accepts_the_shipped_demo_document():
    assert document_problems(demo_doc()) == []


def test_it_names_the_json_path_and_reason_of_each_schema_error():
    doc = demo_doc()
    doc["benefits"]["inpatient"][3]["ratio_pct"] = 85
    del doc["employee"]["maternity"]["merged"]
    doc["resident"]["typo_field"] = "1"
    doc["employee"]["average_monthly_wage"] = "7500.001"
    found = paths(doc)
    assert found["$.benefits.inpatient[3].ratio_pct"] == "类型应为字符串"
    assert found["$.employee.maternity.merged"] == "缺少必填项"
    assert found["$.resident.typo_field"] == "不允许的字段（请检查拼写）"
    assert "金额" in found["$.employee.average_monthly_wage"]
    assert len(found) == 4


def test_it_refuses_a_missing_hospital_level_and_a_category_of_the_wrong_scheme():
    doc = demo_doc()
    inpatient = doc["benefits"]["inpatient"]
    dropped = inpatient.pop(0)
    assert (dropped["scheme"], dropped["category"], dropped["hospital_level"]) == (
        "employee",
        "in_service",
        "level3",
    )
    doc["benefits"]["outpatient_pooling"][0]["category"] = "resident_adult"
    reasons = [str(p) for p in document_problems(doc)]
    assert "$.benefits.inpatient：缺少 employee/in_service/level3 的标准" in reasons
    assert "$.benefits.outpatient_pooling[0].category：人员类别与险种不匹配" in reasons


def test_it_checks_rules_the_schema_cannot_say():
    doc = demo_doc()
    doc["employee"]["base_floor_pct"] = "300"
    doc["resident"]["subsidy_split_pct"]["county"] = "15"
    doc["benefits"]["out_of_city"]["registered_ratio_reduction_pct"] = "12"
    doc["benefits"]["inpatient"][0]["annual_cap"] = "1.00"
    doc["benefits"]["inpatient"][1]["deductible_later"] = "99999.00"
    doc["benefits"]["class_b_self_pay_pct"] = "150"
    found = paths(doc)
    assert found["$.employee.base_ceiling_pct"] == "缴费基数上限必须高于下限"
    assert "合计应为 100" in found["$.resident.subsidy_split_pct"]
    assert "不得超过 10 个百分点" in found["$.benefits.out_of_city.registered_ratio_reduction_pct"]
    assert "年度限额必须相同" in found["$.benefits.inpatient"]
    assert found["$.benefits.inpatient[1].deductible_later"] == "再次住院起付标准不应高于首次住院"
    assert found["$.benefits.class_b_self_pay_pct"] == "百分比不能超过 100"


def test_it_accepts_maternity_paid_by_ratio_and_refuses_a_mixture():
    doc = demo_doc()
    doc["benefits"]["maternity"]["medical"] = {"ratio_pct": "90"}
    assert document_problems(doc) == []
    doc["benefits"]["maternity"]["medical"] = {"ratio_pct": "90", "caesarean": "1.00"}
    assert list(paths(doc)) == ["$.benefits.maternity.medical"]


def test_every_shipped_demo_policy_file_is_valid_and_marked_demo():
    import json

    files = sorted(DEMO.parent.glob("*.json"))
    assert len(files) >= 2
    for path in files:
        doc = json.loads(path.read_text("utf-8"))
        assert document_problems(doc) == [], path.name
        assert doc["demo"] is True and "演示" in doc["title"]


def test_it_accepts_the_second_tier_and_checks_its_bands():
    doc = demo_doc()
    doc["benefits"]["critical_illness"] = {
        "deductible": "15000.00",
        "bands": [{"above": "0", "ratio_pct": "60"}, {"above": "100000.00", "ratio_pct": "70"}],
        "annual_cap": "400000.00",
    }
    doc["benefits"]["large_expense"] = {"ratio_pct": "90", "annual_cap": "300000.00"}
    assert document_problems(doc) == []
    doc["benefits"]["critical_illness"]["bands"] = [
        {"above": "10.00", "ratio_pct": "60"},
        {"above": "10.00", "ratio_pct": "45"},
    ]
    found = paths(doc)
    bands = "$.benefits.critical_illness.bands"
    assert found == {
        f"{bands}[0].above": "第一段须从 0 起（above 为 0）",
        f"{bands}[1].above": "各段起点须逐段递增",
        f"{bands}[1].ratio_pct": "按国办发〔2015〕57号，大病保险支付比例不得低于 50%",
    }
    doc["benefits"]["large_expense"]["typo"] = "1"  # the schema's pass: shape before rules
    assert paths(doc) == {"$.benefits.large_expense.typo": "不允许的字段（请检查拼写）"}

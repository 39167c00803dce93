"""The policy pages and version comparison read the typed policy: yuan and percents as people write them."""

from __future__ import annotations

from pooling.policy.display import policy_diff, policy_view
from pooling.policy.document import policy_from_document
from tests.pooling.policy.policy_docs import demo_doc


def test_the_view_shows_fen_as_yuan_and_rates_as_percents_in_table_order():
    doc = demo_doc()
    doc["benefits"]["class_b_self_pay_pct"] = "12.5"
    view = policy_view(policy_from_document(doc))
    assert view["class_b"] == "12.5" and view["demo"] is True
    first = view["inpatient"][0]
    assert (
        first["level_label"],
        first["deductible_first"],
        first["ratio_pct"],
        first["annual_cap"],
    ) == ("三级", "1200.00", "85", "450000.00")
    assert [r["level_label"] for r in view["inpatient"][:4]] == [
        "三级",
        "二级",
        "一级",
        "社区/基层",
    ]
    assert ("上年度职工月平均工资", "7500.00 元") in view["employee_rows"]
    assert view["leave_days"].base == 98 and view["maternity_medical"][0] == ("顺产", "2000.00 元")


def test_a_comparison_names_rows_by_their_key_in_words_and_reads_like_the_page():
    old, new = demo_doc(), demo_doc(code="YC-2027", effective_from="2027-01-01")
    new["benefits"]["inpatient"][0]["ratio_pct"] = "87"
    new["employee"]["average_monthly_wage"] = "7800"
    new["employee"]["employer_rate_pct"] = "7"  # "7.0" before: the same rate, not a change
    new["resident"]["special_group_subsidy"]["tekun"] = "450"
    new["benefits"]["chronic_special"]["diseases"].pop()
    changes = {c.path: c for c in policy_diff(old, new)}
    ratio = changes["$.benefits.inpatient[employee/in_service/level3].ratio_pct"]
    assert (ratio.label, ratio.old, ratio.new) == (
        "待遇标准 · 住院待遇 · 职工基本医疗保险 在职职工 三级 · 统筹基金支付比例",
        "85%",
        "87%",
    )
    wage = changes["$.employee.average_monthly_wage"]
    assert (wage.label, wage.old, wage.new) == (
        "职工基本医疗保险 · 上年度全市职工月平均工资",
        "7500.00 元",
        "7800.00 元",
    )
    tekun = changes["$.resident.special_group_subsidy.tekun"]
    assert tekun.label.endswith("特困人员") and (tekun.old, tekun.new) == ("400.00 元", "450.00 元")
    assert (changes["$.code"].label, changes["$.code"].old, changes["$.code"].new) == (
        "版本号",
        "YC-2026",
        "YC-2027",
    )
    assert "$.employee.employer_rate_pct" not in changes
    gone = [
        c for p, c in changes.items() if p.startswith("$.benefits.chronic_special.diseases[M08500]")
    ]
    assert len(gone) == 4 and all(c.old is not None and c.new is None for c in gone)
    assert "M08500 器官移植术后抗排异治疗" in gone[0].label
    assert not any("$" in c.label or "_" in c.label for c in changes.values())


def test_the_page_names_special_groups_by_the_kernel_choices():
    rows = dict(policy_view(policy_from_document(demo_doc()))["resident_rows"])
    assert (
        rows["特殊群体资助：低保对象"] == "200.00 元"
        and rows["特殊群体资助：特困人员"] == "400.00 元"
    )
    assert not any("dibao" in label or "tekun" in label for label in rows)


def test_the_quality_deposit_share_is_on_the_policy_page_and_defaults_to_five_percent():
    doc = demo_doc()
    assert policy_view(policy_from_document(doc))["provider_payment_rows"][0][1] == "5%"
    doc["provider_payment"] = {"quality_deposit_pct": "8"}
    assert str(policy_from_document(doc).provider_payment.quality_deposit_rate) == "0.08"
    doc.pop("provider_payment")
    assert str(policy_from_document(doc).provider_payment.quality_deposit_rate) == "0.05"


def test_the_page_shows_the_second_tier_or_says_the_version_has_none():
    doc = demo_doc()
    doc["benefits"].pop("critical_illness")  # a version without the second tier
    doc["benefits"].pop("large_expense")
    assert policy_view(policy_from_document(doc))["second_tier_rows"] == [
        ("居民大病保险", "本版本未规定（不支付）"),
        ("职工大额医疗费用补充", "本版本未规定（不支付）"),
    ]
    doc["benefits"]["critical_illness"] = {
        "deductible": "15000.00",
        "bands": [{"above": "0", "ratio_pct": "60"}, {"above": "100000.00", "ratio_pct": "70"}],
    }
    doc["benefits"]["large_expense"] = {"ratio_pct": "90", "annual_cap": "300000.00"}
    assert policy_view(policy_from_document(doc))["second_tier_rows"] == [
        ("居民大病保险：年度合规自付起付标准", "15000.00 元"),
        ("居民大病保险：超过起付标准 0.00 元 以上部分", "60%"),
        ("居民大病保险：超过起付标准 100000.00 元 以上部分", "70%"),
        ("居民大病保险：年度最高支付限额", "不设限额"),
        ("职工大额医疗费用补充：统筹基金最高支付限额以上部分", "90%"),
        ("职工大额医疗费用补充：年度最高支付限额", "300000.00 元"),
    ]

"""The second tier (大病保险, 大额补充) where people read it: the settlement page and the printed
结算单 in Chinese and English, the person's page (accumulators, their county only), the
cancellations that give it back (2305, 2208, 2601, the page), and 零星报销 crossing the cap.

The world is tests/settlement/conftest.py's; the demo policy (pooling/policy/documents/
demo-2026.json) carries both sections: 大病保险 deductible 15,000.00 of the year's 合规自付,
60 % up to 100,000.00 above it, 70 % beyond, cap 400,000.00; 大额补充 90 % of the in-scope cost
above the basic fund's cap, up to 300,000.00. Amounts are worked out by hand in the comments.
"""

from __future__ import annotations

import html
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from pooling.kernel.scoping import unrestricted
from settlement.models import Settlement
from settlement.services.reimbursement import Item
from tests.settlement.hsa_client import psn
from tests.settlement.test_hand_computed import (
    BIG,
    BLOOD,
    OVER,
    admitted,
    decided,
    settle,
    year_of,
)

# Employee, 二级: first stay 500,000.00 → (500,000.00 − 800.00) × 88 % = 439,296.00, leaving
# 10,704.00 of the 450,000.00 cap; later stay 20,000.00 → base 19,600.00, the cap is reached at a
# cost of 10,704.00 ÷ 88 % = 12,163.6363… → 12,163.64 (money, to the fen), so 7,436.36 is above
# it; 90 % of it = 6,692.724 → 6,692.72.
LARGE_ZH = (
    "大额补充：超过基本医疗统筹基金最高支付限额的合规费用 7,436.36 元，按 90% 支付 6,692.72 元"
)
LARGE_EN = (
    "Large-expense supplement: in-scope cost above the basic pooled fund's annual cap "
    "7,436.36 yuan, paid at 90%: 6,692.72 yuan"
)
# What the cap cut (19,600.00 × 88 % − 10,704.00 = 6,544.00) is not the person's once 大额补充 takes
# over; the summary names only what can pay an employee's claim (no 大病保险).
OVER_ZH = "超过年度最高支付限额部分基本统筹基金不予支付：6,544.00元"
OVER_EN = "Amount above the annual cap not paid by the basic pooled fund: 6,544.00 yuan"
LARGE_TOTAL_ZH = "合计：基本统筹基金支付 10,704.00 元，大额补充 6,692.72 元，个人账户 0.00 元，个人现金 2,603.28 元"
LARGE_TOTAL_EN = (
    "Total: basic pooled fund 10,704.00 yuan, large-expense supplement 6,692.72 yuan, "
    "personal account 0.00 yuan, cash 2,603.28 yuan"
)
# Resident, 二级: one stay of 500,000.00 → (500,000.00 − 600.00) × 70 % = 349,580.00, cut to the
# 300,000.00 cap; 合规自付 200,000.00; 185,000.00 above 15,000.00 → 60 % × 100,000.00 +
# 70 % × 85,000.00 = 119,500.00.
CRITICAL_ZH = (
    "大病保险：本年合规自付累计 200,000.00 元（起付线 15,000.00 元），本次支付 119,500.00 元"
)
CRITICAL_EN = (
    "Critical illness insurance: eligible self-payment this year 200,000.00 yuan "
    "(deductible 15,000.00 yuan), paid now 119,500.00 yuan"
)
# A resident has no account and no 大额补充: cash 500,000.00 − 300,000.00 − 119,500.00 = 80,500.00.
CRITICAL_TOTAL_ZH = (
    "合计：基本统筹基金支付 300,000.00 元，大病保险 119,500.00 元，个人现金 80,500.00 元"
)
CRITICAL_TOTAL_EN = (
    "Total: basic pooled fund 300,000.00 yuan, critical illness insurance 119,500.00 yuan, "
    "cash 80,500.00 yuan"
)


def page(client: Client, url: str, *, english: bool = False) -> str:
    client.cookies["django_language"] = "en" if english else "zh-hans"
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def employee_past_the_cap(hsa, people) -> dict:
    admitted(hsa, people.employee, BIG, "500000.00")
    return admitted(hsa, people.employee, OVER, "20000.00")


def resident_past_the_cap(hsa, people) -> dict:
    return admitted(hsa, people.resident, BIG, "500000.00", insutype="390")


def test_it_shows_the_supplement_on_the_page_and_the_print_in_both_languages(
    hsa, people, clerk_a, client_for
):
    info = employee_past_the_cap(hsa, people)
    assert info["hifob_pay"] == Decimal("6692.72")
    browser = client_for(clerk_a)
    for name in ("settlement:detail", "settlement:print"):
        url = reverse(name, args=[info["setl_id"]])
        chinese, english = page(browser, url), page(browser, url, english=True)
        assert "6,692.72" in chinese and LARGE_ZH in chinese and LARGE_EN not in chinese
        assert "6,692.72" in english and LARGE_EN in english and LARGE_ZH not in english
        assert OVER_ZH in chinese and LARGE_TOTAL_ZH in chinese and "由个人负担" not in chinese
        assert OVER_EN in english and LARGE_TOTAL_EN in english and "borne by" not in english


def test_it_shows_critical_illness_on_the_page_and_the_print_in_both_languages(
    hsa, people, clerk_b, client_for
):
    info = resident_past_the_cap(hsa, people)
    assert (info["hifp_pay"], info["hifmi_pay"]) == (Decimal("300000.00"), Decimal("119500.00"))
    browser = client_for(clerk_b)  # the resident's county
    for name in ("settlement:detail", "settlement:print"):
        url = reverse(name, args=[info["setl_id"]])
        chinese, english = page(browser, url), page(browser, url, english=True)
        assert "119,500.00" in chinese and CRITICAL_ZH in chinese
        assert "119,500.00" in english and CRITICAL_EN in english and CRITICAL_ZH not in english
        # the cap cut 49,580.00 counts towards 大病保险's 合规自付: not simply the person's
        assert "基本统筹基金不予支付：49,580.00元" in chinese and CRITICAL_TOTAL_ZH in chinese
        assert CRITICAL_TOTAL_EN in english and "large-expense" not in english


def test_the_persons_page_shows_the_years_second_tier_to_their_county_only(
    hsa, people, clerk_a, clerk_b, client_for
):
    resident_past_the_cap(hsa, people)
    employee_past_the_cap(hsa, people)
    resident_url = reverse("enrollment:person", args=[people.resident.pk])
    mine = page(client_for(clerk_b), resident_url)
    # 大病 base 200,000.00 (shown nowhere else: the settlement row has 500,000.00 / 419,500.00)
    # and paid 119,500.00.
    assert "大病保险累计合规自付" in mine and "200,000.00" in mine and "119,500.00" in mine
    other = client_for(clerk_a).get(resident_url)
    assert other.status_code == 404 and b"119,500.00" not in other.content
    employee = page(client_for(clerk_a), reverse("enrollment:person", args=[people.employee.pk]))
    assert "大额补充已支付" in employee and "6,692.72" in employee


def test_an_inpatient_cancellation_gives_the_supplement_back_and_answers_it_negative(
    hsa, people, clerk_a, client_for
):
    info = employee_past_the_cap(hsa, people)
    assert year_of(people.employee).large_paid_fen == 669272
    answer = hsa.post(
        "2305",
        {
            "data": {
                "psn_no": psn(people.employee),
                "mdtrt_id": info["mdtrt_id"],
                "setl_id": info["setl_id"],
            }
        },
    )
    assert answer["infcode"] == 0, answer
    back = answer["output"]["setlinfo"]
    assert (back["hifp_pay"], back["hifob_pay"], back["hifmi_pay"]) == (
        Decimal("-10704.00"),
        Decimal("-6692.72"),
        Decimal("0.00"),
    )
    acc = year_of(people.employee)
    assert (acc.large_paid_fen, acc.fund_paid) == (0, {"inpatient": 43929600})
    shown = page(client_for(clerk_a), reverse("settlement:detail", args=[back["setl_id"]]))
    assert "-6,692.72" in shown


def test_a_2601_reversal_gives_critical_illness_back(hsa, people):
    person = people.resident
    mdtrt_id = hsa.stay(person, BIG, insutype="390")
    msgid = hsa.msgid()
    payload = {
        "data": {
            "psn_no": psn(person),
            "mdtrt_id": mdtrt_id,
            "medfee_sumamt": "500000.00",
            "insutype": "390",
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": person.id_number,
        }
    }
    settled = hsa.post("2304", {}, body=hsa.envelope("2304", payload, msgid))
    assert settled["output"]["setlinfo"]["hifmi_pay"] == Decimal("119500.00")
    acc = year_of(person, "resident")
    assert (acc.critical_base_fen, acc.critical_paid_fen) == (20000000, 11950000)
    undone = hsa.post("2601", {"data": {"psn_no": psn(person), "omsgid": msgid, "oinfno": "2304"}})
    assert undone["output"]["data"]["memo"] == "冲正成功"
    acc = year_of(person, "resident")
    assert (acc.critical_base_fen, acc.critical_paid_fen, acc.fund_paid) == (
        0,
        0,
        {"inpatient": 0},
    )
    with unrestricted():
        reversal = Settlement.objects.get(person=person, kind="reverse")
    assert (reversal.hifmi_pay, reversal.critical_base_fen) == (-11950000, -20000000)
    # Settled again, the year is as if the first had never been: the same answer.
    assert settle(hsa, person, mdtrt_id, "500000.00", insutype="390")["hifmi_pay"] == Decimal(
        "119500.00"
    )


def test_an_outpatient_cancellation_gives_critical_illness_back(hsa, people):
    person = people.resident
    mdtrt_id = hsa.register(person, insutype="390")
    assert hsa.fees(mdtrt_id, person, [(BLOOD, "1", "20000.00")])["infcode"] == 0
    info = hsa.settle(mdtrt_id, person, "20000.00", insutype="390")["output"]["setlinfo"]
    # 二级 resident outpatient pooling: (20,000.00 − 100.00) × 50 % = 9,950.00, cut to the 500.00
    # annual limit; 合规自付 20,000.00 − 500.00 = 19,500.00 counts for 大病保险 (tiers.py counts
    # every resident claim): 60 % × (19,500.00 − 15,000.00) = 2,700.00; cash 16,800.00.
    assert (info["hifp_pay"], info["hifmi_pay"], info["psn_cash_pay"]) == (
        Decimal("500.00"),
        Decimal("2700.00"),
        Decimal("16800.00"),
    )
    answer = hsa.post(
        "2208",
        {"data": {"psn_no": psn(person), "mdtrt_id": mdtrt_id, "setl_id": info["setl_id"]}},
    )
    assert answer["infcode"] == 0, answer
    assert answer["output"]["setlinfo"]["hifmi_pay"] == Decimal("-2700.00")
    acc = year_of(person, "resident")
    assert (acc.critical_base_fen, acc.critical_paid_fen) == (0, 0)


def test_a_reversal_on_the_page_gives_the_supplement_back(hsa, people, clerk_a, client_for):
    info = employee_past_the_cap(hsa, people)
    browser = client_for(clerk_a)
    response = browser.post(
        reverse("settlement:reverse", args=[info["setl_id"]]), {"reason": "重复结算"}
    )
    assert response.status_code == 302
    assert year_of(people.employee).large_paid_fen == 0
    shown = page(browser, response["Location"])
    assert "-6,692.72" in shown


def test_a_reimbursed_stay_crossing_the_cap_is_taken_over_by_the_supplement(
    catalogue, people, clerk_a, city_agent, client_for
):
    person = people.employee
    # 三级, local unsettled: first stay 500,000.00 → (500,000.00 − 1,200.00) × 85 % = 423,980.00,
    # leaving 450,000.00 − 423,980.00 = 26,020.00 of the cap.
    first, row = decided(
        person,
        clerk_a,
        city_agent,
        "local",
        [Item(BLOOD, "血常规", Decimal(500), 100000, 50000000)],
    )
    assert (row.hifp_pay, row.hifob_pay) == (42398000, 0)
    # second stay 40,000.00: later deductible 600.00, base 39,400.00 × 85 % = 33,490.00, cut to
    # 26,020.00; the cap is reached at 26,020.00 ÷ 85 % = 30,611.7647… → 30,611.76, so 39,400.00 −
    # 30,611.76 = 8,788.24 is above it; 90 % = 7,909.426 → 7,909.42;
    # cash 40,000.00 − 26,020.00 − 7,909.42 = 6,070.58; payable 26,020.00 + 7,909.42 = 33,929.42.
    claim, row = decided(
        person, clerk_a, city_agent, "local", [Item(BLOOD, "血常规", Decimal(40), 100000, 4000000)]
    )
    assert (row.act_pay_dedc, row.hifp_pay, row.hifob_pay, row.psn_cash_pay) == (
        60000,
        2602000,
        790942,
        607058,
    )
    assert claim.payable_fen == 3392942
    assert year_of(person).large_paid_fen == 790942
    line = (
        "大额补充：超过基本医疗统筹基金最高支付限额的合规费用 8,788.24 元，按 90% 支付 7,909.42 元"
    )
    assert line in row.detail["explanation"]
    english = page(
        client_for(clerk_a), reverse("settlement:reimbursement", args=[claim.pk]), english=True
    )
    assert "in-scope cost above the basic pooled fund's annual cap 8,788.24 yuan" in english
    assert line not in english


def test_what_an_outpatient_limit_cuts_stays_the_persons_in_the_explanation(hsa, people):
    person = people.employee
    mdtrt_id = hsa.register(person)
    assert hsa.fees(mdtrt_id, person, [(BLOOD, "1", "7000.00")])["infcode"] == 0
    info = hsa.settle(mdtrt_id, person, "7000.00")["output"]["setlinfo"]
    # 二级 outpatient pooling: (7,000.00 − 600.00) × 55 % = 3,520.00, cut to the 3,000.00 limit:
    # 大额补充 does not take over an outpatient limit, so the 520.00 is the person's, and the
    # employee's summary names the supplement (0.00) and the account.
    assert "超过年度最高支付限额部分由个人负担：520.00元" in info["setl_proc_info"]
    assert info["setl_proc_info"][-1] == (
        "合计：基本统筹基金支付 3,000.00 元，大额补充 0.00 元，个人账户 0.00 元，个人现金 4,000.00 元"
    )


def test_an_outpatient_explanation_reads_wholly_in_english(hsa, people):
    # The plan's label (二级医院普通门诊) was formatted once, in Chinese, when the claim was
    # calculated, so the English explanation carried it; and "1 items".
    mdtrt_id = hsa.register(people.employee)
    assert hsa.fees(mdtrt_id, people.employee, [(BLOOD, "1", "100.00")])["infcode"] == 0
    assert hsa.settle(mdtrt_id, people.employee, "100.00")["infcode"] == 0
    with unrestricted():
        row = Settlement.objects.get(kind="settle", person=people.employee)
    english = " ".join(row.detail["explanation_en"])
    chinese = " ".join(row.detail["explanation"])
    assert "二级医院普通门诊" in chinese
    assert "Level 2 hospital" in english, english
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english), english
    assert "(items: 1)" in english

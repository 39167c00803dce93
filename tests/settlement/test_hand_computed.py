"""Settlements computed by hand from the policy values, end to end (national interface or the
零星报销 services), for the cases the other suites leave out.

The world (tests/settlement/conftest.py): a 二级 hospital; an employee in service with 500.00 in
the personal account; an adult resident. Demo policy (pooling/policy/documents/demo-2026.json):
- employee in service, inpatient 二级: deductible 800.00 first / 400.00 later, 88 %, cap 450,000.00;
  三级: 1,200.00 / 600.00, 85 %; out of city unregistered −20 points;
- resident adult, inpatient 二级: deductible 600.00 / 300.00, 70 %, cap 300,000.00;
- class B first self-paid 10 % unless the catalogue says otherwise (磁共振 20 %, 曲妥珠单抗 30 %).
Every amount is fen; `round_fen` rounds half up. The identity checked on every answer:
fund_pay_sumamt + acct_pay + psn_cash_pay = medfee_sumamt (the account is not a fund here).
"""

from __future__ import annotations

import copy
import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from pooling.kernel.scoping import unrestricted
from settlement.models import Accumulator, Settlement
from settlement.services import account
from settlement.services.reimbursement import Item, reimbursement_decide, reimbursement_enter
from tests.settlement.hsa_client import psn

_sn = itertools.count(1)
BED, BLOOD = "110900001000000", "250101001000000"  # 甲 bed, 甲 blood count
CEFUROXIME, MRI = "XJ01DCC118A001010104443", "210200001000000"  # 乙 10 %, 乙 20 %
SPECIAL_WARD, COSMETIC = "111000001000000", "330800001000000"  # 丙, 丙
TRASTUZUMAB = "XL01XCT003B002010102012"  # 乙 30 %


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def settle(hsa, person, mdtrt_id, total, *, insutype="310", acct=False) -> dict[str, Any]:
    answer = hsa.post(
        "2304",
        {
            "data": {
                "psn_no": psn(person),
                "mdtrt_id": mdtrt_id,
                "medfee_sumamt": total,
                "insutype": insutype,
                "acct_used_flag": "1" if acct else "0",
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": person.id_number,
            }
        },
    )
    assert answer["infcode"] == 0, answer
    info = answer["output"]["setlinfo"]
    assert (
        info["fund_pay_sumamt"] + info["acct_pay"] + info["psn_cash_pay"] == info["medfee_sumamt"]
    )
    return info


def admitted(hsa, person, lines, total, **options) -> dict[str, Any]:
    return settle(
        hsa,
        person,
        hsa.stay(person, lines, insutype=options.get("insutype", "310")),
        total,
        **options,
    )


def cancel(hsa, person, info) -> None:
    answer = hsa.post(
        "2305",
        {"data": {"psn_no": psn(person), "mdtrt_id": info["mdtrt_id"], "setl_id": info["setl_id"]}},
    )
    assert answer["infcode"] == 0, answer


def year_of(person, scheme="employee") -> Accumulator:
    with unrestricted():
        return Accumulator.objects.get(person=person, scheme=scheme)


def test_a_stay_crossing_the_deductible_with_b_and_excluded_lines_and_a_short_account(hsa, people):
    person = people.employee
    info = admitted(
        hsa,
        person,
        [
            (BED, "5", "80.00"),  # 甲 400.00
            (CEFUROXIME, "3", "33.33"),  # 乙 99.99: 10 % = 9.999 → 10.00 (per line, half up)
            (MRI, "1", "333.33"),  # 乙 333.33: 20 % = 66.666 → 66.67
            (SPECIAL_WARD, "1", "150.00"),  # 丙 150.00 fully self-paid
            (BLOOD, "7", "123.45"),  # 甲 864.15
        ],
        "1847.47",
        acct=True,
    )
    # total 400.00 + 99.99 + 333.33 + 150.00 + 864.15 = 1,847.47; class B self-paid 76.67;
    # in scope 1,847.47 − 150.00 − 76.67 = 1,620.80; first-admission deductible 800.00;
    # fund 88 % × 820.80 = 722.304 → 722.30. Own part 1,847.47 − 722.30 = 1,125.17, of which the
    # account may pay all but the excluded 150.00 = 975.17 — but holds only 500.00: it pays 500.00,
    # is left at 0.00, and the cash is 1,125.17 − 500.00 = 625.17.
    assert (
        info["medfee_sumamt"],
        info["fulamt_ownpay_amt"],
        info["preselfpay_amt"],
        info["inscp_scp_amt"],
        info["act_pay_dedc"],
        info["hifp_pay"],
        info["pool_prop_selfpay"],
        info["hifmi_pay"],
        info["hifob_pay"],
        info["fund_pay_sumamt"],
        info["acct_pay"],
        info["psn_cash_pay"],
        info["balc"],
    ) == (
        Decimal("1847.47"),
        Decimal("150.00"),
        Decimal("76.67"),
        Decimal("1620.80"),
        Decimal("800.00"),
        Decimal("722.30"),
        Decimal("0.8800"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("722.30"),
        Decimal("500.00"),
        Decimal("625.17"),
        Decimal("0.00"),
    )
    assert account.balance(person=person) == 0
    # An empty account pays nothing on the next stay (never below zero): 甲 1,000.00, later
    # deductible 400.00, fund 88 % × 600.00 = 528.00, cash 472.00.
    again = admitted(hsa, person, [(BLOOD, "1", "1000.00")], "1000.00", acct=True)
    assert (again["hifp_pay"], again["acct_pay"], again["psn_cash_pay"], again["balc"]) == (
        Decimal("528.00"),
        Decimal("0.00"),
        Decimal("472.00"),
        Decimal("0.00"),
    )
    assert account.balance(person=person) == 0


def test_a_first_stay_under_its_deductible_still_makes_the_next_one_a_later_admission(hsa, people):
    person = people.employee
    # 甲 600.00 < the first deductible 800.00: all of it is deductible, the fund pays nothing.
    # The account is not asked to pay (acct_used_flag 0): it keeps its 500.00, and balc says so.
    first = admitted(hsa, person, [(BED, "4", "150.00")], "600.00")
    assert (
        first["act_pay_dedc"],
        first["hifp_pay"],
        first["acct_pay"],
        first["psn_cash_pay"],
        first["balc"],
    ) == (Decimal("600.00"), Decimal("0.00"), Decimal("0.00"), Decimal("600.00"), Decimal("500.00"))
    # The deductible is per admission: the second stay of the year takes the later 400.00,
    # whatever the first one met. 甲 1,000.00 − 400.00 = 600.00 × 88 % = 528.00.
    second = admitted(hsa, person, [(BLOOD, "1", "1000.00")], "1000.00")
    assert (second["act_pay_dedc"], second["hifp_pay"]) == (Decimal("400.00"), Decimal("528.00"))
    acc = year_of(person)
    assert (acc.admissions, acc.deductible_paid, acc.fund_paid) == (
        2,
        {"inpatient": 60000 + 40000},
        {"inpatient": 52800},
    )


def test_a_cancelled_first_stay_leaves_the_year_as_if_only_the_second_had_been(hsa, people):
    person = people.employee
    # first: 1,000.00 − 800.00 = 200.00 × 88 % = 176.00; later: 600.00 × 88 % = 528.00
    first = admitted(hsa, person, [(BLOOD, "1", "1000.00")], "1000.00")
    second = admitted(hsa, person, [(BLOOD, "1", "1000.00")], "1000.00")
    assert (first["hifp_pay"], second["hifp_pay"]) == (Decimal("176.00"), Decimal("528.00"))
    cancel(hsa, person, first)
    acc = year_of(person)
    assert (acc.admissions, acc.deductible_paid, acc.fund_paid) == (
        1,
        {"inpatient": 40000},
        {"inpatient": 52800},
    )
    # One admission is left in the year, so a new stay is a later one: 528.00 again.
    third = admitted(hsa, person, [(BLOOD, "1", "1000.00")], "1000.00")
    assert (third["act_pay_dedc"], third["hifp_pay"]) == (Decimal("400.00"), Decimal("528.00"))
    acc = year_of(person)
    assert (acc.admissions, acc.deductible_paid, acc.fund_paid) == (
        2,
        {"inpatient": 80000},
        {"inpatient": 105600},
    )


BIG = [(BLOOD, "500", "1000.00")]  # 甲 500,000.00
OVER = [(BLOOD, "20", "1000.00")]  # 甲 20,000.00


def test_a_stay_crossing_the_basic_cap_and_its_cancellation(hsa, people):
    person = people.employee
    # first: (500,000.00 − 800.00) × 88 % = 439,296.00; 10,704.00 of the 450,000.00 cap is left.
    first = admitted(hsa, person, BIG, "500000.00")
    assert first["hifp_pay"] == Decimal("439296.00")
    # later: (20,000.00 − 400.00) × 88 % = 17,248.00, cut to the 10,704.00 left (6,544.00 cut);
    # the demo policy's 大额补充 pays 90 % of the cost above the cap: the cap is reached at
    # 10,704.00 ÷ 88 % = 12,163.6363… → 12,163.64 of the 19,600.00, so 90 % × 7,436.36 =
    # 6,692.724 → 6,692.72; cash 20,000.00 − 10,704.00 − 6,692.72 = 2,603.28.
    second = admitted(hsa, person, OVER, "20000.00")
    assert (second["hifp_pay"], second["hifob_pay"], second["psn_cash_pay"]) == (
        Decimal("10704.00"),
        Decimal("6692.72"),
        Decimal("2603.28"),
    )
    with unrestricted():
        row = Settlement.objects.filter(person=person, kind="settle").latest("id")
    assert (row.over_cap_fen, row.copay_fen) == (654400, 1960000 - 1724800)
    assert year_of(person).fund_paid == {"inpatient": 45000000}
    # Cancelled, the cap's last 10,704.00 is free again: settling the same stay again gives it.
    cancel(hsa, person, second)
    assert year_of(person).fund_paid == {"inpatient": 43929600}
    again = settle(hsa, person, second["mdtrt_id"], "20000.00")
    assert (again["act_pay_dedc"], again["hifp_pay"]) == (Decimal("400.00"), Decimal("10704.00"))
    # Past the cap the fund pays nothing more; the supplement pays 90 % of the cost above the
    # later-admission deductible: 90 % × (1,000.00 − 400.00) = 540.00; cash 460.00.
    past = admitted(hsa, person, [(BLOOD, "1", "1000.00")], "1000.00")
    assert (past["hifp_pay"], past["hifob_pay"], past["psn_cash_pay"]) == (
        Decimal("0.00"),
        Decimal("540.00"),
        Decimal("460.00"),
    )


# -- 零星报销 at a 三级 hospital: employee in service, deductible 1,200.00, 85 % --------------------


def decided(person, clerk, checker, kind, items, *, area="320106"):
    today = timezone.localdate()
    claim = reimbursement_enter(
        person=person,
        kind=kind,
        insutype="310",
        med_type="21",
        hospital_name="南京鼓楼医院" if kind != "local" else "盐城市第一人民医院",
        hospital_level="level3",
        hospital_area_code=area,
        begin_on=today - timedelta(days=8),
        end_on=today - timedelta(days=2),
        items=items,
        actor=clerk,
    )
    claim = reimbursement_decide(claim=claim, approve=True, note="同意", actor=checker)
    with unrestricted():
        row = Settlement.objects.get(pk=claim.settlement_id, month=claim.settlement_month)
    assert row.fund_pay_sumamt + row.acct_pay + row.psn_cash_pay == row.medfee_sumamt
    return claim, row


@pytest.mark.parametrize(
    ("price_fen", "fund_fen"),
    [
        (153330, 28331),  # base 333.30 × 85 % = 283.305 → 283.31 (half up, not to even)
        (153333, 28333),  # base 333.33 × 85 % = 283.3305 → 283.33
        (120001, 1),  # base 0.01 × 85 % = 0.0085 → 0.01
    ],
)
def test_the_funds_share_is_rounded_once_half_up(
    catalogue, people, clerk_a, city_agent, price_fen, fund_fen
):
    item = Item(BED, "床位费", Decimal(1), price_fen, price_fen)
    claim, row = decided(people.employee, clerk_a, city_agent, "local", [item])
    assert (row.act_pay_dedc, row.hifp_pay, claim.payable_fen) == (120000, fund_fen, fund_fen)
    assert row.psn_cash_pay == price_fen - fund_fen


def test_out_of_city_care_without_a_referral_loses_twenty_points(
    catalogue, people, clerk_a, city_agent
):
    items = [
        Item(BED, "床位费", Decimal(2), 75003, 150006),  # 甲 1,500.06
        Item(
            TRASTUZUMAB, "曲妥珠单抗", Decimal(1), 77777, 77777
        ),  # 乙 777.77, 30 % = 233.331 → 233.33
        Item(COSMETIC, "美容", Decimal(1), 50000, 50000),  # 丙 500.00
    ]
    claim, row = decided(people.employee, clerk_a, city_agent, "ooc_unregistered", items)
    # total 2,777.83; in scope 2,777.83 − 500.00 − 233.33 = 2,044.50; base 844.50;
    # ratio 85 % − 20 = 65 %: 844.50 × 65 % = 548.925 → 548.93; copay 295.57; cash 2,228.90.
    assert (
        row.medfee_sumamt,
        row.fulamt_ownpay_amt,
        row.preselfpay_amt,
        row.inscp_scp_amt,
        row.act_pay_dedc,
        row.pool_prop_selfpay,
        row.hifp_pay,
        row.copay_fen,
        row.psn_cash_pay,
    ) == (277783, 50000, 23333, 204450, 120000, Decimal("0.65"), 54893, 29557, 222890)
    assert claim.payable_fen == 54893
    assert year_of(people.employee).admissions == 1


# -- the second tier: the demo policy with 大病保险 and 大额补充 sections -------------------------
# 大病保险 (residents): deductible 15,000.00 of the year's 合规自付 (in scope, not paid by the basic
# fund), 60 % up to 100,000.00 above it, 70 % beyond, cap 400,000.00 a year.
# 大额补充 (employees): 90 % of what the basic cap cut, up to 300,000.00 a year.
SECOND_TIER = {
    "critical_illness": {
        "deductible": "15000.00",
        "bands": [{"above": "0", "ratio_pct": "60"}, {"above": "100000.00", "ratio_pct": "70"}],
        "annual_cap": "400000.00",
    },
    "large_expense": {"ratio_pct": "90", "annual_cap": "300000.00"},
}


@pytest.fixture
def second_tier(demo_policy, bureau_admin, bureau_checker):
    """The demo policy with the second tier, published the way the bureau publishes (import,
    submit, a second administrator approves), in force from the day after the demo's."""
    from pooling.models import PolicyVersion
    from pooling.policy.services import policy_approve_publish, policy_draft_import, policy_submit

    doc = copy.deepcopy(PolicyVersion.objects.get(code=demo_policy.code).document)
    doc["code"], doc["effective_from"] = "YC-2026-T2", "2026-01-02"
    doc["benefits"].update(copy.deepcopy(SECOND_TIER))
    version = policy_draft_import(document=doc, actor=bureau_admin)
    version = policy_submit(version=version, actor=bureau_admin)
    policy_approve_publish(version=version, actor=bureau_checker)
    return doc


@pytest.mark.parametrize(
    ("price", "hifmi"),
    [
        # 27,900.00: later deductible 300.00, fund 70 % × 27,600.00 = 19,320.00, 合规自付 8,580.00:
        # the year's 6,420.00 + 8,580.00 = 15,000.00 is exactly the deductible → nothing.
        ("27900.00", Decimal("0.00")),
        # 27,900.02: fund 70 % × 27,600.02 = 19,320.014 → 19,320.01, 合规自付 8,580.01: one fen
        # over → 60 % × 0.01 = 0.006 → 0.01.
        ("27900.02", Decimal("0.01")),
    ],
)
def test_critical_illness_at_its_deductible_and_one_fen_over(
    hsa, people, second_tier, price, hifmi
):
    person = people.resident
    # first stay: 20,000.00 − 600.00 = 19,400.00 × 70 % = 13,580.00; 合规自付 6,420.00 < 15,000.00
    first = admitted(hsa, person, [(BLOOD, "1", "20000.00")], "20000.00", insutype="390")
    assert (first["hifp_pay"], first["hifmi_pay"]) == (Decimal("13580.00"), Decimal("0.00"))
    second = admitted(hsa, person, [(BLOOD, "1", price)], price, insutype="390")
    assert second["hifmi_pay"] == hifmi
    assert second["fund_pay_sumamt"] == second["hifp_pay"] + hifmi
    acc = year_of(person, "resident")
    assert (acc.critical_base_fen, acc.critical_paid_fen) == (
        642000 + (858000 if hifmi == 0 else 858001),
        int(hifmi * 100),
    )


@pytest.mark.parametrize(
    ("price", "hifmi"),
    [
        # 332,633.33: fund 70 % × 332,333.33 = 232,633.331 → 232,633.33, 合规自付 100,000.00:
        # the year reaches 115,000.00, the band's top exactly → 60 % × 100,000.00 = 60,000.00.
        ("332633.33", Decimal("60000.00")),
        # 332,633.36: fund 70 % × 332,333.36 = 232,633.352 → 232,633.35, 合规自付 100,000.01:
        # 60 % × 100,000.00 + 70 % × 0.01 = 60,000.007 → 60,000.01.
        ("332633.36", Decimal("60000.01")),
    ],
)
def test_critical_illness_at_a_band_boundary_and_one_fen_over(
    hsa, people, second_tier, price, hifmi
):
    person = people.resident
    # 20,000.00 then 27,900.00 (as above): the year's 合规自付 is 15,000.00, the deductible.
    admitted(hsa, person, [(BLOOD, "1", "20000.00")], "20000.00", insutype="390")
    admitted(hsa, person, [(BLOOD, "1", "27900.00")], "27900.00", insutype="390")
    third = admitted(hsa, person, [(BLOOD, "1", price)], price, insutype="390")
    assert third["hifmi_pay"] == hifmi
    # Cancelled, the year is back at 15,000.00 with nothing paid; settled again, the same answer.
    cancel(hsa, person, third)
    acc = year_of(person, "resident")
    assert (acc.critical_base_fen, acc.critical_paid_fen) == (1500000, 0)
    assert settle(hsa, person, third["mdtrt_id"], price, insutype="390")["hifmi_pay"] == hifmi


def test_a_resident_crossing_the_basic_cap_is_taken_over_by_critical_illness(
    hsa, people, second_tier
):
    person = people.resident
    info = admitted(hsa, person, [(BLOOD, "500", "1000.00")], "500000.00", insutype="390")
    # basic: (500,000.00 − 600.00) × 70 % = 349,580.00, cut to the 300,000.00 cap;
    # 合规自付 500,000.00 − 300,000.00 = 200,000.00 (deductible 600.00, co-payment 149,820.00,
    # 49,580.00 over the cap); above 15,000.00: 185,000.00 → 60 % × 100,000.00 + 70 % × 85,000.00
    # = 60,000.00 + 59,500.00 = 119,500.00; cash 500,000.00 − 300,000.00 − 119,500.00 = 80,500.00.
    assert (
        info["hifp_pay"],
        info["hifmi_pay"],
        info["hifob_pay"],
        info["fund_pay_sumamt"],
        info["psn_cash_pay"],
    ) == (
        Decimal("300000.00"),
        Decimal("119500.00"),
        Decimal("0.00"),
        Decimal("419500.00"),
        Decimal("80500.00"),
    )


def test_an_employee_crossing_the_basic_cap_is_taken_over_by_the_supplement_up_to_its_cap(
    hsa, people, second_tier
):
    person = people.employee
    first = admitted(hsa, person, BIG, "500000.00")
    assert (first["hifp_pay"], first["hifob_pay"]) == (Decimal("439296.00"), Decimal("0.00"))
    # later: 88 % × 19,600.00 = 17,248.00, the fund pays the 10,704.00 left of its cap — reached
    # at a cost of 10,704.00 ÷ 88 % = 12,163.6363… → 12,163.64 — so 19,600.00 − 12,163.64 =
    # 7,436.36 of cost is above the cap: the supplement pays 90 % of it, 6,692.724 → 6,692.72;
    # the account pays 500.00 of the rest; cash 20,000.00 − 10,704.00 − 6,692.72 − 500.00 = 2,103.28.
    second = admitted(hsa, person, OVER, "20000.00", acct=True)
    assert (
        second["hifp_pay"],
        second["hifob_pay"],
        second["fund_pay_sumamt"],
        second["acct_pay"],
        second["psn_cash_pay"],
        second["balc"],
    ) == (
        Decimal("10704.00"),
        Decimal("6692.72"),
        Decimal("17396.72"),
        Decimal("500.00"),
        Decimal("2103.28"),
        Decimal("0.00"),
    )
    # third: the basic cap reached before, so all of 400,000.00 − 400.00 = 399,600.00 is above
    # it; 90 % = 359,640.00, but only 300,000.00 − 6,692.72 = 293,307.28 of the supplement's cap
    # is left; cash 400,000.00 − 293,307.28 = 106,692.72.
    third = admitted(hsa, person, [(BLOOD, "400", "1000.00")], "400000.00")
    assert (third["hifp_pay"], third["hifob_pay"], third["psn_cash_pay"]) == (
        Decimal("0.00"),
        Decimal("293307.28"),
        Decimal("106692.72"),
    )
    assert year_of(person).large_paid_fen == 30000000
    # Cancelling the third gives the supplement's cap back, exactly.
    cancel(hsa, person, third)
    assert year_of(person).large_paid_fen == 669272


def test_the_supplement_pays_above_the_basic_cap_not_above_the_outpatient_limit(
    hsa, people, second_tier
):
    person = people.employee
    mdtrt_id = hsa.register(person)
    assert hsa.fees(mdtrt_id, person, [(BLOOD, "1", "7000.00")])["infcode"] == 0
    info = hsa.settle(mdtrt_id, person, "7000.00")["output"]["setlinfo"]
    # 二级 ordinary outpatient: (7,000.00 − 600.00) × 55 % = 3,520.00, cut to the 3,000.00 annual
    # limit of 普通门诊统筹. That limit is not the basic fund's 最高支付限额 (450,000.00, untouched):
    # the 520.00 it cut is the person's, 大额补充 pays nothing; cash 7,000.00 − 3,000.00 = 4,000.00.
    assert (info["hifp_pay"], info["hifob_pay"], info["psn_cash_pay"]) == (
        Decimal("3000.00"),
        Decimal("0.00"),
        Decimal("4000.00"),
    )
    assert year_of(person).large_paid_fen == 0


def visit(hsa, person, price: str, *, acct: bool = False) -> dict[str, Any]:
    """An ordinary outpatient visit of one 甲 line, settled (2207)."""
    mdtrt_id = hsa.register(person)
    assert hsa.fees(mdtrt_id, person, [(BLOOD, "1", price)])["infcode"] == 0
    answer = hsa.settle(mdtrt_id, person, price, acct=acct)
    assert answer["infcode"] == 0, answer
    info = answer["output"]["setlinfo"]
    assert (
        info["fund_pay_sumamt"] + info["acct_pay"] + info["psn_cash_pay"] == info["medfee_sumamt"]
    )
    return info


def test_the_outpatient_deductible_is_met_across_visits_and_given_back_by_a_cancellation(
    hsa, people
):
    person = people.employee  # 二级 ordinary outpatient: 600.00 a year, 55 %
    first = visit(hsa, person, "400.00")  # 400.00 of the 600.00 met, the fund pays nothing
    second = visit(hsa, person, "500.00")  # the last 200.00, then 300.00 × 55 % = 165.00
    assert (first["act_pay_dedc"], first["hifp_pay"]) == (Decimal("400.00"), Decimal("0.00"))
    assert (second["act_pay_dedc"], second["hifp_pay"]) == (Decimal("200.00"), Decimal("165.00"))
    cancelled = hsa.post(
        "2208",
        {
            "data": {
                "psn_no": psn(person),
                "mdtrt_id": first["mdtrt_id"],
                "setl_id": first["setl_id"],
            }
        },
    )
    assert cancelled["infcode"] == 0, cancelled
    acc = year_of(person)
    assert (acc.deductible_paid, acc.fund_paid) == ({"outpatient": 20000}, {"outpatient": 16500})
    # 400.00 of the deductible is due again: 500.00 − 400.00 = 100.00 × 55 % = 55.00
    third = visit(hsa, person, "500.00")
    assert (third["act_pay_dedc"], third["hifp_pay"]) == (Decimal("400.00"), Decimal("55.00"))
    acc = year_of(person)
    assert (acc.deductible_paid, acc.fund_paid) == ({"outpatient": 60000}, {"outpatient": 22000})


def test_critical_illness_stops_at_its_own_annual_cap(hsa, people, second_tier):
    person = people.resident
    info = admitted(hsa, person, [(BLOOD, "1000", "1000.00")], "1000000.00", insutype="390")
    # basic: capped at 300,000.00; 合规自付 700,000.00, 685,000.00 above the deductible:
    # 60 % × 100,000.00 + 70 % × 585,000.00 = 469,500.00, cut to the 400,000.00 cap;
    # cash 1,000,000.00 − 300,000.00 − 400,000.00 = 300,000.00.
    assert (info["hifp_pay"], info["hifmi_pay"], info["psn_cash_pay"]) == (
        Decimal("300000.00"),
        Decimal("400000.00"),
        Decimal("300000.00"),
    )
    # Both caps reached: the next stay is the person's (300.00 of it the later deductible).
    after = admitted(hsa, person, [(BLOOD, "1", "1000.00")], "1000.00", insutype="390")
    assert (after["hifp_pay"], after["hifmi_pay"], after["psn_cash_pay"]) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("1000.00"),
    )

"""Worked examples, each computed by hand from the demo policy (pooling/policy/documents/demo-2026.json).

Money in the table is fen. The hand computation is in the comment above each row;
rounding is half up to 分 (per line for amounts and the class-B share, once per claim
for the fund's share).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pooling.benefits.calculator import NO_LINES, NOT_ON_LIST, RESIDENT_MATERNITY, settle
from pooling.benefits.maternity import allowance_fen, leave_days
from pooling.benefits.types import PersonContext
from pooling.kernel.choices import PersonCategory
from pooling.kernel.errors import BusinessRuleError
from tests.pooling.benefits.calculator_support import (
    CATALOGUE,
    DRUG_A,
    DRUG_B,
    DRUG_B20,
    ITEM_A,
    ITEM_C,
    UNKNOWN,
    claim,
    demo_rules,
    ytd,
)

RULES = demo_rules()

#  id, person, claim, expected (total, excluded, class_b, deductible, fund, copay, over_cap, account, patient)
EXAMPLES = [
    # 1. 职工在职 三级 住院 首次：甲类 10000.00；起付1200 → 8800 × 85% = 7480.00；自付比例部分 1320.00；
    #    个人 1200 + 1320 = 2520.00
    (
        "inpatient-first",
        PersonContext(PersonCategory.IN_SERVICE),
        claim("employee", "level3", "inpatient", (DRUG_A, 1, 1_000_000)),
        (1_000_000, 0, 0, 120_000, 748_000, 132_000, 0, 0, 252_000),
    ),
    # 2. 同上但本年第2次住院：起付600 → 9400 × 85% = 7990.00；共付 1410.00；个人 600 + 1410 = 2010.00
    (
        "inpatient-second",
        PersonContext(PersonCategory.IN_SERVICE, ytd(admissions=1)),
        claim("employee", "level3", "inpatient", (DRUG_A, 1, 1_000_000)),
        (1_000_000, 0, 0, 60_000, 799_000, 141_000, 0, 0, 201_000),
    ),
    # 3. 职工退休 二级 住院 首次：甲类 5000 + 乙类 5000；乙类先行自付10% = 500.00；范围内 9500；
    #    起付600 → 8900 × 92% = 8188.00；共付 712.00；个人 500 + 600 + 712 = 1812.00
    (
        "retired-class-b",
        PersonContext(PersonCategory.RETIRED),
        claim("employee", "level2", "inpatient", (DRUG_A, 1, 500_000), (DRUG_B, 1, 500_000)),
        (1_000_000, 0, 50_000, 60_000, 818_800, 71_200, 0, 0, 181_200),
    ),
    # 4. 职工在职 一级 住院 首次：甲类 1000 + 丙类 300 + 目录外 200；范围内 1000；起付400 → 600 × 90% = 540.00；
    #    共付 60；个人 300 + 200 + 400 + 60 = 960.00
    (
        "excluded-and-unknown",
        PersonContext(PersonCategory.IN_SERVICE),
        claim(
            "employee",
            "level1",
            "inpatient",
            (DRUG_A, 1, 100_000),
            (ITEM_C, 1, 30_000),
            (UNKNOWN, 2, 10_000),
        ),
        (150_000, 50_000, 0, 40_000, 54_000, 6_000, 0, 0, 96_000),
    ),
    # 5. 封顶：本年已付住院统筹 449000.00（封顶450000），第3次住院 三级 甲类 10000：起付600 → 9400 × 85% = 7990.00，
    #    只剩 1000.00 → 统筹 1000.00，超限额 6990.00；个人 600 + 1410 + 6990 = 9000.00
    (
        "annual-cap",
        PersonContext(PersonCategory.IN_SERVICE, ytd(admissions=2, fund={"inpatient": 44_900_000})),
        claim("employee", "level3", "inpatient", (DRUG_A, 1, 1_000_000)),
        (1_000_000, 0, 0, 60_000, 100_000, 141_000, 699_000, 0, 900_000),
    ),
    # 6. 居民成人 异地 已备案 三级 住院 首次：20000；起付1000 → 19000 × (60% − 10) = 50% = 9500.00；个人 10500.00
    (
        "out-of-city-registered",
        PersonContext(PersonCategory.RESIDENT_ADULT),
        claim(
            "resident",
            "level3",
            "inpatient",
            (DRUG_A, 1, 2_000_000),
            out_of_city=True,
            referral_registered=True,
        ),
        (2_000_000, 0, 0, 100_000, 950_000, 950_000, 0, 0, 1_050_000),
    ),
    # 7. 同上但未备案：60% − 20 = 40% → 19000 × 40% = 7600.00；个人 12400.00
    (
        "out-of-city-unregistered",
        PersonContext(PersonCategory.RESIDENT_ADULT),
        claim("resident", "level3", "inpatient", (DRUG_A, 1, 2_000_000), out_of_city=True),
        (2_000_000, 0, 0, 100_000, 760_000, 1_140_000, 0, 0, 1_240_000),
    ),
    # 8. 职工退休 基层 普通门诊：年起付400已累计300，本次计入100；500 − 100 = 400 × 80% = 320.00；个人 180.00
    (
        "outpatient-deductible-carried",
        PersonContext(PersonCategory.RETIRED, ytd(deductible={"outpatient": 30_000})),
        claim("employee", "community", "outpatient", (ITEM_A, 5, 10_000)),
        (50_000, 0, 0, 10_000, 32_000, 8_000, 0, 0, 18_000),
    ),
    # 9. 职工在职 三级 普通门诊：起付已满600，年度限额3000已付2900；1000 × 50% = 500 → 只剩100.00；
    #    超限额 400；个人 500 + 400 = 900.00
    (
        "outpatient-limit",
        PersonContext(
            PersonCategory.IN_SERVICE,
            ytd(deductible={"outpatient": 60_000}, fund={"outpatient": 290_000}),
        ),
        claim("employee", "level3", "outpatient", (DRUG_A, 1, 100_000)),
        (100_000, 0, 0, 0, 10_000, 50_000, 40_000, 0, 90_000),
    ),
    # 10. 居民成人 门慢 高血压 M03900（60%，限额1500，无起付）：乙类 300.00，先行自付 30.00；270 × 60% = 162.00；
    #     共付 108.00；个人 30 + 108 = 138.00
    (
        "chronic-hypertension",
        PersonContext(PersonCategory.RESIDENT_ADULT),
        claim("resident", "level1", "chronic", (DRUG_B, 10, 3_000), diagnosis="M03900"),
        (30_000, 0, 3_000, 0, 16_200, 10_800, 0, 0, 13_800),
    ),
    # 11. 职工生育 剖宫产 定额3500：甲类 5000 → 统筹 3500.00，超定额 1500.00 个人负担
    (
        "maternity-caesarean",
        PersonContext(PersonCategory.IN_SERVICE),
        claim("employee", "level3", "maternity", (DRUG_A, 1, 500_000), maternity_kind="caesarean"),
        (500_000, 0, 0, 0, 350_000, 0, 150_000, 0, 150_000),
    ),
    # 12. 个人账户：例1 加丙类 300，账户余额 2000.00；个人负担 10300 − 7480 = 2820，其中政策范围内 2520 可用账户；
    #     账户付 2000.00，现金 820.00
    (
        "personal-account",
        PersonContext(PersonCategory.IN_SERVICE, account_balance_fen=200_000),
        claim(
            "employee",
            "level3",
            "inpatient",
            (DRUG_A, 1, 1_000_000),
            (ITEM_C, 1, 30_000),
            use_personal_account=True,
        ),
        (1_030_000, 30_000, 0, 120_000, 748_000, 132_000, 0, 200_000, 82_000),
    ),
    # 13. 四舍五入：乙类（自付20%）3 × 33.33 = 99.99；先行自付 19.998 → 20.00；范围内 79.99；
    #     职工在职 基层 门诊（起付已满）79.99 × 70% = 55.993 → 55.99；个人 99.99 − 55.99 = 44.00
    (
        "rounding-class-b-20",
        PersonContext(PersonCategory.IN_SERVICE, ytd(deductible={"outpatient": 60_000})),
        claim("employee", "community", "outpatient", (DRUG_B20, 3, 3_333)),
        (9_999, 0, 2_000, 0, 5_599, 2_400, 0, 0, 4_400),
    ),
    # 14. 半分进位：0.05 元 × 50% = 2.5 分 → 3 分（四舍五入）；个人 2 分
    (
        "half-up",
        PersonContext(PersonCategory.IN_SERVICE, ytd(deductible={"outpatient": 60_000})),
        claim("employee", "level3", "outpatient", (DRUG_A, 1, 5)),
        (5, 0, 0, 0, 3, 2, 0, 0, 2),
    ),
    # 15. 分数数量：2.5 × 123.45 = 308.625 → 308.63（行金额四舍五入）；乙类自付 30.863 → 30.86；
    #     居民未成年 三级 住院 首次 起付500 > 277.77，起付计入 277.77，统筹 0；居民无个人账户
    (
        "fractional-quantity-resident-no-account",
        PersonContext(PersonCategory.MINOR_STUDENT, account_balance_fen=99_999),
        claim(
            "resident",
            "level3",
            "inpatient",
            (DRUG_B, Decimal("2.5"), 12_345),
            use_personal_account=True,
        ),
        (30_863, 0, 3_086, 27_777, 0, 0, 0, 0, 30_863),
    ),
]


@pytest.mark.parametrize(
    ("name", "person", "the_claim", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES]
)
def test_it_settles_the_worked_example(name, person, the_claim, expected):
    s = settle(rules=RULES, catalogue=CATALOGUE, person=person, claim=the_claim)
    got = (
        s.total_fen,
        s.excluded_fen,
        s.class_b_self_pay_fen,
        s.deductible_fen,
        s.fund_fen,
        s.copay_fen,
        s.over_cap_fen,
        s.account_fen,
        s.patient_fen,
    )
    assert got == expected
    assert s.fund_fen + s.account_fen + s.patient_fen == s.total_fen


def test_it_explains_each_step_in_chinese_with_the_figures():
    s = settle(
        rules=RULES,
        catalogue=CATALOGUE,
        person=PersonContext(PersonCategory.RETIRED),
        claim=EXAMPLES[2][2],
    )
    text = "\n".join(s.explanation)
    assert "乙类先行自付10%：500.00元" in text
    assert "起付标准：本年度第1次住院，二级医院起付线600.00元，本次计入600.00元" in text
    assert "统筹支付比例92%：8,900.00元 × 92% = 8,188.00元" in text
    assert "合计：统筹基金支付8,188.00元，个人账户支付0.00元，个人现金支付1,812.00元" in text


def test_it_explains_the_cap_and_out_of_city_cut():
    cap = settle(rules=RULES, catalogue=CATALOGUE, person=EXAMPLES[4][1], claim=EXAMPLES[4][2])
    assert "年度最高支付限额450,000.00元，本年已支付449,000.00元，尚余1,000.00元" in cap.explanation
    assert "超过年度最高支付限额部分由个人负担：6,990.00元" in cap.explanation
    ooc = settle(rules=RULES, catalogue=CATALOGUE, person=EXAMPLES[5][1], claim=EXAMPLES[5][2])
    assert "异地就医（已备案）：支付比例由60%降低10个百分点为50%" in ooc.explanation


def test_it_returns_the_accumulators_after_the_claim():
    person, c, _ = EXAMPLES[7][1:]
    s = settle(rules=RULES, catalogue=CATALOGUE, person=person, claim=c)
    assert s.ytd_after.deductible_paid("outpatient") == 40_000
    assert s.ytd_after.fund_paid("outpatient") == 32_000
    assert s.ytd_after.admissions == 0
    first = settle(rules=RULES, catalogue=CATALOGUE, person=EXAMPLES[0][1], claim=EXAMPLES[0][2])
    assert first.ytd_after.admissions == 1
    assert first.ytd_after.fund_paid("inpatient") == 748_000


def test_it_itemises_each_line():
    s = settle(rules=RULES, catalogue=CATALOGUE, person=EXAMPLES[3][1], claim=EXAMPLES[3][2])
    assert [(x.cls, x.excluded_fen, x.in_scope_fen) for x in s.lines] == [
        ("A", 0, 100_000),
        ("C", 30_000, 0),
        ("C", 20_000, 0),
    ]


@pytest.mark.parametrize(
    ("the_claim", "person", "error"),
    [
        (
            claim("employee", "level3", "inpatient"),
            PersonContext(PersonCategory.IN_SERVICE),
            NO_LINES,
        ),
        (
            claim("resident", "level1", "chronic", (DRUG_A, 1, 100), diagnosis="Z99999"),
            PersonContext(PersonCategory.RESIDENT_ADULT),
            NOT_ON_LIST,
        ),
        (
            claim("resident", "level3", "maternity", (DRUG_A, 1, 100), maternity_kind="caesarean"),
            PersonContext(PersonCategory.RESIDENT_ADULT),
            RESIDENT_MATERNITY,
        ),
    ],
)
def test_it_refuses_claims_the_rules_do_not_cover(the_claim, person, error):
    with pytest.raises(BusinessRuleError) as exc:
        settle(rules=RULES, catalogue=CATALOGUE, person=person, claim=the_claim)
    assert exc.value.message is error


def test_it_computes_the_maternity_allowance_from_leave_days():
    leave = RULES.leave
    # 98 + 省增加60 = 158；难产 +15 = 173；双胞胎 +15 = 188
    assert leave_days(leave) == 158
    assert leave_days(leave, difficult_birth=True, babies=2) == 188
    assert leave_days(leave, miscarriage_months=3) == 15
    assert leave_days(leave, miscarriage_months=5) == 42
    # 单位上年度月平均工资 7000.00 ÷ 30 × 158 = 36866.666… → 36866.67
    assert allowance_fen(employer_avg_monthly_wage_fen=700_000, days=158) == 3_686_667


def test_it_fills_every_field_of_each_settled_line_as_the_constructor_would():
    """The hot loop fills SettledLine field by field (for speed): none may be forgotten."""
    import dataclasses

    from pooling.benefits.types import SettledLine

    s = settle(
        rules=RULES,
        catalogue=CATALOGUE,
        person=PersonContext(PersonCategory.RETIRED),
        claim=claim(
            "employee",
            "level2",
            "inpatient",
            (DRUG_A, 1, 500_000),
            (DRUG_B20, 2, 12_345),
            (ITEM_C, 1, 30_000),
            (UNKNOWN, Decimal("1.5"), 333),
        ),
    )
    for line in s.lines:
        values = {f.name: getattr(line, f.name) for f in dataclasses.fields(SettledLine)}
        assert line == SettledLine(**values)
    assert [
        (x.cls, x.class_b_self_pay_fen, x.self_pay_rate, x.excluded_fen, x.in_scope_fen)
        for x in s.lines
    ] == [
        ("A", 0, None, 0, 500_000),
        ("B", 4_938, Decimal("0.2"), 0, 19_752),
        ("C", 0, None, 30_000, 0),
        ("C", 0, None, 500, 0),
    ]
    assert (
        s.lines[3].name == "" and s.lines[1].name == "复方丹参滴丸" and s.lines[3].amount_fen == 500
    )

"""大额补充 pays its ratio of the in-scope COST above the basic fund's cap.

Hand-computed: the fund pays `ratio` of the cost above the deductible until its remaining cap is
spent, so the cap is reached at remaining ÷ ratio (money: rounded to the fen); the supplement pays its ratio of the cost beyond.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pooling.benefits.second_tier import cost_above_cap, large_expense
from pooling.policy.benefit_rules import LargeExpenseRule

RULE = LargeExpenseRule(ratio=Decimal("0.9"), annual_cap_fen=30_000_000)


@pytest.mark.parametrize(
    ("base", "remaining", "ratio", "above"),
    [
        # 80 % of 150,000.00 would be 120,000.00; 100,000.00 left of the cap is reached at
        # 100,000.00 ÷ 80 % = 125,000.00 of cost: 25,000.00 above.
        (15_000_000, 10_000_000, "0.8", 2_500_000),
        # the cap not reached: 80 % × 100,000.00 = 80,000.00 ≤ 100,000.00.
        (10_000_000, 10_000_000, "0.8", 0),
        # reached by earlier claims: the whole base is above it.
        (4_000_000, 0, "0.85", 4_000_000),
        # no cap at all, or a fund that pays nothing: nothing is "above the cap".
        (4_000_000, None, "0.85", 0),
        (4_000_000, 100, "0", 0),
    ],
)
def test_cost_above_the_cap(base, remaining, ratio, above):
    got = cost_above_cap(base_fen=base, remaining_cap_fen=remaining, ratio=Decimal(ratio))
    assert got == above


def test_the_cap_point_is_money_rounded_to_the_fen_and_the_payment_its_ratio():
    # 10,704.00 left at 88 %: reached at 12,163.6363… → 12,163.64; 19,600.00 − 12,163.64 =
    # 7,436.36 above the cap; 90 % = 6,692.724 → 6,692.72 — the explanation's "7,436.36 × 90 %".
    over = cost_above_cap(base_fen=1_960_000, remaining_cap_fen=1_070_400, ratio=Decimal("0.88"))
    assert over == 743_636
    assert large_expense(rule=RULE, over_cap_fen=over, paid_before_fen=0) == 669_272


def test_the_supplement_stops_at_its_own_cap():
    # 90 % × 25,000.00 = 22,500.00, but 300,000.00 − 290,000.00 = 10,000.00 of its cap is left.
    assert large_expense(rule=RULE, over_cap_fen=2_500_000, paid_before_fen=29_000_000) == (
        1_000_000
    )
    assert large_expense(rule=RULE, over_cap_fen=2_500_000, paid_before_fen=30_000_000) == 0

"""The second tier: after the basic fund, resident critical-illness insurance (大病保险) and the
employee large-expense supplement (大额补充) — both per policy, both per calendar year.

- 大病保险 (国办发〔2015〕57号): a resident's in-scope self-paid cost of the year (合规自付:
  what was in policy scope but not paid by the basic fund — deductible, co-payment and
  what the basic cap cut; the class-B first self-paid share too where the policy says so)
  above the year's deductible is paid in ratio bands, up to an annual cap.
- 大额补充: for an employee, the in-scope cost above the point where the basic fund reached
  its annual cap (最高支付限额, the inpatient cap; not the outpatient-pooling or 门慢/门特
  limits) is paid at a ratio, up to the supplement's own annual cap: 超过统筹基金最高支付限额
  以上的合规医疗费用 — the cost, so 90 % means the person keeps 10 % of it, not 90 % of what
  the fund's own ratio would have paid.

Exact across a year: the critical-illness payment of a claim is the payment on the
year's total after it, rounded once, minus what the year's earlier claims received —
so however a year's costs are split into claims, the year's payments are the same.

The rules themselves are sections of the typed policy (`pooling.policy.benefit_rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pooling.kernel.money import apply_rate, round_fen
from pooling.policy.benefit_rules import CriticalIllnessRule, LargeExpenseRule


@dataclass(frozen=True, slots=True)
class CriticalResult:
    base_fen: int  # this claim's 合规自付 counted towards the year
    paid_fen: int
    base_before_fen: int
    paid_before_fen: int


def critical_illness(
    *,
    rule: CriticalIllnessRule,
    in_scope_fen: int,
    fund_fen: int,
    class_b_self_pay_fen: int,
    base_before_fen: int,
    paid_before_fen: int,
) -> CriticalResult:
    base = in_scope_fen - fund_fen + (class_b_self_pay_fen if rule.include_class_b_self_pay else 0)
    base = max(0, base)
    total = _banded(rule, base_before_fen + base)
    if rule.annual_cap_fen is not None:
        total = min(total, rule.annual_cap_fen)
    return CriticalResult(
        base_fen=base,
        paid_fen=max(0, total - paid_before_fen),
        base_before_fen=base_before_fen,
        paid_before_fen=paid_before_fen,
    )


def _banded(rule: CriticalIllnessRule, year_base_fen: int) -> int:
    """What the year's base earns across the bands, rounded once (half up to 分)."""
    above = year_base_fen - rule.deductible_fen
    if above <= 0:
        return 0
    exact = Decimal(0)
    bands = rule.bands
    for i, band in enumerate(bands):
        top = bands[i + 1].above_fen if i + 1 < len(bands) else None
        if above <= band.above_fen:
            break
        span = (above if top is None else min(above, top)) - band.above_fen
        exact += Decimal(span) * band.ratio
    return round_fen(exact)


def cost_above_cap(*, base_fen: int, remaining_cap_fen: int | None, ratio: Decimal) -> int:
    """The in-scope cost of a claim above the point where the basic fund reached its annual cap:
    the fund pays `ratio` of `base_fen` (the cost above the deductible) until it has paid
    `remaining_cap_fen`, so the cap is reached at remaining ÷ ratio, an amount of money and so
    rounded to the fen (half up) like any other; what the claim costs beyond it is above the cap
    (the whole base once earlier claims reached it). The explanation shows this amount and the
    supplement's payment is its ratio of it, so the two read as one sum. 0 without a cap or
    when the fund pays nothing."""
    if remaining_cap_fen is None or ratio <= 0:
        return 0
    return max(0, base_fen - round_fen(Decimal(remaining_cap_fen) / ratio))


def large_expense(*, rule: LargeExpenseRule, over_cap_fen: int, paid_before_fen: int) -> int:
    """The supplement's payment for a claim: its ratio of the claim's in-scope cost above the
    basic fund's cap (`cost_above_cap`: 超过统筹基金最高支付限额以上的合规医疗费用, the cost, not
    the fund's share of it), up to its own annual cap."""
    if over_cap_fen <= 0:
        return 0
    pay = apply_rate(over_cap_fen, rule.ratio)
    if rule.annual_cap_fen is not None:
        pay = min(pay, max(0, rule.annual_cap_fen - paid_before_fen))
    return pay


def account_part(
    *, own_fen: int, excluded_fen: int, balance_fen: int, covers_excluded: bool
) -> int:
    """What the personal account pays of the person's own part: never more than the balance,
    and not the fully self-paid (excluded) part unless the policy lets it."""
    payable = own_fen if covers_excluded else own_fen - excluded_fen
    return max(0, min(balance_fen, payable))

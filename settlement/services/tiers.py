"""After the basic fund: the second tier, then the personal account, then what the person pays in cash.

The calculator settles the basic fund; this step adds 大病保险 (residents) or 大额补充
(employees) per the policy in force, then lets the personal account pay from what is
left of the person's own part, and fills the national fields a settlement answers with.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pooling.benefits.explain import OVER_CAP, shown
from pooling.benefits.second_tier import (
    account_part,
    cost_above_cap,
    critical_illness,
    large_expense,
)
from pooling.kernel.money import format_yuan
from pooling.kernel.numbers import percent_text
from pooling.kernel.texts import text
from pooling.policy.benefit_rules import BenefitRules
from settlement.models import Accumulator, Settlement

CRITICAL_LINE = _(
    "大病保险：本年合规自付累计 %(year)s 元（起付线 %(deductible)s 元），本次支付 %(paid)s 元"
)
# "over" is the in-scope COST above the point where the basic fund reached its cap (not the
# fund's share the cap cut): the line names it as the policy does, 超过最高支付限额的合规费用.
LARGE_LINE = _(
    "大额补充：超过基本医疗统筹基金最高支付限额的合规费用 %(over)s 元，按 %(ratio)s%% 支付 %(paid)s 元"
)
ACCOUNT_LINE = _("个人账户支付 %(paid)s 元（支付前余额 %(balance)s 元）")
# The summary names only what can pay this claim: 大病保险 for a resident, 大额补充 and the
# account for an employee (a "大病保险 0.00 元" on an employee's claim reads as if one were due).
SUMMARY = _("合计：%(parts)s")
SUMMARY_SEPARATOR = pgettext_lazy("list separator", "，")
FUND_PART = _("基本统筹基金支付 %(amount)s 元")
CRITICAL_PART = _("大病保险 %(amount)s 元")
LARGE_PART = _("大额补充 %(amount)s 元")
ACCOUNT_PART = _("个人账户 %(amount)s 元")
CASH_PART = _("个人现金 %(amount)s 元")
# Where a second tier takes over, what the basic cap cut is no longer simply the person's: the
# calculator's "由个人负担" line is replaced by this one, and the tier's line says what it paid.
OVER_CAP_TAKEN = _("超过年度最高支付限额部分基本统筹基金不予支付：%(amount)s元")


def apply_second_tier(
    *,
    row: Settlement,
    result: Any,
    rules: BenefitRules,
    acc: Accumulator,
    balance_fen: int,
    use_account: bool,
    notes: list[tuple[Any, dict[str, Any]]],
) -> None:
    """Fill the second tier, the account and the cash part of `row` (amounts in fen), by the
    policy's 大病保险 and 大额补充 sections (absent: that tier pays nothing)."""
    critical_rule, large_rule = rules.critical_illness, rules.large_expense
    critical_applies = row.fund_book == "resident" and critical_rule is not None
    large_applies = row.fund_book == "employee_pooled" and large_rule is not None
    extra: list[tuple[Any, dict[str, Any]]] = []
    if critical_applies and critical_rule is not None:
        outcome = critical_illness(
            rule=critical_rule,
            in_scope_fen=result.in_scope_fen,
            fund_fen=result.fund_fen,
            class_b_self_pay_fen=result.class_b_self_pay_fen,
            base_before_fen=acc.critical_base_fen,
            paid_before_fen=acc.critical_paid_fen,
        )
        row.critical_base_fen, row.hifmi_pay = outcome.base_fen, outcome.paid_fen
        if (
            outcome.paid_fen
            or outcome.base_before_fen + outcome.base_fen > critical_rule.deductible_fen
        ):
            extra.append(
                (
                    CRITICAL_LINE,
                    {
                        "year": format_yuan(outcome.base_before_fen + outcome.base_fen),
                        "deductible": format_yuan(critical_rule.deductible_fen),
                        "paid": format_yuan(outcome.paid_fen),
                    },
                )
            )
    # 大额补充 takes over above the basic fund's 最高支付限额 (the inpatient cap) only: what an
    # outpatient-pooling or 门慢/门特 annual limit cuts stays the person's.
    if (
        large_applies
        and large_rule is not None
        and result.over_cap_fen
        and result.basis.plan.scope == "inpatient"
    ):
        basis = result.basis
        over = cost_above_cap(
            base_fen=basis.base_fen, remaining_cap_fen=basis.remaining_cap_fen, ratio=result.ratio
        )
        row.hifob_pay = large_expense(
            rule=large_rule, over_cap_fen=over, paid_before_fen=acc.large_paid_fen
        )
        extra.append(
            (
                LARGE_LINE,
                {
                    "over": format_yuan(over),
                    "ratio": percent_text(large_rule.ratio),
                    "paid": format_yuan(row.hifob_pay),
                },
            )
        )
    own = result.total_fen - row.hifp_pay - row.hifmi_pay - row.hifob_pay
    if use_account:
        row.acct_pay = account_part(
            own_fen=own,
            excluded_fen=result.excluded_fen,
            balance_fen=balance_fen,
            covers_excluded=rules.account_covers_excluded,
        )
        extra.append(
            (ACCOUNT_LINE, {"paid": format_yuan(row.acct_pay), "balance": format_yuan(balance_fen)})
        )
    row.psn_cash_pay = own - row.acct_pay
    row.balc = balance_fen - row.acct_pay
    row.fund_pay_sumamt = row.hifp_pay + row.hifmi_pay + row.hifob_pay
    if settings.HSA_FUND_PAY_INCLUDES_ACCOUNT:
        row.fund_pay_sumamt += row.acct_pay
    parts = [
        (FUND_PART, row.hifp_pay),
        *([(CRITICAL_PART, row.hifmi_pay)] if critical_applies else []),
        *([(LARGE_PART, row.hifob_pay)] if large_applies else []),
        *([(ACCOUNT_PART, row.acct_pay)] if row.scheme == "employee" else []),
        (CASH_PART, row.psn_cash_pay),
    ]
    took_over = any(m is CRITICAL_LINE or m is LARGE_LINE for m, _p in extra)
    for key, language in (("explanation", "zh-hans"), ("explanation_en", "en")):
        with translation.override(language):
            row.detail[key] = [
                *_basic_lines(result, took_over=took_over),
                *(text(m) % p for m, p in extra),
                _summary(parts),
                *(text(m) % p for m, p in notes),
            ]


def _basic_lines(result: Any, *, took_over: bool) -> list[str]:
    """The calculator's lines in the active language, without its own summary (it knows only the
    basic fund); its over-cap line says the fund does not pay when a second tier took over."""
    lines = list(result.explanation)[:-1]
    if not took_over or not result.over_cap_fen:
        return lines
    borne = text(OVER_CAP) % {"amount": shown(result.over_cap_fen)}
    taken = text(OVER_CAP_TAKEN) % {"amount": shown(result.over_cap_fen)}
    return [taken if line == borne else line for line in lines]


def _summary(parts: list[tuple[Any, int]]) -> str:
    joined = text(SUMMARY_SEPARATOR).join(text(m) % {"amount": format_yuan(f)} for m, f in parts)
    return text(SUMMARY) % {"parts": joined}

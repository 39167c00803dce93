"""Explanation lines in Chinese, with the figures, for a settlement.

Each line names a rule and the yuan it moved, so a clerk can read why each yuan
falls where it does. Amounts are printed as plain yuan with two decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.benefits.types import Claim, SettledLine
from pooling.money import fen_to_yuan

TOTAL = _("医疗费用总额：%(total)s元（%(n)d项）")
EXCLUDED = _("丙类及目录外项目全自费：%(amount)s元")
CLASS_B = _("乙类先行自付%(pct)s%%：%(amount)s元")
CLASS_B_MIXED = _("乙类先行自付（按各项目自付比例，默认%(pct)s%%）：%(amount)s元")
IN_SCOPE = _("进入统筹计算的政策范围内费用：%(amount)s元")
DED_INPATIENT = _("起付标准：本年度第%(n)d次住院，%(level)s起付线%(line)s元")
DED_ANNUAL = _("起付标准：%(label)s年度起付线%(line)s元，本年已累计%(paid)s元")
DED_APPLIED = _("%(text)s，本次计入%(applied)s元")
NO_DED = _("%(label)s不设起付标准")
LUMP_SUM = _("生育医疗费用（%(label)s）定额标准%(limit)s元，限额内据实支付，不设起付标准")
OUT_OF_CITY = _("异地就医（%(status)s）：支付比例由%(from)s%%降低%(cut)s个百分点为%(to)s%%")
REGISTERED = _("已备案")
UNREGISTERED = _("未备案")
RATIO = _("统筹支付比例%(pct)s%%：%(base)s元 × %(pct)s%% = %(fund)s元")
COPAY = _("政策范围内个人按比例自付：%(amount)s元")
CAP = _("年度最高支付限额%(cap)s元，本年已支付%(paid)s元，尚余%(remaining)s元")
OVER_CAP = _("超过年度最高支付限额部分由个人负担：%(amount)s元")
CAP_LUMP = _("定额标准%(cap)s元，本年已支付%(paid)s元，尚余%(remaining)s元")
OVER_LUMP = _("超过定额标准部分由个人负担：%(amount)s元")
ACCOUNT = _("个人账户支付：%(amount)s元（余额%(balance)s元，%(what)s）")
ACCOUNT_WHAT = _("可支付个人负担中政策范围内部分")
ACCOUNT_WHAT_ALL = _("可支付个人负担的全部")
NO_ACCOUNT = _("居民医保不设个人账户，个人负担以现金支付")
SUMMARY = _("合计：统筹基金支付%(fund)s元，个人账户支付%(account)s元，个人现金支付%(cash)s元")


def yuan(fen: int) -> str:
    return str(fen_to_yuan(fen))


def pct(rate: Decimal) -> str:
    """0.85 -> "85", 0.075 -> "7.5"."""
    text = format((rate * 100).normalize(), "f")
    return text


def _t(message: Any, **params: Any) -> str:
    return str(message) % params


def inpatient_deductible(n: int, level: str, line: int) -> str:
    return _t(DED_INPATIENT, n=n, level=level, line=yuan(line))


def annual_deductible(label: str, line: int, paid: int) -> str:
    if line == 0:
        return _t(NO_DED, label=label)
    return _t(DED_ANNUAL, label=label, line=yuan(line), paid=yuan(paid))


def lump_sum(label: str, limit: int) -> str:
    return _t(LUMP_SUM, label=label, limit=yuan(limit))


@dataclass(frozen=True, slots=True)
class Figures:
    claim: Claim
    plan_scope: str
    lines: tuple[SettledLine, ...]
    total: int
    excluded: int
    class_b: int
    in_scope: int
    deductible: int
    deductible_text: str
    deductible_line: int
    base: int
    base_ratio: Decimal
    ratio: Decimal
    fund_uncapped: int
    copay: int
    cap: int | None
    paid_before: int
    remaining_cap: int | None
    fund: int
    over_cap: int
    account: int
    balance: int
    patient: int
    default_b_rate: Decimal
    account_covers_excluded: bool
    reduction: Decimal


def lines(f: Figures) -> tuple[str, ...]:
    out = [_t(TOTAL, total=yuan(f.total), n=len(f.lines))]
    if f.excluded:
        out.append(_t(EXCLUDED, amount=yuan(f.excluded)))
    if f.class_b:
        rates = {s.self_pay_rate for s in f.lines if s.cls == "B"}
        if rates == {f.default_b_rate}:
            out.append(_t(CLASS_B, pct=pct(f.default_b_rate), amount=yuan(f.class_b)))
        else:
            out.append(_t(CLASS_B_MIXED, pct=pct(f.default_b_rate), amount=yuan(f.class_b)))
    out.append(_t(IN_SCOPE, amount=yuan(f.in_scope)))
    if f.deductible_line == 0:
        out.append(f.deductible_text)
    else:
        out.append(_t(DED_APPLIED, text=f.deductible_text, applied=yuan(f.deductible)))
    if f.claim.out_of_city:
        status = REGISTERED if f.claim.referral_registered else UNREGISTERED
        out.append(_t(OUT_OF_CITY, status=str(status), **{"from": pct(f.base_ratio)},
                      cut=pct(f.reduction), to=pct(f.ratio)))
    out.append(_t(RATIO, pct=pct(f.ratio), base=yuan(f.base), fund=yuan(f.fund_uncapped)))
    if f.copay:
        out.append(_t(COPAY, amount=yuan(f.copay)))
    lump = f.plan_scope.startswith("maternity:")
    if f.cap is not None:
        out.append(_t(CAP_LUMP if lump else CAP, cap=yuan(f.cap), paid=yuan(f.paid_before),
                      remaining=yuan(f.remaining_cap or 0)))
    if f.over_cap:
        out.append(_t(OVER_LUMP if lump else OVER_CAP, amount=yuan(f.over_cap)))
    if f.claim.use_personal_account:
        if f.claim.scheme != "employee":
            out.append(str(NO_ACCOUNT))
        else:
            what = ACCOUNT_WHAT_ALL if f.account_covers_excluded else ACCOUNT_WHAT
            out.append(_t(ACCOUNT, amount=yuan(f.account), balance=yuan(f.balance), what=str(what)))
    out.append(_t(SUMMARY, fund=yuan(f.fund), account=yuan(f.account), cash=yuan(f.patient)))
    return tuple(out)


"""Explanation lines in Chinese, with the figures, for a settlement.

Each line names a rule and the yuan it moved, so a clerk can read why each yuan
falls where it does. Amounts are printed as plain yuan with two decimals.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.benefits.types import Basis, Settlement
from pooling.kernel.choices import Scheme
from pooling.kernel.money import fen_to_yuan, format_yuan
from pooling.kernel.numbers import percent_text
from pooling.kernel.texts import text

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
    """Plain yuan for machines (the calculator API's values): 12345.60."""
    return str(fen_to_yuan(fen))


def shown(fen: int) -> str:
    """Yuan as a reader sees money everywhere else on the site: 12,345.60."""
    return format_yuan(fen)


def _t(message: Any, **params: Any) -> str:
    return text(message) % params


def _deductible(b: Basis, applied: int) -> str:
    plan = b.plan
    kind = plan.deductible_kind
    if kind == "lump":
        return _t(LUMP_SUM, label=plan.label, limit=shown(plan.cap_fen or 0))
    if kind == "none":
        return _t(NO_DED, label=plan.label)
    if kind == "inpatient":
        rule = _t(
            DED_INPATIENT,
            n=plan.deductible_before_fen + 1,
            level=plan.label,
            line=shown(plan.deductible_line_fen),
        )
    else:
        rule = _t(
            DED_ANNUAL,
            label=plan.label,
            line=shown(plan.deductible_line_fen),
            paid=shown(plan.deductible_before_fen),
        )
    return _t(DED_APPLIED, text=rule, applied=shown(applied))


def lines(s: Settlement) -> tuple[str, ...]:
    b = s.basis
    plan, claim = b.plan, b.claim
    out = [_t(TOTAL, total=shown(s.total_fen), n=len(s.lines))]
    if s.excluded_fen:
        out.append(_t(EXCLUDED, amount=shown(s.excluded_fen)))
    if s.class_b_self_pay_fen:
        rates = {x.self_pay_rate for x in s.lines if x.cls == "B"}
        message = CLASS_B if rates == {b.default_b_rate} else CLASS_B_MIXED
        out.append(
            _t(message, pct=percent_text(b.default_b_rate), amount=shown(s.class_b_self_pay_fen))
        )
    out.append(_t(IN_SCOPE, amount=shown(s.in_scope_fen)))
    out.append(_deductible(b, s.deductible_fen))
    if claim.out_of_city:
        status = REGISTERED if claim.referral_registered else UNREGISTERED
        out.append(
            _t(
                OUT_OF_CITY,
                status=text(status),
                **{"from": percent_text(plan.base_ratio)},
                cut=percent_text(plan.base_ratio - s.ratio),
                to=percent_text(s.ratio),
            )
        )
    out.append(
        _t(
            RATIO,
            pct=percent_text(s.ratio),
            base=shown(b.base_fen),
            fund=shown(b.fund_uncapped_fen),
        )
    )
    if s.copay_fen:
        out.append(_t(COPAY, amount=shown(s.copay_fen)))
    lump = plan.deductible_kind == "lump"
    if plan.cap_fen is not None:
        out.append(
            _t(
                CAP_LUMP if lump else CAP,
                cap=shown(plan.cap_fen),
                paid=shown(b.paid_before_fen),
                remaining=shown(b.remaining_cap_fen or 0),
            )
        )
    if s.over_cap_fen:
        out.append(_t(OVER_LUMP if lump else OVER_CAP, amount=shown(s.over_cap_fen)))
    if claim.use_personal_account:
        if claim.scheme != Scheme.EMPLOYEE:
            out.append(text(NO_ACCOUNT))
        else:
            what = ACCOUNT_WHAT_ALL if b.account_covers_excluded else ACCOUNT_WHAT
            out.append(
                _t(
                    ACCOUNT,
                    amount=shown(s.account_fen),
                    balance=shown(b.balance_fen),
                    what=text(what),
                )
            )
    out.append(
        _t(SUMMARY, fund=shown(s.fund_fen), account=shown(s.account_fen), cash=shown(s.patient_fen))
    )
    return tuple(out)

"""The benefit calculator: one pure, deterministic function from a claim to a settlement.

No database, no clock, no settings: the same inputs always give the same fen. The
order of the calculation (and so of the explanation lines) is the one every county
clerk knows:

1. each line's amount = quantity × unit price, rounded half up to 分;
2. its class from the catalogue in force: 甲类 all in scope; 乙类 first self-paid at its
   share (先行自付, rounded per line), the rest in scope; 丙类 or not in the catalogue
   all self-paid (全自费);
3. the deductible (起付标准) is taken from the in-scope sum (per admission for
   inpatient care, per year for outpatient pooling, 门慢/门特 and maternity);
4. the fund pays its ratio of the rest (rounded once per claim, half up), the ratio
   lowered for out-of-city care by the registered / unregistered reduction;
5. the annual cap (最高支付限额) cuts the fund's payment to what is left this year;
   the part it cuts is the patient's (超限额);
6. the personal account pays the person's own part where asked and allowed (employee
   scheme only; not the excluded part unless the policy allows), up to its balance.

Rounding happens only in `pooling.kernel.money` (half up to 分): per line for the amount and
the class-B share, once per claim for the fund's share. Everything else is integer fen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from pooling.benefits.rules import MATERNITY_KINDS, BenefitRules
from pooling.benefits.types import (
    CATEGORIES,
    HOSPITAL_LEVELS,
    SCHEMES,
    Accumulators,
    Basis,
    CareType,
    CatalogueEntry,
    Claim,
    PersonContext,
    SettledLine,
    Settlement,
)
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import apply_rate, round_fen

NO_RULE = _("政策未规定该待遇：%(what)s")
UNKNOWN_VALUE = _("%(field)s 取值不正确：%(value)s")
NOT_ON_LIST = _("诊断 %(code)s 不在门诊慢特病病种目录内")
NEGATIVE = _("第%(row)d行：数量和单价不能为负数")
NO_LINES = _("费用明细不能为空")
RESIDENT_MATERNITY = _("居民医保的分娩住院费用按住院待遇结算，请选择“住院”")

Lookup = Mapping[str, CatalogueEntry] | Callable[[str], CatalogueEntry | None]


class Plan(NamedTuple):
    """What the policy says for this claim, before any amounts."""

    scope: str  # the cap / accumulator scope
    deductible_kind: str  # inpatient / annual / lump / none
    label: str
    deductible_line_fen: int  # the deductible standard itself
    deductible_before_fen: int  # annual: met earlier this year; inpatient: admissions before
    deductible_due_fen: int  # what is still to be met by this claim
    base_ratio: Decimal
    ratio: Decimal  # after the out-of-city reduction
    cap_fen: int | None


def settle(*, rules: BenefitRules, catalogue: Lookup, person: PersonContext, claim: Claim) -> Settlement:
    """Settle one claim: itemised split, fund / account / patient, new YTD; reasons on demand."""
    if not claim.lines:
        raise BusinessRuleError(NO_LINES, code="no_lines", field="lines")
    get = catalogue.get if type(catalogue) is dict or isinstance(catalogue, Mapping) else catalogue
    default_b = rules.class_b_self_pay_rate
    lines: list[SettledLine] = []
    add = lines.append
    new = tuple.__new__  # skips the NamedTuple's Python-level __new__ (a third of a line's cost)
    total = excluded = class_b = 0
    # The hot loop (ten lines a claim, tens of thousands of claims a second): kept inline.
    for line in claim.lines:
        code, q, price = line.code, line.quantity, line.unit_price_fen
        if q < 0 or price < 0:
            raise BusinessRuleError(NEGATIVE, code="negative_line", field="lines",
                                    params={"row": claim.lines.index(line) + 1})
        amount = q * price if q.__class__ is int else round_fen(q * price)
        total += amount
        entry = get(code)
        if entry is None:
            excluded += amount
            add(new(SettledLine, (code, line.name, "C", q, price, amount, amount, 0, 0, None, "")))
            continue
        cls = entry.cls
        if cls == "A":
            add(new(SettledLine, (code, entry.name, "A", q, price, amount, 0, 0, amount, None, entry.restrictions)))
        elif cls == "B":
            rate = entry.self_pay_rate
            if rate is None:
                rate = default_b
            self_pay = apply_rate(amount, rate)
            class_b += self_pay
            add(new(SettledLine, (code, entry.name, "B", q, price, amount, 0, self_pay, amount - self_pay, rate,
                                  entry.restrictions)))
        else:
            excluded += amount
            add(new(SettledLine, (code, entry.name, "C", q, price, amount, amount, 0, 0, None, entry.restrictions)))
    in_scope = total - excluded - class_b

    plan = _plan(rules, person, claim)
    deductible = min(in_scope, plan.deductible_due_fen)
    base = in_scope - deductible
    fund_uncapped = apply_rate(base, plan.ratio)
    copay = base - fund_uncapped
    paid_before = person.ytd.fund_paid(plan.scope)
    remaining_cap = None if plan.cap_fen is None else max(0, plan.cap_fen - paid_before)
    fund = fund_uncapped if remaining_cap is None else min(fund_uncapped, remaining_cap)
    over_cap = fund_uncapped - fund

    own = total - fund
    account = 0
    if claim.use_personal_account and claim.scheme == "employee":
        payable = own if rules.account_covers_excluded else own - excluded
        account = max(0, min(person.account_balance_fen, payable))
    basis = new(Basis, (claim, plan.scope, plan.deductible_kind, plan.label, plan.deductible_line_fen,
                        plan.deductible_before_fen, plan.base_ratio, base, fund_uncapped, plan.cap_fen,
                        paid_before, remaining_cap, person.account_balance_fen, default_b,
                        rules.account_covers_excluded))
    return new(Settlement, (tuple(lines), total, excluded, class_b, in_scope, deductible, fund, copay,
                            over_cap, account, own - account, plan.ratio,
                            _accumulate(person.ytd, claim, plan.scope, deductible, fund), basis))


def _check(field: str, value: str, allowed: Mapping[str, str] | tuple[str, ...]) -> None:
    if value not in allowed:
        raise BusinessRuleError(UNKNOWN_VALUE, code="bad_value", field=field,
                                params={"field": field, "value": value})


def _no_rule(claim: Claim, person: PersonContext) -> BusinessRuleError:
    what = (f"{SCHEMES[claim.scheme]} {CATEGORIES[person.category]} {HOSPITAL_LEVELS[claim.hospital_level]} "
            f"{CareType.LABELS[claim.care_type]}")
    return BusinessRuleError(NO_RULE, code="no_rule", params={"what": what})


def _plan(rules: BenefitRules, person: PersonContext, claim: Claim) -> Plan:
    if not (claim.scheme in SCHEMES and person.category in CATEGORIES
            and claim.hospital_level in HOSPITAL_LEVELS and claim.care_type in CareType.LABELS):
        _check("scheme", claim.scheme, SCHEMES)  # says which one
        _check("category", person.category, CATEGORIES)
        _check("hospital_level", claim.hospital_level, HOSPITAL_LEVELS)
        _check("care_type", claim.care_type, CareType.ALL)
    key = (claim.scheme, person.category, claim.hospital_level)
    ytd = person.ytd
    care = claim.care_type
    if care == CareType.INPATIENT:
        ip = rules.inpatient.get(key)
        if ip is None:
            raise _no_rule(claim, person)
        line = ip.deductible_first_fen if ytd.admissions == 0 else ip.deductible_later_fen
        return _with_ratio(rules, claim, Plan("inpatient", "inpatient", HOSPITAL_LEVELS[claim.hospital_level],
                                              line, ytd.admissions, line, ip.ratio, ip.ratio, ip.annual_cap_fen))
    if care == CareType.OUTPATIENT:
        op = rules.outpatient.get(key)
        if op is None:
            raise _no_rule(claim, person)
        label = f"{HOSPITAL_LEVELS[claim.hospital_level]}普通门诊"
        return _annual(rules, claim, ytd, "outpatient", op.deductible_fen, op.ratio, op.annual_limit_fen, label)
    if care == CareType.CHRONIC:
        disease = rules.disease(claim.scheme, claim.diagnosis)
        if disease is None:
            raise BusinessRuleError(NOT_ON_LIST, code="not_on_list", field="diagnosis",
                                    params={"code": claim.diagnosis})
        kind = "门特" if disease.kind == "special" else "门慢"
        return _annual(rules, claim, ytd, f"chronic:{disease.code}", disease.deductible_fen, disease.ratio,
                       disease.annual_limit_fen, f"{kind}「{disease.name}」")
    return _maternity(rules, claim, person)


def _maternity(rules: BenefitRules, claim: Claim, person: PersonContext) -> Plan:
    """Maternity medical costs: employee scheme only (residents' births settle as inpatient care)."""
    mm = rules.maternity_medical
    if claim.scheme != "employee":
        raise BusinessRuleError(RESIDENT_MATERNITY, code="resident_maternity", field="care_type")
    if mm is None:
        raise _no_rule(claim, person)
    if mm.ratio is not None:
        return _with_ratio(rules, claim, Plan("maternity", "none", "生育医疗费用", 0, 0, 0, mm.ratio, mm.ratio, None))
    limit = mm.lump_sums_fen.get(claim.maternity_kind)
    if limit is None:
        raise BusinessRuleError(UNKNOWN_VALUE, code="bad_value", field="maternity_kind",
                                params={"field": "maternity_kind", "value": claim.maternity_kind})
    label = MATERNITY_KINDS[claim.maternity_kind]
    one = Decimal(1)
    return _with_ratio(rules, claim, Plan(f"maternity:{claim.maternity_kind}", "lump", label, 0, 0, 0, one, one,
                                          limit))


def _annual(rules: BenefitRules, claim: Claim, ytd: Accumulators, scope: str, line: int, ratio: Decimal,
            cap: int | None, label: str) -> Plan:
    """A deductible met once a year: only what is still unmet is due now."""
    paid = ytd.deductible_paid(scope)
    kind = "annual" if line else "none"
    return _with_ratio(rules, claim, Plan(scope, kind, label, line, paid, max(0, line - paid), ratio, ratio, cap))


def _with_ratio(rules: BenefitRules, claim: Claim, plan: Plan) -> Plan:
    if not claim.out_of_city:
        return plan
    cut = (rules.out_of_city_registered_reduction if claim.referral_registered
           else rules.out_of_city_unregistered_reduction)
    return plan._replace(ratio=max(Decimal(0), plan.base_ratio - cut))


def _accumulate(ytd: Accumulators, claim: Claim, scope: str, deductible: int, fund: int) -> Accumulators:
    deductibles = dict(ytd.deductible_paid_fen)
    deductibles[scope] = deductibles.get(scope, 0) + deductible
    funds = dict(ytd.fund_paid_fen)
    funds[scope] = funds.get(scope, 0) + fund
    admissions = ytd.admissions + (1 if claim.care_type == CareType.INPATIENT else 0)
    return tuple.__new__(Accumulators, (admissions, MappingProxyType(deductibles), MappingProxyType(funds)))

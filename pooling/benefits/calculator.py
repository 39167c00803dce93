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

Rounding happens only in `pooling.money` (half up to 分): per line for the amount and
the class-B share, once per claim for the fund's share. Everything else is integer fen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from django.utils.translation import gettext_lazy as _

from pooling.benefits import explain
from pooling.benefits.rules import MATERNITY_KINDS, BenefitRules
from pooling.benefits.types import (
    CATEGORIES,
    HOSPITAL_LEVELS,
    SCHEMES,
    Accumulators,
    CareType,
    CatalogueEntry,
    Claim,
    ClaimLine,
    PersonContext,
    SettledLine,
    Settlement,
)
from pooling.errors import BusinessRuleError
from pooling.money import apply_rate, round_fen

NO_RULE = _("政策未规定该待遇：%(what)s")
UNKNOWN_VALUE = _("%(field)s 取值不正确：%(value)s")
NOT_ON_LIST = _("诊断 %(code)s 不在门诊慢特病病种目录内")
NEGATIVE = _("第%(row)d行：数量和单价不能为负数")
NO_LINES = _("费用明细不能为空")
RESIDENT_MATERNITY = _("居民医保的分娩住院费用按住院待遇结算，请选择“住院”")

Lookup = Mapping[str, CatalogueEntry] | Callable[[str], CatalogueEntry | None]


@dataclass(frozen=True, slots=True)
class Plan:
    """What the policy says for this claim, before any amounts."""

    scope: str  # the cap / accumulator scope
    deductible_line_fen: int  # the deductible standard itself
    deductible_due_fen: int  # what is still to be met by this claim
    base_ratio: Decimal
    ratio: Decimal  # after the out-of-city reduction
    cap_fen: int | None
    deductible_text: str


def settle(*, rules: BenefitRules, catalogue: Lookup, person: PersonContext, claim: Claim) -> Settlement:
    """Settle one claim: itemised split, fund / account / patient, explanation, new YTD."""
    if not claim.lines:
        raise BusinessRuleError(NO_LINES, code="no_lines", field="lines")
    get = catalogue.get if isinstance(catalogue, Mapping) else catalogue
    lines = tuple(_settle_line(i, line, get(line.code), rules.class_b_self_pay_rate)
                  for i, line in enumerate(claim.lines, start=1))
    total = excluded = class_b = 0
    for s in lines:
        total += s.amount_fen
        excluded += s.excluded_fen
        class_b += s.class_b_self_pay_fen
    in_scope = total - excluded - class_b

    plan = _plan(rules, person, claim)
    deductible = min(in_scope, plan.deductible_due_fen)
    base = in_scope - deductible
    fund_uncapped = apply_rate(base, plan.ratio)
    copay = base - fund_uncapped
    remaining_cap = None if plan.cap_fen is None else max(0, plan.cap_fen - person.ytd.fund_paid(plan.scope))
    fund = fund_uncapped if remaining_cap is None else min(fund_uncapped, remaining_cap)
    over_cap = fund_uncapped - fund

    own = total - fund
    account = 0
    if claim.use_personal_account and claim.scheme == "employee":
        payable = own if rules.account_covers_excluded else own - excluded
        account = max(0, min(person.account_balance_fen, payable))
    patient = own - account

    figures = explain.Figures(
        claim=claim, plan_scope=plan.scope, lines=lines, total=total, excluded=excluded,
        class_b=class_b, in_scope=in_scope, deductible=deductible, deductible_text=plan.deductible_text,
        deductible_line=plan.deductible_line_fen,
        base=base, base_ratio=plan.base_ratio, ratio=plan.ratio, fund_uncapped=fund_uncapped,
        copay=copay, cap=plan.cap_fen, paid_before=person.ytd.fund_paid(plan.scope),
        remaining_cap=remaining_cap, fund=fund, over_cap=over_cap, account=account,
        balance=person.account_balance_fen, patient=patient, default_b_rate=rules.class_b_self_pay_rate,
        account_covers_excluded=rules.account_covers_excluded,
        reduction=plan.base_ratio - plan.ratio,
    )
    return Settlement(
        lines=lines, total_fen=total, excluded_fen=excluded, class_b_self_pay_fen=class_b,
        in_scope_fen=in_scope, deductible_fen=deductible, fund_fen=fund, copay_fen=copay,
        over_cap_fen=over_cap, account_fen=account, patient_fen=patient, ratio=plan.ratio,
        explanation=explain.lines(figures),
        ytd_after=_accumulate(person.ytd, claim, plan.scope, deductible, fund),
    )


def _settle_line(row: int, line: ClaimLine, entry: CatalogueEntry | None, default_b: Decimal) -> SettledLine:
    if line.quantity < 0 or line.unit_price_fen < 0:
        raise BusinessRuleError(NEGATIVE, code="negative_line", field="lines", params={"row": row})
    q = line.quantity
    amount = q * line.unit_price_fen if isinstance(q, int) else round_fen(q * line.unit_price_fen)
    if entry is None or entry.cls not in ("A", "B"):
        return SettledLine(
            code=line.code, name=entry.name if entry else line.name, cls="C", quantity=q,
            unit_price_fen=line.unit_price_fen, amount_fen=amount, excluded_fen=amount,
            class_b_self_pay_fen=0, in_scope_fen=0,
            restrictions=entry.restrictions if entry else "",
        )
    if entry.cls == "A":
        return SettledLine(
            code=line.code, name=entry.name, cls="A", quantity=q, unit_price_fen=line.unit_price_fen,
            amount_fen=amount, excluded_fen=0, class_b_self_pay_fen=0, in_scope_fen=amount,
            restrictions=entry.restrictions,
        )
    rate = default_b if entry.self_pay_rate is None else entry.self_pay_rate
    self_pay = apply_rate(amount, rate)
    return SettledLine(
        code=line.code, name=entry.name, cls="B", quantity=q, unit_price_fen=line.unit_price_fen,
        amount_fen=amount, excluded_fen=0, class_b_self_pay_fen=self_pay, in_scope_fen=amount - self_pay,
        self_pay_rate=rate, restrictions=entry.restrictions,
    )


def _check(field: str, value: str, allowed: Mapping[str, str] | tuple[str, ...]) -> None:
    if value not in allowed:
        raise BusinessRuleError(UNKNOWN_VALUE, code="bad_value", field=field,
                                params={"field": field, "value": value})


def _plan(rules: BenefitRules, person: PersonContext, claim: Claim) -> Plan:
    _check("scheme", claim.scheme, SCHEMES)
    _check("category", person.category, CATEGORIES)
    _check("hospital_level", claim.hospital_level, HOSPITAL_LEVELS)
    _check("care_type", claim.care_type, CareType.ALL)
    key = (claim.scheme, person.category, claim.hospital_level)
    level = HOSPITAL_LEVELS[claim.hospital_level]
    what = f"{SCHEMES[claim.scheme]} {CATEGORIES[person.category]} {level} {CareType.LABELS[claim.care_type]}"
    ytd = person.ytd
    if claim.care_type == CareType.INPATIENT:
        ip = rules.inpatient.get(key)
        if ip is None:
            raise BusinessRuleError(NO_RULE, code="no_rule", params={"what": what})
        first = ytd.admissions == 0
        line = ip.deductible_first_fen if first else ip.deductible_later_fen
        text = explain.inpatient_deductible(ytd.admissions + 1, level, line)
        return _with_ratio(rules, claim, "inpatient", line, line, ip.ratio, ip.annual_cap_fen, text)
    if claim.care_type == CareType.OUTPATIENT:
        op = rules.outpatient.get(key)
        if op is None:
            raise BusinessRuleError(NO_RULE, code="no_rule", params={"what": what})
        return _annual(rules, claim, ytd, "outpatient", op.deductible_fen, op.ratio, op.annual_limit_fen,
                       f"{level}普通门诊")
    if claim.care_type == CareType.CHRONIC:
        disease = rules.disease(claim.scheme, claim.diagnosis)
        if disease is None:
            raise BusinessRuleError(NOT_ON_LIST, code="not_on_list", field="diagnosis",
                                    params={"code": claim.diagnosis})
        kind = "门特" if disease.kind == "special" else "门慢"
        return _annual(rules, claim, ytd, f"chronic:{disease.code}", disease.deductible_fen, disease.ratio,
                       disease.annual_limit_fen, f"{kind}「{disease.name}」")
    return _maternity(rules, claim, what)


def _maternity(rules: BenefitRules, claim: Claim, what: str) -> Plan:
    """Maternity medical costs: employee scheme only (residents' births settle as inpatient care)."""
    mm = rules.maternity_medical
    if claim.scheme != "employee":
        raise BusinessRuleError(RESIDENT_MATERNITY, code="resident_maternity", field="care_type")
    if mm is None:
        raise BusinessRuleError(NO_RULE, code="no_rule", params={"what": what})
    if mm.ratio is not None:
        text = explain.annual_deductible("生育医疗费用", 0, 0)
        return _with_ratio(rules, claim, "maternity", 0, 0, mm.ratio, None, text)
    limit = mm.lump_sums_fen.get(claim.maternity_kind)
    if limit is None:
        raise BusinessRuleError(UNKNOWN_VALUE, code="bad_value", field="maternity_kind",
                                params={"field": "maternity_kind", "value": claim.maternity_kind})
    label = MATERNITY_KINDS[claim.maternity_kind]
    text = explain.lump_sum(label, limit)
    return _with_ratio(rules, claim, f"maternity:{claim.maternity_kind}", 0, 0, Decimal(1), limit, text)


def _annual(rules: BenefitRules, claim: Claim, ytd: Accumulators, scope: str, line: int, ratio: Decimal,
            cap: int | None, label: str) -> Plan:
    """A deductible met once a year: only what is still unmet is due now."""
    paid = ytd.deductible_paid(scope)
    text = explain.annual_deductible(label, line, paid)
    return _with_ratio(rules, claim, scope, line, max(0, line - paid), ratio, cap, text)


def _with_ratio(rules: BenefitRules, claim: Claim, scope: str, line: int, due: int, ratio: Decimal,
                cap: int | None, text: str) -> Plan:
    reduced = ratio
    if claim.out_of_city:
        cut = (rules.out_of_city_registered_reduction if claim.referral_registered
               else rules.out_of_city_unregistered_reduction)
        reduced = max(Decimal(0), ratio - cut)
    return Plan(scope=scope, deductible_line_fen=line, deductible_due_fen=due, base_ratio=ratio,
                ratio=reduced, cap_fen=cap, deductible_text=text)


def _accumulate(ytd: Accumulators, claim: Claim, scope: str, deductible: int, fund: int) -> Accumulators:
    deductibles = dict(ytd.deductible_paid_fen)
    deductibles[scope] = deductibles.get(scope, 0) + deductible
    funds = dict(ytd.fund_paid_fen)
    funds[scope] = funds.get(scope, 0) + fund
    return Accumulators(
        admissions=ytd.admissions + (1 if claim.care_type == CareType.INPATIENT else 0),
        deductible_paid_fen=MappingProxyType(deductibles), fund_paid_fen=MappingProxyType(funds),
    )

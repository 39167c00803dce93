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
The rules are the typed policy's benefits (`Policy.benefits`); every result is built by
field name.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from types import MappingProxyType

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from pooling.benefits.types import (
    LEVEL_NAMES,
    SCHEMES,
    Accumulators,
    Basis,
    CareType,
    CatalogueEntry,
    Claim,
    PersonContext,
    Plan,
    SettledLine,
    Settlement,
)
from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import apply_rate, round_fen
from pooling.policy.benefit_rules import MATERNITY_KINDS, BenefitRules
from pooling.policy.labels import DISEASE_KINDS

NO_RULE = _("政策未规定该待遇：%(what)s")
UNKNOWN_VALUE = _("%(field)s 取值不正确：%(value)s")
NOT_ON_LIST = _("诊断 %(code)s 不在门诊慢特病病种目录内")
NEGATIVE = _("第%(row)d行：数量和单价不能为负数")
NO_LINES = _("费用明细不能为空")
OUTPATIENT_AT = _("%(level)s普通门诊")
DISEASE_AT = _("%(kind)s「%(name)s」")
# A plan's label is put together now but read later, once per language (the explanation is
# written in Chinese and English): formatted when read, so each reads in its own language.
_label = lazy(lambda message, params: str(message) % params, str)
MATERNITY_MEDICAL = _("生育医疗费用")
RESIDENT_MATERNITY = _("居民医保的分娩住院费用按住院待遇结算，请选择“住院”")

Lookup = Mapping[str, CatalogueEntry] | Callable[[str], CatalogueEntry | None]
_CATEGORIES = frozenset(PersonCategory)
_LEVELS = frozenset(HospitalLevel)


def settle(
    *, rules: BenefitRules, catalogue: Lookup, person: PersonContext, claim: Claim
) -> Settlement:
    """Settle one claim: itemised split, fund / account / patient, new YTD; reasons on demand."""
    if not claim.lines:
        raise BusinessRuleError(NO_LINES, code="no_lines", field="lines")
    get = catalogue.get if type(catalogue) is dict or isinstance(catalogue, Mapping) else catalogue
    default_b = rules.class_b_self_pay_rate
    lines: list[SettledLine] = []
    add = lines.append
    blank = object.__new__
    total = excluded = class_b = 0
    # The hot loop (ten lines a claim, tens of thousands of claims a second): kept inline.
    for line in claim.lines:
        q, price = line.quantity, line.unit_price_fen
        if q < 0 or price < 0:
            raise BusinessRuleError(
                NEGATIVE,
                code="negative_line",
                field="lines",
                params={"row": claim.lines.index(line) + 1},
            )
        amount = q * price if q.__class__ is int else round_fen(q * price)
        total += amount
        entry = line.entry if line.classified else get(line.code)
        cls = "C" if entry is None else entry.cls
        rate, self_pay = None, 0
        if cls == "B":
            rate = entry.self_pay_rate  # type: ignore[union-attr]
            if rate is None:
                rate = default_b
            self_pay = apply_rate(amount, rate)
            class_b += self_pay
        elif cls != "A":
            excluded += amount
        # Filled field by field: calling the dataclass's __init__ ten times a claim would cost
        # a fifth of the calculator's time (tests/pooling/benefits/test_calculator_examples.py
        # checks every field is set, equal to what the constructor builds).
        settled = blank(SettledLine)
        settled.line = line
        settled.entry = entry
        settled.cls = cls
        settled.amount_fen = amount
        settled.class_b_self_pay_fen = self_pay
        settled.self_pay_rate = rate
        add(settled)
    in_scope = total - excluded - class_b

    plan = _plan(rules, person, claim)
    deductible = min(in_scope, plan.deductible_due_fen)
    base = in_scope - deductible
    fund_uncapped = apply_rate(base, plan.ratio)
    paid_before = person.ytd.fund_paid(plan.scope)
    remaining_cap = None if plan.cap_fen is None else max(0, plan.cap_fen - paid_before)
    fund = fund_uncapped if remaining_cap is None else min(fund_uncapped, remaining_cap)

    own = total - fund
    account = 0
    if claim.use_personal_account and claim.scheme == Scheme.EMPLOYEE:
        payable = own if rules.account_covers_excluded else own - excluded
        account = max(0, min(person.account_balance_fen, payable))
    basis = Basis(
        claim=claim,
        plan=plan,
        base_fen=base,
        fund_uncapped_fen=fund_uncapped,
        paid_before_fen=paid_before,
        remaining_cap_fen=remaining_cap,
        balance_fen=person.account_balance_fen,
        default_b_rate=default_b,
        account_covers_excluded=rules.account_covers_excluded,
    )
    return Settlement(
        lines=tuple(lines),
        total_fen=total,
        excluded_fen=excluded,
        class_b_self_pay_fen=class_b,
        in_scope_fen=in_scope,
        deductible_fen=deductible,
        fund_fen=fund,
        copay_fen=base - fund_uncapped,
        over_cap_fen=fund_uncapped - fund,
        account_fen=account,
        patient_fen=own - account,
        ratio=plan.ratio,
        ytd_after=_accumulate(person.ytd, claim, plan.scope, deductible, fund),
        basis=basis,
    )


def _check(field: str, value: str, allowed: Collection[str]) -> None:
    if value not in allowed:
        raise BusinessRuleError(
            UNKNOWN_VALUE, code="bad_value", field=field, params={"field": field, "value": value}
        )


def _no_rule(claim: Claim, person: PersonContext) -> BusinessRuleError:
    what = (
        f"{Scheme(claim.scheme).label} {PersonCategory(person.category).label} "
        f"{LEVEL_NAMES[claim.hospital_level]} {CareType.LABELS[claim.care_type]}"
    )
    return BusinessRuleError(NO_RULE, code="no_rule", params={"what": what})


def _plan(rules: BenefitRules, person: PersonContext, claim: Claim) -> Plan:
    if not (
        claim.scheme in SCHEMES
        and person.category in _CATEGORIES
        and claim.hospital_level in _LEVELS
        and claim.care_type in CareType.LABELS
    ):
        _check("scheme", claim.scheme, SCHEMES)  # says which one
        _check("category", person.category, _CATEGORIES)
        _check("hospital_level", claim.hospital_level, _LEVELS)
        _check("care_type", claim.care_type, CareType.ALL)
    care = claim.care_type
    if care == CareType.INPATIENT:
        ip = rules.inpatient.get((claim.scheme, person.category, claim.hospital_level))
        if ip is None:
            raise _no_rule(claim, person)
        admissions = person.ytd.admissions
        line = ip.deductible_first_fen if admissions == 0 else ip.deductible_later_fen
        return _with_ratio(
            rules,
            claim,
            Plan(
                scope="inpatient",
                deductible_kind="inpatient",
                label=LEVEL_NAMES[claim.hospital_level],
                deductible_line_fen=line,
                deductible_before_fen=admissions,
                deductible_due_fen=line,
                base_ratio=ip.ratio,
                ratio=ip.ratio,
                cap_fen=ip.annual_cap_fen,
            ),
        )
    if care == CareType.OUTPATIENT:
        op = rules.outpatient.get((claim.scheme, person.category, claim.hospital_level))
        if op is None:
            raise _no_rule(claim, person)
        label = _label(OUTPATIENT_AT, {"level": LEVEL_NAMES[claim.hospital_level]})
        return _annual(
            rules,
            claim,
            person.ytd,
            "outpatient",
            op.deductible_fen,
            op.ratio,
            op.annual_limit_fen,
            label,
        )
    if care == CareType.CHRONIC:
        disease = rules.disease(claim.diagnosis)
        if disease is None:
            raise BusinessRuleError(
                NOT_ON_LIST, code="not_on_list", field="diagnosis", params={"code": claim.diagnosis}
            )
        kind = DISEASE_KINDS.get(disease.kind, disease.kind)
        return _annual(
            rules,
            claim,
            person.ytd,
            f"chronic:{disease.code}",
            disease.deductible_fen,
            disease.ratio,
            disease.annual_limit_fen,
            _label(DISEASE_AT, {"kind": kind, "name": disease.name}),
        )
    return _maternity(rules, claim)


def _maternity(rules: BenefitRules, claim: Claim) -> Plan:
    """Maternity medical costs: employee scheme only (residents' births settle as inpatient care)."""
    mm = rules.maternity_medical
    if claim.scheme != Scheme.EMPLOYEE:
        raise BusinessRuleError(RESIDENT_MATERNITY, code="resident_maternity", field="care_type")
    if mm.ratio is not None:
        return _with_ratio(
            rules,
            claim,
            Plan(
                scope="maternity",
                deductible_kind="none",
                label=MATERNITY_MEDICAL,
                deductible_line_fen=0,
                deductible_before_fen=0,
                deductible_due_fen=0,
                base_ratio=mm.ratio,
                ratio=mm.ratio,
                cap_fen=None,
            ),
        )
    limit = mm.lump_sums_fen.get(claim.maternity_kind)
    if limit is None:
        raise BusinessRuleError(
            UNKNOWN_VALUE,
            code="bad_value",
            field="maternity_kind",
            params={"field": "maternity_kind", "value": claim.maternity_kind},
        )
    whole = Decimal(1)
    return _with_ratio(
        rules,
        claim,
        Plan(
            scope=f"maternity:{claim.maternity_kind}",
            deductible_kind="lump",
            label=MATERNITY_KINDS[claim.maternity_kind],
            deductible_line_fen=0,
            deductible_before_fen=0,
            deductible_due_fen=0,
            base_ratio=whole,
            ratio=whole,
            cap_fen=limit,
        ),
    )


def _annual(
    rules: BenefitRules,
    claim: Claim,
    ytd: Accumulators,
    scope: str,
    line: int,
    ratio: Decimal,
    cap: int | None,
    label: str,
) -> Plan:
    """A deductible met once a year: only what is still unmet is due now."""
    paid = ytd.deductible_paid(scope)
    return _with_ratio(
        rules,
        claim,
        Plan(
            scope=scope,
            deductible_kind="annual" if line else "none",
            label=label,
            deductible_line_fen=line,
            deductible_before_fen=paid,
            deductible_due_fen=max(0, line - paid),
            base_ratio=ratio,
            ratio=ratio,
            cap_fen=cap,
        ),
    )


def _with_ratio(rules: BenefitRules, claim: Claim, plan: Plan) -> Plan:
    if claim.out_of_city:
        cut = (
            rules.out_of_city_registered_reduction
            if claim.referral_registered
            else rules.out_of_city_unregistered_reduction
        )
        plan.ratio = max(Decimal(0), plan.base_ratio - cut)
    return plan


def _accumulate(
    ytd: Accumulators, claim: Claim, scope: str, deductible: int, fund: int
) -> Accumulators:
    deductibles = dict(ytd.deductible_paid_fen)
    deductibles[scope] = deductibles.get(scope, 0) + deductible
    funds = dict(ytd.fund_paid_fen)
    funds[scope] = funds.get(scope, 0) + fund
    return Accumulators(
        admissions=ytd.admissions + (1 if claim.care_type == CareType.INPATIENT else 0),
        deductible_paid_fen=MappingProxyType(deductibles),
        fund_paid_fen=MappingProxyType(funds),
    )

"""Properties of the calculator that must hold for every claim (Hypothesis)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from pooling.benefits.calculator import settle
from pooling.benefits.types import SCHEMES, CareType, Claim, ClaimLine, PersonContext, Settlement
from pooling.kernel.choices import SCHEME_CATEGORIES, HospitalLevel
from pooling.policy.benefit_rules import BenefitRules, InpatientRule, Key, OutpatientRule
from tests.pooling.benefits.calculator_support import CATALOGUE, UNKNOWN, claim, demo_rules, ytd

RULES = demo_rules()
CODES = [*CATALOGUE, UNKNOWN]
DISEASES = list(RULES.diseases)
LEVELS = list(HospitalLevel)
SETTINGS = settings(max_examples=150, deadline=None)
RatioRule = TypeVar("RatioRule", InpatientRule, OutpatientRule)

lines_st = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.one_of(st.integers(0, 50), st.decimals("0", "20", places=2)),
        st.integers(0, 2_000_000),
    ),
    min_size=1,
    max_size=10,
)


@st.composite
def cases(
    draw: st.DrawFn, lines: st.SearchStrategy = lines_st, care_types: Sequence[str] = CareType.ALL
) -> tuple[PersonContext, Claim, str]:
    scheme = draw(st.sampled_from(SCHEMES))
    care = draw(
        st.sampled_from([c for c in care_types if scheme == "employee" or c != CareType.MATERNITY])
    )
    scope = {CareType.INPATIENT: "inpatient", CareType.OUTPATIENT: "outpatient"}.get(care)
    diagnosis = draw(st.sampled_from(DISEASES)) if care == CareType.CHRONIC else ""
    kind = draw(st.sampled_from(["vaginal_delivery", "caesarean", "prenatal_checks"]))
    scope = scope or (f"chronic:{diagnosis}" if diagnosis else f"maternity:{kind}")
    person = PersonContext(
        draw(st.sampled_from(SCHEME_CATEGORIES[scheme])),
        ytd(
            admissions=draw(st.integers(0, 3)),
            deductible={scope: draw(st.integers(0, 200_000))},
            fund={scope: draw(st.integers(0, 50_000_000))},
        ),
        account_balance_fen=draw(st.integers(0, 1_000_000)),
    )
    c = claim(
        scheme,
        draw(st.sampled_from(LEVELS)),
        care,
        *draw(lines),
        diagnosis=diagnosis,
        maternity_kind=kind,
        out_of_city=draw(st.booleans()),
        referral_registered=draw(st.booleans()),
        use_personal_account=draw(st.booleans()),
    )
    return person, c, scope


def run(person: PersonContext, c: Claim, rules: BenefitRules = RULES) -> Settlement:
    return settle(rules=rules, catalogue=CATALOGUE, person=person, claim=c)


@SETTINGS
@given(cases())
def test_it_always_balances_to_the_fen(case):
    person, c, scope = case
    s = run(person, c)
    assert s.fund_fen + s.account_fen + s.patient_fen == s.total_fen
    assert s.excluded_fen + s.class_b_self_pay_fen + s.in_scope_fen == s.total_fen
    assert s.deductible_fen + s.fund_fen + s.copay_fen + s.over_cap_fen == s.in_scope_fen
    assert (
        min(s.fund_fen, s.account_fen, s.patient_fen, s.copay_fen, s.over_cap_fen, s.deductible_fen)
        >= 0
    )
    assert s.account_fen <= person.account_balance_fen
    assert sum(x.amount_fen for x in s.lines) == s.total_fen


@SETTINGS
@given(cases())
def test_it_never_pays_beyond_the_remaining_cap_nor_an_excluded_item(case):
    person, c, scope = case
    s = run(person, c)
    cap = {
        "inpatient": RULES.inpatient.get((c.scheme, person.category, c.hospital_level)),
        "outpatient": RULES.outpatient.get((c.scheme, person.category, c.hospital_level)),
    }
    rule = cap.get(scope)
    limit = getattr(rule, "annual_cap_fen", None) or getattr(rule, "annual_limit_fen", None)
    if limit is not None:
        assert s.fund_fen <= max(0, limit - person.ytd.fund_paid(scope))
    assert s.fund_fen <= sum(x.in_scope_fen for x in s.lines)
    # An excluded line added to the claim changes nothing the fund pays.
    more = dataclasses.replace(c, lines=(*c.lines, ClaimLine(UNKNOWN, 3, 77_777)))
    assert run(person, more).fund_fen == s.fund_fen


def _raised(table: Mapping[Key, RatioRule], key: Key, points: int) -> dict[Key, RatioRule]:
    """The table with one cell's ratio raised by `points` percentage points (at most 100 %)."""
    rules = dict(table)
    rules[key] = dataclasses.replace(
        rules[key], ratio=min(Decimal(1), rules[key].ratio + Decimal(points) / 100)
    )
    return rules


@SETTINGS
@given(cases(care_types=(CareType.INPATIENT, CareType.OUTPATIENT)), st.integers(1, 40))
def test_it_never_lowers_the_fund_payment_when_a_ratio_rises(case, points):
    person, c, scope = case
    key = (c.scheme, person.category, c.hospital_level)
    if scope == "inpatient":
        richer = dataclasses.replace(RULES, inpatient=_raised(RULES.inpatient, key, points))
    else:
        richer = dataclasses.replace(RULES, outpatient=_raised(RULES.outpatient, key, points))
    assert run(person, c, richer).fund_fen >= run(person, c).fund_fen


@SETTINGS
@given(cases(), st.integers(0, 9), st.integers(1, 500_000))
def test_it_never_lowers_the_patient_share_for_a_larger_bill(case, index, extra):
    person, c, _ = case
    i = index % len(c.lines)
    line = c.lines[i]
    bigger = dataclasses.replace(line, unit_price_fen=line.unit_price_fen + extra)
    larger = dataclasses.replace(c, lines=(*c.lines[:i], bigger, *c.lines[i + 1 :]))
    before, after = run(person, c), run(person, larger)
    assert after.total_fen >= before.total_fen
    assert after.self_burden_fen >= before.self_burden_fen
    assert after.patient_fen >= before.patient_fen
    added = run(person, dataclasses.replace(c, lines=(*c.lines, line)))
    assert added.self_burden_fen >= before.self_burden_fen


# Lines in whole tens of yuan: every class-B share and ratio is then an exact number of
# fen, so no rounding separates "one claim" from "two claims" and totals must agree exactly.
round_lines = st.lists(
    st.tuples(
        st.sampled_from(CODES), st.integers(0, 20), st.integers(0, 2_000).map(lambda y: y * 1000)
    ),
    min_size=2,
    max_size=10,
)
SPLIT = (CareType.OUTPATIENT, CareType.CHRONIC, CareType.MATERNITY)


def _split_totals(person: PersonContext, c: Claim, cut: int) -> tuple[Settlement, Settlement]:
    first = run(person, dataclasses.replace(c, lines=c.lines[:cut]))
    carried = dataclasses.replace(
        person,
        ytd=first.ytd_after,
        account_balance_fen=person.account_balance_fen - first.account_fen,
    )
    second = run(carried, dataclasses.replace(c, lines=c.lines[cut:]))
    return first, second


@SETTINGS
@given(cases(lines=round_lines, care_types=SPLIT), st.integers(1, 9))
def test_it_gives_the_same_totals_when_a_claim_is_split_with_accumulators_carried(case, cut):
    """Annual deductibles and limits (outpatient pooling, 门慢/门特, maternity) carry over.

    Inpatient care is not split: each admission meets its own deductible by rule.
    """
    person, c, _ = case
    cut = 1 + cut % (len(c.lines) - 1)
    whole = run(person, c)
    first, second = _split_totals(person, c, cut)
    for attr in (
        "total_fen",
        "excluded_fen",
        "class_b_self_pay_fen",
        "deductible_fen",
        "fund_fen",
        "copay_fen",
        "over_cap_fen",
        "account_fen",
        "patient_fen",
    ):
        assert getattr(first, attr) + getattr(second, attr) == getattr(whole, attr), attr
    assert second.ytd_after == whole.ytd_after


@SETTINGS
@given(cases(care_types=SPLIT), st.integers(1, 9))
def test_it_differs_by_at_most_one_fen_when_amounts_round(case, cut):
    """With arbitrary amounts the fund's share is rounded once per claim, so two claims
    may differ from one by the rounding of one fen — never more."""
    person, c, _ = case
    if len(c.lines) < 2:
        return
    cut = 1 + cut % (len(c.lines) - 1)
    whole = run(person, c)
    first, second = _split_totals(person, c, cut)
    assert abs(first.fund_fen + second.fund_fen - whole.fund_fen) <= 1
    assert first.total_fen + second.total_fen == whole.total_fen

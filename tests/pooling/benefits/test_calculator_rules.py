"""Parsing the policy's benefits section into rules, and the shapes the schema allows."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from pooling.benefits.calculator import settle
from pooling.benefits.rules import NO_BENEFITS, rules_for, rules_from_benefits
from pooling.benefits.types import PersonContext
from pooling.kernel.errors import BusinessRuleError
from pooling.policy.document import policy_from_document
from tests.pooling.benefits.calculator_support import CATALOGUE, DEMO, DRUG_A, claim

DOC = json.loads(DEMO.read_text("utf-8"))


def test_it_reads_the_demo_benefits_into_fen_and_fractions():
    rules = rules_from_benefits(DOC["benefits"])
    row = rules.inpatient[("employee", "in_service", "level3")]
    assert (row.deductible_first_fen, row.deductible_later_fen, row.ratio, row.annual_cap_fen) == (
        120_000, 60_000, Decimal("0.85"), 45_000_000)
    assert rules.class_b_self_pay_rate == Decimal("0.1")
    assert rules.disease("resident", "M07800").kind == "special"
    assert rules.maternity_medical.lump_sums_fen["caesarean"] == 350_000
    assert rules.leave.province_extra == 60


def test_it_takes_annual_caps_from_a_separate_list_when_rows_have_none():
    benefits = copy.deepcopy(DOC["benefits"])
    for row in benefits["inpatient"]:
        row.pop("annual_cap")
    benefits["annual_caps"] = [{"scheme": "employee", "category": "in_service", "annual_cap": "1000.00"}]
    rules = rules_from_benefits(benefits)
    assert rules.inpatient[("employee", "in_service", "level1")].annual_cap_fen == 100_000
    assert rules.inpatient[("resident", "minor_student", "level1")].annual_cap_fen is None


def test_it_pays_maternity_by_ratio_when_the_policy_says_so():
    benefits = copy.deepcopy(DOC["benefits"])
    benefits["maternity"]["medical"] = {"ratio_pct": "90"}
    rules = rules_from_benefits(benefits)
    # 甲类 3000.00 × 90% = 2700.00；无起付、无限额；个人 300.00
    s = settle(rules=rules, catalogue=CATALOGUE, person=PersonContext("in_service"),
               claim=claim("employee", "level2", "maternity", (DRUG_A, 1, 300_000)))
    assert (s.fund_fen, s.patient_fen, s.deductible_fen, s.over_cap_fen) == (270_000, 30_000, 0, 0)
    assert "生育医疗费用不设起付标准" in s.explanation


def test_it_refuses_a_policy_without_benefits():
    with pytest.raises(BusinessRuleError) as exc:
        rules_from_benefits({}, code="X")
    assert exc.value.message is NO_BENEFITS


def test_it_parses_a_policy_version_once():
    policy = policy_from_document(DOC)
    assert rules_for(policy) is rules_for(policy)

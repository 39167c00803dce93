"""The one policy parser: a document becomes one typed, immutable Policy that every reader uses."""

from __future__ import annotations

import copy
import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest

from pooling.benefits.calculator import settle
from pooling.benefits.types import PersonContext
from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme
from pooling.policy import document
from pooling.policy.document import Policy, policy_from_document, policy_in_force
from tests.pooling.benefits.calculator_support import CATALOGUE, DEMO, DRUG_A, claim

DOC = json.loads(DEMO.read_text("utf-8"))


def test_it_reads_every_section_into_fen_fractions_and_enums():
    policy = policy_from_document(DOC)
    assert (policy.code, policy.demo, str(policy.effective_from)) == ("YC-2026", True, "2026-01-01")
    emp = policy.employee
    assert (emp.average_monthly_wage_fen, emp.base_floor_rate, emp.base_ceiling_rate) == (
        750_000,
        Decimal("0.6"),
        Decimal(3),
    )
    assert (emp.base_floor_fen, emp.base_ceiling_fen, emp.retiree_monthly_fen(75)) == (
        450_000,
        2_250_000,
        11_000,
    )
    assert policy.resident.individual_contribution_fen("minor_student") == 40_000
    assert policy.resident.waiting.base_months == 3
    ben = policy.benefits
    row = ben.inpatient[(Scheme.EMPLOYEE, PersonCategory.IN_SERVICE, HospitalLevel.LEVEL3)]
    assert (row.deductible_first_fen, row.deductible_later_fen, row.ratio, row.annual_cap_fen) == (
        120_000,
        60_000,
        Decimal("0.85"),
        45_000_000,
    )
    # Plain codes find the row too (a JSON row carries strings): outside the key's type on purpose.
    assert ben.inpatient[("employee", "in_service", "level3")] is row  # type: ignore[index]
    assert ben.class_b_self_pay_rate == Decimal("0.1")
    disease = ben.disease("M07800")
    assert disease is not None and disease.kind == "special"
    assert ben.maternity_medical.lump_sums_fen["caesarean"] == 350_000
    assert ben.leave.province_extra == 60


def test_the_policy_cannot_be_changed():
    policy = policy_from_document(DOC)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.benefits.class_b_self_pay_rate = Decimal(0)  # type: ignore[misc]  # what is refused
    with pytest.raises(TypeError):
        policy.benefits.inpatient[("employee", "in_service", "level3")] = None  # type: ignore[index]  # refused
    with pytest.raises(TypeError):
        policy.resident.individual_fen["minor_student"] = 0  # type: ignore[index]  # what is refused


def test_it_pays_maternity_by_ratio_when_the_policy_says_so():
    doc = copy.deepcopy(DOC)
    doc["benefits"]["maternity"]["medical"] = {"ratio_pct": "90"}
    rules = policy_from_document(doc).benefits
    # 甲类 3000.00 × 90% = 2700.00；无起付、无限额；个人 300.00
    s = settle(
        rules=rules,
        catalogue=CATALOGUE,
        person=PersonContext(PersonCategory.IN_SERVICE),
        claim=claim("employee", "level2", "maternity", (DRUG_A, 1, 300_000)),
    )
    assert (s.fund_fen, s.patient_fen, s.deductible_fen, s.over_cap_fen) == (270_000, 30_000, 0, 0)
    assert "生育医疗费用不设起付标准" in s.explanation


def test_a_published_version_is_parsed_once(demo_policy, monkeypatch):
    calls = []
    real = document.policy_from_document

    def counted(doc: dict[str, Any]) -> Policy:
        calls.append(doc)
        return real(doc)

    monkeypatch.setattr(document, "policy_from_document", counted)
    document._cache.clear()
    first = policy_in_force(on=DOC_DATE)
    assert policy_in_force(on=DOC_DATE) is first and len(calls) == 1
    assert first == demo_policy  # the same value the fixture parsed from the file


DOC_DATE = policy_from_document(DOC).effective_from


def test_the_second_tier_sections_are_read_by_the_same_parser():
    doc = copy.deepcopy(DOC)
    doc["benefits"].pop("critical_illness")
    doc["benefits"].pop("large_expense")
    ben = policy_from_document(doc).benefits
    assert (ben.critical_illness, ben.large_expense) == (
        None,
        None,
    )  # absent: that tier pays nothing
    doc["benefits"]["critical_illness"] = {
        "deductible": "15000.00",
        "annual_cap": "400000.00",
        "bands": [{"above": "0", "ratio_pct": "60"}, {"above": "100000.00", "ratio_pct": "70"}],
    }
    doc["benefits"]["large_expense"] = {"ratio_pct": "90"}
    ben = policy_from_document(doc).benefits
    assert ben.critical_illness is not None and ben.large_expense is not None
    assert (ben.critical_illness.deductible_fen, ben.critical_illness.annual_cap_fen) == (
        1_500_000,
        40_000_000,
    )
    assert [(b.above_fen, b.ratio) for b in ben.critical_illness.bands] == [
        (0, Decimal("0.6")),
        (10_000_000, Decimal("0.7")),
    ]
    assert not ben.critical_illness.include_class_b_self_pay
    assert (ben.large_expense.ratio, ben.large_expense.annual_cap_fen) == (Decimal("0.9"), None)

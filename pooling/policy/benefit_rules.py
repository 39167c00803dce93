"""The benefits section of a policy (待遇标准), typed and immutable: what the calculator,
the policy pages, version comparison and the 待遇不降 check read.

Money is integer fen, ratios Decimal fractions, schemes, person categories and hospital
levels the kernel's enums. Each part reads its own piece of the document in
`from_document` (the document has passed validation: every field the schema requires is
there, so nothing here invents a default). A new part of the standards — e.g. 大病保险
(deductible, ratio bands, cap) or 职工大额补充 (above the basic cap, ratio, cap) — is a
dataclass with its `from_document` here, a field on `BenefitRules`, and its schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme
from pooling.kernel.money import yuan_to_fen
from pooling.policy.funding import rate

Key = tuple[Scheme, PersonCategory, HospitalLevel]

MATERNITY_KINDS = {
    "vaginal_delivery": _("顺产"),
    "caesarean": _("剖宫产"),
    "prenatal_checks": _("产前检查"),
}


def _grid_cell(row: dict[str, Any]) -> dict[str, Any]:
    """Which cell of the scheme × category × level grid a row fills."""
    return {
        "scheme": Scheme(row["scheme"]),
        "category": PersonCategory(row["category"]),
        "hospital_level": HospitalLevel(row["hospital_level"]),
    }


@dataclass(frozen=True, slots=True)
class InpatientRule:
    """住院: per admission deductible (first and later admissions of the year), ratio, annual cap."""

    scheme: Scheme
    category: PersonCategory
    hospital_level: HospitalLevel
    deductible_first_fen: int
    deductible_later_fen: int
    ratio: Decimal
    annual_cap_fen: int

    @classmethod
    def from_document(cls, row: dict[str, Any]) -> InpatientRule:
        return cls(
            **_grid_cell(row),
            deductible_first_fen=yuan_to_fen(row["deductible_first"]),
            deductible_later_fen=yuan_to_fen(row["deductible_later"]),
            ratio=rate(row["ratio_pct"]),
            annual_cap_fen=yuan_to_fen(row["annual_cap"]),
        )


@dataclass(frozen=True, slots=True)
class OutpatientRule:
    """普通门诊统筹: an annual deductible (起付标准按年度累计), ratio, annual limit."""

    scheme: Scheme
    category: PersonCategory
    hospital_level: HospitalLevel
    deductible_fen: int
    ratio: Decimal
    annual_limit_fen: int

    @classmethod
    def from_document(cls, row: dict[str, Any]) -> OutpatientRule:
        return cls(
            **_grid_cell(row),
            deductible_fen=yuan_to_fen(row["deductible"]),
            ratio=rate(row["ratio_pct"]),
            annual_limit_fen=yuan_to_fen(row["annual_limit"]),
        )


@dataclass(frozen=True, slots=True)
class DiseaseRule:
    """门慢 (chronic) / 门特 (special) disease on the list, for every scheme."""

    code: str
    name: str
    kind: str  # chronic (门慢) / special (门特)
    ratio: Decimal
    annual_limit_fen: int
    deductible_fen: int = 0  # annual, per disease: the schema has none yet, so lists carry none

    @classmethod
    def from_document(cls, d: dict[str, Any]) -> DiseaseRule:
        return cls(
            code=d["code"],
            name=d["name"],
            kind=d["kind"],
            ratio=rate(d["ratio_pct"]),
            annual_limit_fen=yuan_to_fen(d["annual_limit"]),
        )


@dataclass(frozen=True, slots=True)
class MaternityMedicalRule:
    """Either 定额 (a limit per kind: the fund pays the actual in-scope cost up to it)
    or 按比例 (a ratio of the in-scope cost, no deductible, no limit)."""

    ratio: Decimal | None
    lump_sums_fen: Mapping[str, int]

    @classmethod
    def from_document(cls, medical: dict[str, Any]) -> MaternityMedicalRule:
        return cls(
            ratio=rate(medical["ratio_pct"]) if "ratio_pct" in medical else None,
            lump_sums_fen=MappingProxyType(
                {k: yuan_to_fen(v) for k, v in medical.items() if k in MATERNITY_KINDS}
            ),
        )


@dataclass(frozen=True, slots=True)
class LeaveRules:
    """Maternity leave days (国务院令619号 as the policy configures it)."""

    base: int
    difficult_birth_extra: int
    per_extra_baby: int
    miscarriage_before_4_months: int
    miscarriage_after_4_months: int
    province_extra: int

    @classmethod
    def from_document(cls, days: dict[str, Any]) -> LeaveRules:
        return cls(**{f.name: int(days[f.name]) for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class Band:
    above_fen: int  # the band starts this far above the deductible
    ratio: Decimal


@dataclass(frozen=True, slots=True)
class CriticalIllnessRule:
    """大病保险 (residents): the year's in-scope self-paid cost above a deductible, paid in
    ratio bands up to an annual cap (see `pooling.benefits.second_tier`)."""

    deductible_fen: int
    bands: tuple[Band, ...]  # ascending by above_fen; the first starts at 0
    annual_cap_fen: int | None
    include_class_b_self_pay: bool = False

    @classmethod
    def from_document(cls, c: dict[str, Any]) -> CriticalIllnessRule:
        return cls(
            deductible_fen=yuan_to_fen(c["deductible"]),
            bands=tuple(
                Band(above_fen=yuan_to_fen(b["above"]), ratio=rate(b["ratio_pct"]))
                for b in c["bands"]
            ),
            annual_cap_fen=yuan_to_fen(c["annual_cap"]) if c.get("annual_cap") else None,
            include_class_b_self_pay=bool(c.get("include_class_b_self_pay", False)),
        )


@dataclass(frozen=True, slots=True)
class LargeExpenseRule:
    """职工大额补充: the in-scope cost above the basic fund's annual (inpatient) cap, paid at a
    ratio up to its own cap (pooling.benefits.second_tier.cost_above_cap)."""

    ratio: Decimal
    annual_cap_fen: int | None

    @classmethod
    def from_document(cls, x: dict[str, Any]) -> LargeExpenseRule:
        return cls(
            ratio=rate(x["ratio_pct"]),
            annual_cap_fen=yuan_to_fen(x["annual_cap"]) if x.get("annual_cap") else None,
        )


@dataclass(frozen=True, slots=True)
class BenefitRules:
    class_b_self_pay_rate: Decimal
    inpatient: Mapping[Key, InpatientRule]
    outpatient: Mapping[Key, OutpatientRule]
    diseases: Mapping[str, DiseaseRule]  # by code
    maternity_medical: MaternityMedicalRule
    leave: LeaveRules
    out_of_city_registered_reduction: Decimal  # ratio points taken off, as a fraction
    out_of_city_unregistered_reduction: Decimal
    # The personal account may pay excluded (丙类) items too. The schema has no such switch
    # yet: from a document it is always False.
    account_covers_excluded: bool = False
    # The second tier (pooling.benefits.second_tier): None where the policy has none (both
    # sections are optional in the schema).
    critical_illness: CriticalIllnessRule | None = None
    large_expense: LargeExpenseRule | None = None

    @classmethod
    def from_document(cls, b: dict[str, Any]) -> BenefitRules:
        inpatient = [InpatientRule.from_document(r) for r in b["inpatient"]]
        outpatient = [OutpatientRule.from_document(r) for r in b["outpatient_pooling"]]
        diseases = [DiseaseRule.from_document(d) for d in b["chronic_special"]["diseases"]]
        out_of_city = b["out_of_city"]
        return cls(
            class_b_self_pay_rate=rate(b["class_b_self_pay_pct"]),
            inpatient=MappingProxyType(
                {(r.scheme, r.category, r.hospital_level): r for r in inpatient}
            ),
            outpatient=MappingProxyType(
                {(r.scheme, r.category, r.hospital_level): r for r in outpatient}
            ),
            diseases=MappingProxyType({d.code: d for d in diseases}),
            maternity_medical=MaternityMedicalRule.from_document(b["maternity"]["medical"]),
            leave=LeaveRules.from_document(b["maternity"]["leave_days"]),
            out_of_city_registered_reduction=rate(out_of_city["registered_ratio_reduction_pct"]),
            out_of_city_unregistered_reduction=rate(
                out_of_city["unregistered_ratio_reduction_pct"]
            ),
            critical_illness=CriticalIllnessRule.from_document(b["critical_illness"])
            if b.get("critical_illness")
            else None,
            large_expense=LargeExpenseRule.from_document(b["large_expense"])
            if b.get("large_expense")
            else None,
        )

    def disease(self, code: str) -> DiseaseRule | None:
        return self.diseases.get(code)

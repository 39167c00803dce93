"""Benefit rules parsed once per policy version from the policy's `benefits` section.

The document holds yuan and percents as strings (see pooling/policy/documents/*.json); here
they become integer fen and Decimal fractions, keyed for O(1) lookup by the calculator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import yuan_to_fen
from pooling.policy.document import Policy

NO_BENEFITS = _("政策版本 %(code)s 未设置待遇标准（benefits）")
BAD_BENEFITS = _("政策版本的待遇标准格式不正确：%(detail)s")

Key = tuple[str, str, str]  # (scheme, category, hospital_level)


def _pct(value: Any) -> Decimal:
    return Decimal(str(value)) / 100


def _fen(value: Any) -> int:
    return yuan_to_fen(str(value))


def _opt_fen(value: Any) -> int | None:
    return None if value in (None, "") else _fen(value)


@dataclass(frozen=True, slots=True)
class InpatientRule:
    deductible_first_fen: int
    deductible_later_fen: int
    ratio: Decimal
    annual_cap_fen: int | None


@dataclass(frozen=True, slots=True)
class OutpatientRule:
    deductible_fen: int  # annual (起付标准按年度累计)
    ratio: Decimal
    annual_limit_fen: int | None


@dataclass(frozen=True, slots=True)
class DiseaseRule:
    code: str
    name: str
    kind: str  # chronic (门慢) / special (门特)
    ratio: Decimal
    annual_limit_fen: int | None
    deductible_fen: int = 0  # annual, per disease; most lists have none


MATERNITY_KINDS = {"vaginal_delivery": "顺产", "caesarean": "剖宫产", "prenatal_checks": "产前检查"}


@dataclass(frozen=True, slots=True)
class MaternityMedicalRule:
    """Either 定额 (a limit per kind: the fund pays the actual in-scope cost up to it)
    or 按比例 (a ratio of the in-scope cost, no deductible, no limit)."""

    ratio: Decimal | None
    lump_sums_fen: dict[str, int]


@dataclass(frozen=True, slots=True)
class LeaveRules:
    base: int = 98
    difficult_birth_extra: int = 15
    per_extra_baby: int = 15
    miscarriage_before_4_months: int = 15
    miscarriage_after_4_months: int = 42
    province_extra: int = 0


@dataclass(frozen=True, slots=True)
class BenefitRules:
    class_b_self_pay_rate: Decimal
    inpatient: dict[Key, InpatientRule]
    outpatient: dict[Key, OutpatientRule]
    diseases: dict[tuple[str, str], DiseaseRule]  # (scheme or "*", code)
    maternity_medical: MaternityMedicalRule | None
    leave: LeaveRules
    out_of_city_registered_reduction: Decimal
    out_of_city_unregistered_reduction: Decimal
    account_covers_excluded: bool = False
    policy_code: str = field(default="")

    def disease(self, scheme: str, code: str) -> DiseaseRule | None:
        return self.diseases.get((scheme, code)) or self.diseases.get(("*", code))


def _key(row: dict[str, Any]) -> Key:
    return (row["scheme"], row["category"], row["hospital_level"])


def _caps(benefits: dict[str, Any]) -> dict[tuple[str, str], int]:
    """Annual caps may come per (scheme, category) in a separate list."""
    rows = benefits.get("annual_caps") or benefits.get("inpatient_annual_caps") or []
    return {(r["scheme"], r["category"]): _fen(r["annual_cap"]) for r in rows}


def rules_from_benefits(benefits: dict[str, Any], *, code: str = "") -> BenefitRules:
    """Parse a `benefits` section (already validated against the policy schema)."""
    if not benefits:
        raise BusinessRuleError(NO_BENEFITS, code="no_benefits", params={"code": code})
    try:
        return _parse(benefits, code)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise BusinessRuleError(BAD_BENEFITS, code="bad_benefits", params={"detail": repr(exc)}) from exc


def _parse(b: dict[str, Any], code: str) -> BenefitRules:
    caps = _caps(b)
    inpatient = {
        _key(r): InpatientRule(
            deductible_first_fen=_fen(r["deductible_first"]),
            deductible_later_fen=_fen(r.get("deductible_later", r["deductible_first"])),
            ratio=_pct(r["ratio_pct"]),
            annual_cap_fen=_opt_fen(r.get("annual_cap")) if r.get("annual_cap") is not None
            else caps.get((r["scheme"], r["category"])),
        )
        for r in b.get("inpatient", [])
    }
    outpatient = {
        _key(r): OutpatientRule(
            deductible_fen=_fen(r.get("deductible", "0")), ratio=_pct(r["ratio_pct"]),
            annual_limit_fen=_opt_fen(r.get("annual_limit")),
        )
        for r in b.get("outpatient_pooling", [])
    }
    diseases = {
        (d.get("scheme", "*"), d["code"]): DiseaseRule(
            code=d["code"], name=d["name"], kind=d.get("kind", "chronic"), ratio=_pct(d["ratio_pct"]),
            annual_limit_fen=_opt_fen(d.get("annual_limit")), deductible_fen=_fen(d.get("deductible", "0")),
        )
        for d in (b.get("chronic_special") or {}).get("diseases", [])
    }
    mat = b.get("maternity") or {}
    medical = mat.get("medical")
    maternity_medical = MaternityMedicalRule(
        ratio=_pct(medical["ratio_pct"]) if "ratio_pct" in medical else None,
        lump_sums_fen={k: _fen(v) for k, v in medical.items() if k in MATERNITY_KINDS},
    ) if medical else None
    leave_doc = mat.get("leave_days") or {}
    leave = LeaveRules(**{k: int(v) for k, v in leave_doc.items() if k in LeaveRules.__slots__})
    ooc = b.get("out_of_city") or {}
    return BenefitRules(
        class_b_self_pay_rate=_pct(b.get("class_b_self_pay_pct", "10")),
        inpatient=inpatient, outpatient=outpatient, diseases=diseases,
        maternity_medical=maternity_medical, leave=leave,
        out_of_city_registered_reduction=_pct(ooc.get("registered_ratio_reduction_pct", "0")),
        out_of_city_unregistered_reduction=_pct(ooc.get("unregistered_ratio_reduction_pct", "0")),
        account_covers_excluded=bool(b.get("personal_account_covers_excluded", False)),
        policy_code=code,
    )


_cache: dict[str, tuple[dict[str, Any], BenefitRules]] = {}


def rules_for(policy: Policy) -> BenefitRules:
    """The parsed rules of a policy version; parsed once per version and kept.

    Published versions never change, so the code identifies them; the identity
    check on the source dict guards an unpublished draft reusing a code.
    """
    hit = _cache.get(policy.code)
    if hit is not None and hit[0] is policy.benefits:
        return hit[1]
    rules = rules_from_benefits(policy.benefits, code=policy.code)
    _cache[policy.code] = (policy.benefits, rules)
    return rules

"""A policy as people read it: labelled rows and tables, and what changed between two versions.

Pure functions over the typed `Policy` (never the JSON); the templates only loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from django.utils.translation import gettext as _

from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme
from pooling.kernel.money import fen_to_yuan
from pooling.kernel.numbers import percent_text
from pooling.policy.benefit_rules import MATERNITY_KINDS, InpatientRule, OutpatientRule
from pooling.policy.document import Policy
from pooling.policy.funding import EmployeePolicy, ResidentPolicy

LEVEL_ORDER = [HospitalLevel.LEVEL3, HospitalLevel.LEVEL2, HospitalLevel.LEVEL1, HospitalLevel.COMMUNITY]
SPLIT_ORDER = ("central", "province", "city", "county")


def scheme_label(code: str) -> str:
    return str(Scheme(code).label) if code in Scheme.values else code


def category_label(code: str) -> str:
    return str(PersonCategory(code).label) if code in PersonCategory.values else code


def level_label(code: str) -> str:
    return str(HospitalLevel(code).label) if code in HospitalLevel.values else code


def yuan(fen: int) -> str:
    return str(fen_to_yuan(fen))


def _yuan(fen: int) -> str:
    return f"{yuan(fen)} 元"


def _pct(rate: Decimal) -> str:
    return f"{percent_text(rate)}%"


def employee_rows(emp: EmployeePolicy) -> list[tuple[str, str]]:
    bands = "；".join(_("%(age)s 岁起 %(amount)s 元/月") % {"age": b.min_age, "amount": yuan(b.monthly_fen)}
                     for b in emp.retiree_allocations)
    return [
        (_("上年度职工月平均工资"), _yuan(emp.average_monthly_wage_fen)),
        (_("缴费基数下限 / 上限（占平均工资）"), f"{_pct(emp.base_floor_rate)} / {_pct(emp.base_ceiling_rate)}"),
        (_("单位费率 / 个人费率"), f"{_pct(emp.employer_rate)} / {_pct(emp.employee_rate)}"),
        (_("生育保险"), (_("合并征缴，费率 %(r)s") if emp.maternity_merged else _("单独征缴，费率 %(r)s"))
         % {"r": _pct(emp.maternity_rate)}),
        (_("在职人员个人账户划入（占缴费基数）"), _pct(emp.account_share_of_base)),
        (_("退休人员个人账户划入"), bands),
        (_("退休享受待遇累计缴费年限（男 / 女）"),
         _("%(m)s 年 / %(f)s 年") % {"m": emp.retiree_years_men, "f": emp.retiree_years_women}),
        (_("其中实际缴费年限不少于"), _("%(n)s 年") % {"n": emp.retiree_actual_years_min}),
    ]


def resident_rows(res: ResidentPolicy) -> list[tuple[str, str]]:
    wait = res.waiting
    return [
        (_("筹资年度"), str(res.year)),
        *[(_("个人缴费：%(cat)s") % {"cat": category_label(k)}, _yuan(v)) for k, v in res.individual_fen.items()],
        (_("财政补助（每人每年）"), _yuan(res.subsidy_per_head_fen)),
        (_("补助分担（中央/省/市/县）"), " / ".join(_pct(res.subsidy_split[k]) for k in SPLIT_ORDER)),
        *[(_("特殊群体资助：%(g)s") % {"g": k}, _yuan(v)) for k, v in res.special_group_subsidy_fen.items()],
        (_("等待期"), _("基础 %(b)s 个月；每多中断一年加 %(g)s 个月；每多连续缴费一年减 %(c)s 个月") % {
            "b": wait.base_months, "g": wait.per_gap_year_months, "c": wait.per_continuous_year_reduction_months}),
        (_("免等待期"), (_("新生儿；") if wait.newborn_exempt else "")
         + _("职工医保中断后 %(m)s 个月内转入") % {"m": wait.from_employee_within_months}),
    ]


def grid(rules: Iterable[InpatientRule | OutpatientRule]) -> list[dict[str, Any]]:
    """Inpatient / outpatient rows, labelled and as text, ordered scheme, category, level 三级 → 社区."""
    order = {c: i for i, c in enumerate(PersonCategory)}
    rows = []
    for r in sorted(rules, key=lambda r: (order[r.category], LEVEL_ORDER.index(r.hospital_level))):
        row = {"scheme_label": r.scheme.label, "category_label": r.category.label,
               "level_label": r.hospital_level.label, "ratio_pct": percent_text(r.ratio)}
        if isinstance(r, InpatientRule):
            row |= {"deductible_first": yuan(r.deductible_first_fen), "deductible_later": yuan(r.deductible_later_fen),
                    "annual_cap": yuan(r.annual_cap_fen)}
        else:
            row |= {"deductible": yuan(r.deductible_fen), "annual_limit": yuan(r.annual_limit_fen)}
        rows.append(row)
    return rows


def policy_view(policy: Policy) -> dict[str, Any]:
    ben = policy.benefits
    medical = ben.maternity_medical
    return {
        "demo": policy.demo,
        "note": policy.note,
        "employee_rows": employee_rows(policy.employee),
        "resident_rows": resident_rows(policy.resident),
        "provider_payment_rows": [(_("质量保证金预留比例（月度结算时按应付金额预留，年度考核后按档次返还）"),
                                   _pct(policy.provider_payment.quality_deposit_rate))],
        "inpatient": grid(ben.inpatient.values()),
        "outpatient": grid(ben.outpatient.values()),
        "diseases": [{"code": d.code, "name": d.name, "kind": d.kind, "ratio_pct": percent_text(d.ratio),
                      "annual_limit": yuan(d.annual_limit_fen)} for d in ben.diseases.values()],
        "class_b": percent_text(ben.class_b_self_pay_rate),
        "maternity_medical": [(_("按比例支付"), _pct(medical.ratio))] if medical.ratio is not None else [
            (str(MATERNITY_KINDS[kind]), _yuan(fen)) for kind, fen in medical.lump_sums_fen.items()],
        "leave_days": ben.leave,
        "out_of_city": {"registered_ratio_reduction_pct": percent_text(ben.out_of_city_registered_reduction),
                        "unregistered_ratio_reduction_pct": percent_text(ben.out_of_city_unregistered_reduction)},
    }


# --- what changed between two versions ---------------------------------------------------


@dataclass(frozen=True)
class Change:
    path: str
    old: str | None
    new: str | None


def _text(name: str, value: Any) -> str:
    """A leaf as people read it: fen as yuan, a rate as a percent, a flag as 是/否."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int) and name.endswith("_fen"):
        return _yuan(value)
    if isinstance(value, Decimal):
        return _pct(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _key(key: Any) -> str:
    return "/".join(map(str, key)) if isinstance(key, tuple) else str(key)


def flatten(value: Any, path: str = "$", name: str = "") -> dict[str, str]:
    """Every leaf of a policy by its path; rows of a table named by their key
    (scheme/category/level, disease code, min_age=…), not by their position."""
    out: dict[str, str] = {}
    if is_dataclass(value):
        for f in fields(value):
            out |= flatten(getattr(value, f.name), f"{path}.{f.name}", f.name)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            out |= flatten(item, f"{path}[{_key(key)}]", name)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            first = fields(item)[0].name if is_dataclass(item) else ""
            label = f"{first}={getattr(item, first)}" if first else str(index)
            out |= flatten(item, f"{path}[{label}]", name)
    elif not isinstance(value, Enum):  # a row's scheme etc. is its key already
        out[path] = _text(name, value)
    return out


def policy_diff(old: Policy, new: Policy) -> list[Change]:
    a, b = flatten(old), flatten(new)
    return [Change(p, a.get(p), b.get(p)) for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]

"""待遇不降: compare each county's pre-pooling parameters with the unified policy, item by item.

A parameter is an *item* with a stable key, e.g. `ip.employee.retired.level2.ratio_pct`.
The same keys come from a policy document (`policy_items`) and from a county's imported
baseline (CountyBaselineItem), so any item a county reports can be compared. Each key
knows which direction is more generous for the insured: a lower deductible, a higher
ratio or cap, a lower individual contribution, a smaller out-of-city reduction.
Money is in fen; everything else (percent, months, days, years) is a plain number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from pooling.kernel.money import yuan_to_fen
from pooling.policy.display import category_label, level_label, scheme_label

LOWER, HIGHER = "lower", "higher"  # which value is more generous for the insured
RETIREE_AGES = (60, 70, 80)  # personal-account allocation is compared at these ages

_LEAVE = {"base": "产假基础天数", "difficult_birth_extra": "难产增加天数", "per_extra_baby": "多胞胎每多一个增加天数",
          "miscarriage_before_4_months": "流产（未满4个月）天数", "miscarriage_after_4_months": "流产（满4个月）天数",
          "province_extra": "省级延长产假天数"}
_MATERNITY = {"vaginal_delivery": "生育医疗：顺产定额", "caesarean": "生育医疗：剖宫产定额",
              "prenatal_checks": "生育医疗：产前检查定额", "ratio_pct": "生育医疗：支付比例（%）"}
_GRID_FIELDS = {
    "ip": {"deductible_first": ("首次住院起付标准", LOWER, True), "deductible_later": ("再次住院起付标准", LOWER, True),
           "ratio_pct": ("住院支付比例（%）", HIGHER, False), "annual_cap": ("住院年度最高支付限额", HIGHER, True)},
    "op": {"deductible": ("门诊统筹起付标准", LOWER, True), "ratio_pct": ("门诊统筹支付比例（%）", HIGHER, False),
           "annual_limit": ("门诊统筹年度限额", HIGHER, True)},
}
_FIXED = {
    "emp.employee_rate_pct": ("职工个人费率（%）", LOWER, False),
    "emp.account_share_pct": ("在职个人账户划入比例（%）", HIGHER, False),
    "emp.years_men": ("退休待遇累计缴费年限（男）", LOWER, False),
    "emp.years_women": ("退休待遇累计缴费年限（女）", LOWER, False),
    "emp.years_actual": ("其中实际缴费年限", LOWER, False),
    "res.individual.resident_adult": ("居民个人缴费：成年居民", LOWER, True),
    "res.individual.minor_student": ("居民个人缴费：未成年人/学生", LOWER, True),
    "res.waiting_base_months": ("居民等待期（月）", LOWER, False),
    "classb": ("乙类先行自付比例（%）", LOWER, False),
    "ooc.registered": ("异地就医已备案降低比例（百分点）", LOWER, False),
    "ooc.unregistered": ("异地就医未备案降低比例（百分点）", LOWER, False),
    **{f"mat.{k}": (v, HIGHER, k != "ratio_pct") for k, v in _MATERNITY.items()},
    **{f"mat.leave.{k}": (v, HIGHER, False) for k, v in _LEAVE.items()},
}
_GRID_KEY = re.compile(r"^(ip|op)\.(employee|resident)\.(in_service|retired|resident_adult|minor_student)"
                       r"\.(community|level1|level2|level3)\.([a-z_]+)$")
_DISEASE_KEY = re.compile(r"^cs\.(M[0-9A-Z]{2,10})\.(ratio_pct|annual_limit)$")
_RETIREE_KEY = re.compile(r"^emp\.retiree_account\.age([0-9]{2,3})$")


@dataclass(frozen=True)
class ItemMeta:
    label: str
    better: str  # LOWER or HIGHER
    money: bool  # value in fen; otherwise a plain number


def item_meta(key: str) -> ItemMeta | None:
    """What a key means, or None if it is not a known item key."""
    if key in _FIXED:
        label, better, money = _FIXED[key]
        return ItemMeta(_(label), better, money)
    if m := _GRID_KEY.match(key):
        kind, scheme, category, level, field = m.groups()
        if field not in _GRID_FIELDS[kind]:
            return None
        label, better, money = _GRID_FIELDS[kind][field]
        return ItemMeta(f"{scheme_label(scheme)} {category_label(category)} {level_label(level)} {_(label)}",
                        better, money)
    if m := _DISEASE_KEY.match(key):
        code, field = m.groups()
        return ItemMeta(_("门慢门特 %(code)s %(what)s") % {
            "code": code, "what": _("支付比例（%）") if field == "ratio_pct" else _("年度限额")},
            HIGHER, field == "annual_limit")
    if m := _RETIREE_KEY.match(key):
        return ItemMeta(_("退休人员个人账户月划入（%(age)s 岁）") % {"age": m.group(1)}, HIGHER, True)
    return None


def parse_value(meta: ItemMeta, raw: str) -> Decimal:
    """A value as typed in a file: yuan for money (→ fen), otherwise a number."""
    if meta.money:
        return Decimal(yuan_to_fen(raw))
    number = Decimal(raw)
    if not number.is_finite():
        raise ValueError(raw)
    return number


def _retiree_monthly(emp: dict[str, Any], age: int) -> str:
    bands = [b for b in emp["personal_account"]["retiree_monthly"] if age >= b["min_age"]]
    return max(bands, key=lambda b: b["min_age"])["amount"] if bands else "0"


def policy_items(doc: dict[str, Any]) -> dict[str, Decimal]:
    """Every comparable item of a (valid) policy document, money in fen."""
    emp, res, ben = doc["employee"], doc["resident"], doc["benefits"]
    raw: dict[str, str] = {
        "emp.employee_rate_pct": emp["employee_rate_pct"],
        "emp.account_share_pct": emp["personal_account"]["in_service_share_of_base_pct"],
        "emp.years_men": str(emp["retiree_years"]["men_total"]),
        "emp.years_women": str(emp["retiree_years"]["women_total"]),
        "emp.years_actual": str(emp["retiree_years"]["min_actual"]),
        "res.waiting_base_months": str(res["waiting_period"]["base_months"]),
        "classb": ben["class_b_self_pay_pct"],
        "ooc.registered": ben["out_of_city"]["registered_ratio_reduction_pct"],
        "ooc.unregistered": ben["out_of_city"]["unregistered_ratio_reduction_pct"],
    }
    raw |= {f"emp.retiree_account.age{a}": _retiree_monthly(emp, a) for a in RETIREE_AGES}
    raw |= {f"res.individual.{k}": v for k, v in res["individual_contribution"].items()}
    raw |= {f"mat.{k}": v for k, v in ben["maternity"]["medical"].items()}
    raw |= {f"mat.leave.{k}": str(v) for k, v in ben["maternity"]["leave_days"].items()}
    for kind, rows in (("ip", ben["inpatient"]), ("op", ben["outpatient_pooling"])):
        for row in rows:
            prefix = f"{kind}.{row['scheme']}.{row['category']}.{row['hospital_level']}"
            raw |= {f"{prefix}.{f}": row[f] for f in _GRID_FIELDS[kind]}
    for d in ben["chronic_special"]["diseases"]:
        raw |= {f"cs.{d['code']}.ratio_pct": d["ratio_pct"], f"cs.{d['code']}.annual_limit": d["annual_limit"]}
    items: dict[str, Decimal] = {}
    for key, value in raw.items():
        meta = item_meta(key)
        if meta is not None:
            items[key] = parse_value(meta, value)
    return items


@dataclass(frozen=True)
class Finding:
    """One item where the unified standard is less generous than the county's old one."""

    county_code: str
    county_name: str
    key: str
    label: str
    money: bool
    county_value: Decimal
    unified_value: Decimal | None  # None: the unified policy lacks the item (e.g. a disease)


def less_generous(*, unified: dict[str, Decimal], county_code: str, county_name: str,
                  baseline: dict[str, Decimal]) -> list[Finding]:
    """Items of one county's baseline that the unified policy makes worse for the insured."""
    found = []
    for key in sorted(baseline):
        meta = item_meta(key)
        if meta is None:
            continue
        old, new = baseline[key], unified.get(key)
        worse = new is None if key.startswith("cs.") else (
            new is not None and (new > old if meta.better == LOWER else new < old))
        if worse:
            found.append(Finding(county_code, county_name, key, meta.label, meta.money, old, new))
    return found

"""待遇不降: compare each county's pre-pooling parameters with the unified policy, item by item.

A parameter is an *item* with a stable key, e.g. `ip.employee.retired.level2.ratio_pct`.
The same keys come from a typed policy (`policy_items`) and from a county's imported
baseline (CountyBaselineItem), so any item a county reports can be compared. Each key
knows which direction is more generous for the insured: a lower deductible, a higher
ratio or cap, a lower individual contribution, a smaller out-of-city reduction.
Money is in fen; everything else (percent, months, days, years) is a plain number — a
county's file says "85" for a ratio, so the policy's rates are compared as percents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pooling.kernel.money import yuan_to_fen
from pooling.kernel.numbers import HUNDRED
from pooling.policy.display import category_label, level_label, scheme_label
from pooling.policy.document import Policy

LOWER, HIGHER = "lower", "higher"  # which value is more generous for the insured
RETIREE_AGES = (60, 70, 80)  # personal-account allocation is compared at these ages

_LEAVE = {
    "base": gettext_noop("产假基础天数"),
    "difficult_birth_extra": gettext_noop("难产增加天数"),
    "per_extra_baby": gettext_noop("多胞胎每多一个增加天数"),
    "miscarriage_before_4_months": gettext_noop("流产（未满4个月）天数"),
    "miscarriage_after_4_months": gettext_noop("流产（满4个月）天数"),
    "province_extra": gettext_noop("省级延长产假天数"),
}
_MATERNITY = {
    "vaginal_delivery": gettext_noop("生育医疗：顺产定额"),
    "caesarean": gettext_noop("生育医疗：剖宫产定额"),
    "prenatal_checks": gettext_noop("生育医疗：产前检查定额"),
    "ratio_pct": gettext_noop("生育医疗：支付比例（%）"),
}
_GRID_FIELDS = {
    "ip": {
        "deductible_first": (gettext_noop("首次住院起付标准"), LOWER, True),
        "deductible_later": (gettext_noop("再次住院起付标准"), LOWER, True),
        "ratio_pct": (gettext_noop("住院支付比例（%）"), HIGHER, False),
        "annual_cap": (gettext_noop("住院年度最高支付限额"), HIGHER, True),
    },
    "op": {
        "deductible": (gettext_noop("门诊统筹起付标准"), LOWER, True),
        "ratio_pct": (gettext_noop("门诊统筹支付比例（%）"), HIGHER, False),
        "annual_limit": (gettext_noop("门诊统筹年度限额"), HIGHER, True),
    },
}
# Labels are marked with gettext_noop (for the .po) and translated when read (item_meta).
_FIXED = {
    "emp.employee_rate_pct": (gettext_noop("职工个人费率（%）"), LOWER, False),
    "emp.account_share_pct": (gettext_noop("在职个人账户划入比例（%）"), HIGHER, False),
    "emp.years_men": (gettext_noop("退休待遇累计缴费年限（男）"), LOWER, False),
    "emp.years_women": (gettext_noop("退休待遇累计缴费年限（女）"), LOWER, False),
    "emp.years_actual": (gettext_noop("其中实际缴费年限"), LOWER, False),
    "res.individual.resident_adult": (gettext_noop("居民个人缴费：成年居民"), LOWER, True),
    "res.individual.minor_student": (gettext_noop("居民个人缴费：未成年人/学生"), LOWER, True),
    "res.waiting_base_months": (gettext_noop("居民等待期（月）"), LOWER, False),
    "classb": (gettext_noop("乙类先行自付比例（%）"), LOWER, False),
    "ooc.registered": (gettext_noop("异地就医已备案降低比例（百分点）"), LOWER, False),
    "ooc.unregistered": (gettext_noop("异地就医未备案降低比例（百分点）"), LOWER, False),
    **{f"mat.{k}": (v, HIGHER, k != "ratio_pct") for k, v in _MATERNITY.items()},
    **{f"mat.leave.{k}": (v, HIGHER, False) for k, v in _LEAVE.items()},
}
_GRID_KEY = re.compile(
    r"^(ip|op)\.(employee|resident)\.(in_service|retired|resident_adult|minor_student)"
    r"\.(community|level1|level2|level3)\.([a-z_]+)$"
)
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
        return ItemMeta(
            f"{scheme_label(scheme)} {category_label(category)} {level_label(level)} {_(label)}",
            better,
            money,
        )
    if m := _DISEASE_KEY.match(key):
        code, field = m.groups()
        return ItemMeta(
            _("门慢门特 %(code)s %(what)s")
            % {"code": code, "what": _("支付比例（%）") if field == "ratio_pct" else _("年度限额")},
            HIGHER,
            field == "annual_limit",
        )
    if m := _RETIREE_KEY.match(key):
        return ItemMeta(
            _("退休人员个人账户月划入（%(age)s 岁）") % {"age": m.group(1)}, HIGHER, True
        )
    return None


def parse_value(meta: ItemMeta, raw: str) -> Decimal:
    """A value as typed in a file: yuan for money (→ fen), otherwise a number."""
    if meta.money:
        return Decimal(yuan_to_fen(raw))
    number = Decimal(raw)
    if not number.is_finite():
        raise ValueError(raw)
    return number


def _pct(rate: Decimal) -> Decimal:
    return rate * HUNDRED


def policy_items(policy: Policy) -> dict[str, Decimal]:
    """Every comparable item of a policy: money in fen, rates as percents, counts as they are."""
    emp, res, ben = policy.employee, policy.resident, policy.benefits
    items: dict[str, Decimal | int] = {
        "emp.employee_rate_pct": _pct(emp.employee_rate),
        "emp.account_share_pct": _pct(emp.account_share_of_base),
        "emp.years_men": emp.retiree_years_men,
        "emp.years_women": emp.retiree_years_women,
        "emp.years_actual": emp.retiree_actual_years_min,
        "res.waiting_base_months": res.waiting.base_months,
        "classb": _pct(ben.class_b_self_pay_rate),
        "ooc.registered": _pct(ben.out_of_city_registered_reduction),
        "ooc.unregistered": _pct(ben.out_of_city_unregistered_reduction),
    }
    items |= {f"emp.retiree_account.age{a}": emp.retiree_monthly_fen(a) for a in RETIREE_AGES}
    items |= {f"res.individual.{k}": v for k, v in res.individual_fen.items()}
    medical = ben.maternity_medical
    items |= {f"mat.{k}": v for k, v in medical.lump_sums_fen.items()}
    if medical.ratio is not None:
        items["mat.ratio_pct"] = _pct(medical.ratio)
    items |= {f"mat.leave.{f.name}": getattr(ben.leave, f.name) for f in fields(ben.leave)}
    for (scheme, category, level), ip in ben.inpatient.items():
        prefix = f"ip.{scheme}.{category}.{level}"
        items |= {
            f"{prefix}.deductible_first": ip.deductible_first_fen,
            f"{prefix}.deductible_later": ip.deductible_later_fen,
            f"{prefix}.ratio_pct": _pct(ip.ratio),
            f"{prefix}.annual_cap": ip.annual_cap_fen,
        }
    for (scheme, category, level), op in ben.outpatient.items():
        prefix = f"op.{scheme}.{category}.{level}"
        items |= {
            f"{prefix}.deductible": op.deductible_fen,
            f"{prefix}.ratio_pct": _pct(op.ratio),
            f"{prefix}.annual_limit": op.annual_limit_fen,
        }
    for code, d in ben.diseases.items():
        items |= {
            f"cs.{code}.ratio_pct": _pct(d.ratio),
            f"cs.{code}.annual_limit": d.annual_limit_fen,
        }
    return {key: Decimal(value) for key, value in items.items() if item_meta(key) is not None}


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


def less_generous(
    *, unified: dict[str, Decimal], county_code: str, county_name: str, baseline: dict[str, Decimal]
) -> list[Finding]:
    """Items of one county's baseline that the unified policy makes worse for the insured."""
    found = []
    for key in sorted(baseline):
        meta = item_meta(key)
        if meta is None:
            continue
        old, new = baseline[key], unified.get(key)
        worse = (
            new is None
            if key.startswith("cs.")
            else (new is not None and (new > old if meta.better == LOWER else new < old))
        )
        if worse:
            found.append(Finding(county_code, county_name, key, meta.label, meta.money, old, new))
    return found

"""A policy document as people read it: labelled rows and tables, and a diff of two versions.

Pure functions over the (validated) document; the templates only loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme

LEVEL_ORDER = ["level3", "level2", "level1", "community"]


def scheme_label(code: str) -> str:
    return str(Scheme(code).label) if code in Scheme.values else code


def category_label(code: str) -> str:
    return str(PersonCategory(code).label) if code in PersonCategory.values else code


def level_label(code: str) -> str:
    return str(HospitalLevel(code).label) if code in HospitalLevel.values else code


def _yuan(v: str) -> str:
    return f"{v} 元"


def _pct(v: str) -> str:
    return f"{v}%"


def employee_rows(emp: dict[str, Any]) -> list[tuple[str, str]]:
    acct, years = emp["personal_account"], emp["retiree_years"]
    bands = "；".join(_("%(age)s 岁起 %(amount)s 元/月") % {"age": b["min_age"], "amount": b["amount"]}
                     for b in sorted(acct["retiree_monthly"], key=lambda b: b["min_age"]))
    return [
        (_("上年度职工月平均工资"), _yuan(emp["average_monthly_wage"])),
        (_("缴费基数下限 / 上限（占平均工资）"), f"{_pct(emp['base_floor_pct'])} / {_pct(emp['base_ceiling_pct'])}"),
        (_("单位费率 / 个人费率"), f"{_pct(emp['employer_rate_pct'])} / {_pct(emp['employee_rate_pct'])}"),
        (_("生育保险"), (_("合并征缴，费率 %(r)s") if emp["maternity"]["merged"] else _("单独征缴，费率 %(r)s"))
         % {"r": _pct(emp["maternity"]["rate_pct"])}),
        (_("在职人员个人账户划入（占缴费基数）"), _pct(acct["in_service_share_of_base_pct"])),
        (_("退休人员个人账户划入"), bands),
        (_("退休享受待遇累计缴费年限（男 / 女）"), _("%(m)s 年 / %(f)s 年") % {"m": years["men_total"], "f": years["women_total"]}),
        (_("其中实际缴费年限不少于"), _("%(n)s 年") % {"n": years["min_actual"]}),
    ]


def resident_rows(res: dict[str, Any]) -> list[tuple[str, str]]:
    split = res["subsidy_split_pct"]
    wait = res["waiting_period"]
    return [
        (_("筹资年度"), str(res["year"])),
        *[(_("个人缴费：%(cat)s") % {"cat": category_label(k)}, _yuan(v))
          for k, v in res["individual_contribution"].items()],
        (_("财政补助（每人每年）"), _yuan(res["subsidy_per_head"])),
        (_("补助分担（中央/省/市/县）"), " / ".join(_pct(split[k]) for k in ("central", "province", "city", "county"))),
        *[(_("特殊群体资助：%(g)s") % {"g": k}, _yuan(v)) for k, v in res["special_group_subsidy"].items()],
        (_("等待期"), _("基础 %(b)s 个月；每多中断一年加 %(g)s 个月；每多连续缴费一年减 %(c)s 个月") % {
            "b": wait["base_months"], "g": wait["per_gap_year_months"],
            "c": wait["per_continuous_year_reduction_months"]}),
        (_("免等待期"), (_("新生儿；") if wait["newborn_exempt"] else "")
         + _("职工医保中断后 %(m)s 个月内转入") % {"m": wait["from_employee_within_months"]}),
    ]


def grid(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inpatient / outpatient rows with labels, ordered scheme, category, level 三级 → 社区."""
    order = {c: i for i, c in enumerate(PersonCategory.values)}
    labelled = [{**r, "scheme_label": scheme_label(r["scheme"]), "category_label": category_label(r["category"]),
                 "level_label": level_label(r["hospital_level"])} for r in rows]
    return sorted(labelled, key=lambda r: (order.get(r["category"], 9), LEVEL_ORDER.index(r["hospital_level"])
                                           if r["hospital_level"] in LEVEL_ORDER else 9))


def policy_view(doc: dict[str, Any]) -> dict[str, Any]:
    ben = doc["benefits"]
    medical = ben["maternity"]["medical"]
    return {
        "employee_rows": employee_rows(doc["employee"]),
        "resident_rows": resident_rows(doc["resident"]),
        "inpatient": grid(ben["inpatient"]),
        "outpatient": grid(ben["outpatient_pooling"]),
        "diseases": ben["chronic_special"]["diseases"],
        "class_b": ben["class_b_self_pay_pct"],
        "maternity_medical": [(_("按比例支付"), _pct(medical["ratio_pct"]))] if "ratio_pct" in medical else [
            (_("顺产"), _yuan(medical["vaginal_delivery"])), (_("剖宫产"), _yuan(medical["caesarean"])),
            (_("产前检查"), _yuan(medical["prenatal_checks"]))],
        "leave_days": ben["maternity"]["leave_days"],
        "out_of_city": ben["out_of_city"],
    }


# --- diff of two versions --------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    path: str
    old: Any
    new: Any


def _row_key(item: Any, index: int) -> str:
    if isinstance(item, dict) and {"scheme", "category", "hospital_level"} <= set(item):
        return f"{item['scheme']}/{item['category']}/{item['hospital_level']}"
    if isinstance(item, dict) and "code" in item:
        return str(item["code"])
    if isinstance(item, dict) and "min_age" in item:
        return f"min_age={item['min_age']}"
    return str(index)


def flatten(value: Any, path: str = "$") -> dict[str, Any]:
    """Leaves by a path that names list rows by their key (scheme/category/level, code), not index."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{path}.{k}"))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(flatten(v, f"{path}[{_row_key(v, i)}]"))
        return out
    return {path: value}


def policy_diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    a, b = flatten(old), flatten(new)
    return [Change(p, a.get(p), b.get(p)) for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]

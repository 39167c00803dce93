"""Every field of a policy document in words: the one label table, keyed by schema path.

A schema path is a JSON path with `[]` for "any row of this table" and `.*` for "any key
of this map" (`$.benefits.inpatient[].ratio_pct`, `$.resident.special_group_subsidy.*`).
Comparisons, upload errors and the parameter form name fields through `path_label`, so a
reader sees 「住院待遇 · 职工基本医疗保险 在职职工 三级 · 支付比例」, never the path. A test
walks the schema (`schema_paths`) and fails on any path without a label here: adding a
field to the schema means adding its words here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme, SpecialGroup
from pooling.policy.validation import policy_schema

LABELS: dict[str, Any] = {
    "$": _("政策文件"),
    "$.code": _("版本号"),
    "$.title": _("标题"),
    "$.effective_from": _("生效日期"),
    "$.demo": _("演示数值"),
    "$.note": _("说明"),
    "$.employee": _("职工基本医疗保险"),
    "$.employee.average_monthly_wage": _("上年度全市职工月平均工资"),
    "$.employee.base_floor_pct": _("缴费基数下限（占平均工资）"),
    "$.employee.base_ceiling_pct": _("缴费基数上限（占平均工资）"),
    "$.employee.employer_rate_pct": _("单位费率"),
    "$.employee.employee_rate_pct": _("个人费率"),
    "$.employee.maternity": _("生育保险"),
    "$.employee.maternity.merged": _("与职工医保合并征缴"),
    "$.employee.maternity.rate_pct": _("生育保险费率"),
    "$.employee.personal_account": _("个人账户"),
    "$.employee.personal_account.in_service_share_of_base_pct": _("在职人员划入（占缴费基数）"),
    "$.employee.personal_account.retiree_monthly": _("退休人员按月划入"),
    "$.employee.personal_account.retiree_monthly[]": _("年龄档"),
    "$.employee.personal_account.retiree_monthly[].min_age": _("起始年龄"),
    "$.employee.personal_account.retiree_monthly[].amount": _("每月划入额"),
    "$.employee.retiree_years": _("退休享受待遇缴费年限"),
    "$.employee.retiree_years.men_total": _("累计缴费年限（男）"),
    "$.employee.retiree_years.women_total": _("累计缴费年限（女）"),
    "$.employee.retiree_years.min_actual": _("其中实际缴费年限不少于"),
    "$.provider_payment": _("定点机构月度结算"),
    "$.provider_payment.quality_deposit_pct": _("质量保证金预留比例"),
    "$.resident": _("城乡居民基本医疗保险（筹资）"),
    "$.resident.year": _("筹资年度"),
    "$.resident.individual_contribution": _("个人缴费"),
    "$.resident.individual_contribution.resident_adult": PersonCategory.RESIDENT_ADULT.label,
    "$.resident.individual_contribution.minor_student": PersonCategory.MINOR_STUDENT.label,
    "$.resident.subsidy_per_head": _("财政补助（每人每年）"),
    "$.resident.subsidy_split_pct": _("财政补助分担"),
    "$.resident.subsidy_split_pct.central": _("中央"),
    "$.resident.subsidy_split_pct.province": _("省级"),
    "$.resident.subsidy_split_pct.city": _("市级"),
    "$.resident.subsidy_split_pct.county": _("县级"),
    "$.resident.special_group_subsidy": _("特殊群体个人缴费资助"),
    "$.resident.special_group_subsidy.*": _("特殊群体"),
    "$.resident.waiting_period": _("等待期"),
    "$.resident.waiting_period.base_months": _("基础等待期（月）"),
    "$.resident.waiting_period.per_gap_year_months": _("每多中断一年增加（月）"),
    "$.resident.waiting_period.per_continuous_year_reduction_months": _(
        "每多连续缴费一年减少（月）"
    ),
    "$.resident.waiting_period.newborn_exempt": _("新生儿免等待期"),
    "$.resident.waiting_period.from_employee_within_months": _(
        "职工医保中断后转入免等待期（月内）"
    ),
    "$.benefits": _("待遇标准"),
    "$.benefits.class_b_self_pay_pct": _("乙类先行自付比例"),
    "$.benefits.inpatient": _("住院待遇"),
    "$.benefits.inpatient[]": _("一行标准"),
    "$.benefits.inpatient[].scheme": _("险种"),
    "$.benefits.inpatient[].category": _("人员类别"),
    "$.benefits.inpatient[].hospital_level": _("医院级别"),
    "$.benefits.inpatient[].deductible_first": _("首次住院起付标准"),
    "$.benefits.inpatient[].deductible_later": _("再次住院起付标准"),
    "$.benefits.inpatient[].ratio_pct": _("统筹基金支付比例"),
    "$.benefits.inpatient[].annual_cap": _("年度最高支付限额（封顶线）"),
    "$.benefits.outpatient_pooling": _("普通门诊统筹"),
    "$.benefits.outpatient_pooling[]": _("一行标准"),
    "$.benefits.outpatient_pooling[].scheme": _("险种"),
    "$.benefits.outpatient_pooling[].category": _("人员类别"),
    "$.benefits.outpatient_pooling[].hospital_level": _("医院级别"),
    "$.benefits.outpatient_pooling[].deductible": _("年度起付标准"),
    "$.benefits.outpatient_pooling[].ratio_pct": _("统筹基金支付比例"),
    "$.benefits.outpatient_pooling[].annual_limit": _("年度支付限额"),
    "$.benefits.chronic_special": _("门诊慢性病、特殊病"),
    "$.benefits.chronic_special.diseases": _("病种"),
    "$.benefits.chronic_special.diseases[]": _("病种"),
    "$.benefits.chronic_special.diseases[].code": _("病种编码"),
    "$.benefits.chronic_special.diseases[].name": _("病种名称"),
    "$.benefits.chronic_special.diseases[].kind": _("类别（门慢/门特）"),
    "$.benefits.chronic_special.diseases[].ratio_pct": _("支付比例"),
    "$.benefits.chronic_special.diseases[].annual_limit": _("年度限额"),
    "$.benefits.maternity": _("生育保险待遇"),
    "$.benefits.maternity.medical": _("生育医疗费用"),
    "$.benefits.maternity.medical.vaginal_delivery": _("顺产定额"),
    "$.benefits.maternity.medical.caesarean": _("剖宫产定额"),
    "$.benefits.maternity.medical.prenatal_checks": _("产前检查定额"),
    "$.benefits.maternity.medical.ratio_pct": _("按比例支付"),
    "$.benefits.maternity.leave_days": _("产假天数"),
    "$.benefits.maternity.leave_days.base": _("基础产假"),
    "$.benefits.maternity.leave_days.difficult_birth_extra": _("难产增加"),
    "$.benefits.maternity.leave_days.per_extra_baby": _("多胞胎每多一个增加"),
    "$.benefits.maternity.leave_days.miscarriage_before_4_months": _("流产（未满 4 个月）"),
    "$.benefits.maternity.leave_days.miscarriage_after_4_months": _("流产（满 4 个月）"),
    "$.benefits.maternity.leave_days.province_extra": _("省级延长"),
    "$.benefits.out_of_city": _("异地就医"),
    "$.benefits.out_of_city.registered_ratio_reduction_pct": _(
        "已备案转诊、急诊：支付比例降低（百分点）"
    ),
    "$.benefits.out_of_city.unregistered_ratio_reduction_pct": _("未备案：支付比例降低（百分点）"),
    "$.benefits.critical_illness": _("居民大病保险"),
    "$.benefits.critical_illness.deductible": _("年度起付标准"),
    "$.benefits.critical_illness.bands": _("分段支付比例"),
    "$.benefits.critical_illness.bands[]": _("一段"),
    "$.benefits.critical_illness.bands[].above": _("超过起付标准的金额起点"),
    "$.benefits.critical_illness.bands[].ratio_pct": _("支付比例"),
    "$.benefits.critical_illness.annual_cap": _("年度最高支付限额"),
    "$.benefits.critical_illness.include_class_b_self_pay": _("乙类先行自付计入合规自付"),
    "$.benefits.large_expense": _("职工大额医疗费用补充"),
    "$.benefits.large_expense.ratio_pct": _("支付比例"),
    "$.benefits.large_expense.annual_cap": _("年度最高支付限额"),
}

PROBLEM_AT = _("%(label)s（%(path)s）：%(reason)s")
PROBLEM_SEP = _("；")
DISEASE_KINDS = {"chronic": _("门慢"), "special": _("门特")}
# Tables whose rows are named by these fields (a row's key), not by their position.
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "$.benefits.inpatient[]": ("scheme", "category", "hospital_level"),
    "$.benefits.outpatient_pooling[]": ("scheme", "category", "hospital_level"),
    "$.benefits.chronic_special.diseases[]": ("code",),
    "$.employee.personal_account.retiree_monthly[]": ("min_age",),
}
_CHOICES: dict[str, Any] = {
    "scheme": Scheme,
    "category": PersonCategory,
    "hospital_level": HospitalLevel,
}


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its `$ref` followed (the node's own keywords win)."""
    while "$ref" in node:
        ref = node["$ref"].removeprefix("#/$defs/")
        node = policy_schema()["$defs"][ref] | {k: v for k, v in node.items() if k != "$ref"}
    return node


def properties(node: dict[str, Any]) -> dict[str, Any]:
    """A node's fields, the branches of a `oneOf` (生育医疗: 定额 or 按比例) merged."""
    props = dict(node.get("properties", {}))
    for branch in node.get("oneOf", []):
        props |= branch.get("properties", {})
    props.pop("$schema", None)
    return props


def schema_paths() -> Iterator[str]:
    """Every path of the schema, parents first."""

    def walk(node: dict[str, Any], path: str) -> Iterator[str]:
        node = resolve(node)
        yield path
        for key, child in properties(node).items():
            yield from walk(child, f"{path}.{key}")
        if isinstance(node.get("additionalProperties"), dict):
            yield from walk(node["additionalProperties"], f"{path}.*")
        if "items" in node:
            yield from walk(node["items"], f"{path}[]")

    return walk(policy_schema(), "$")


def special_group_label(code: str) -> str:
    return str(SpecialGroup(code).label) if code in SpecialGroup.values and code else code


def choice_label(field: str, code: Any) -> str:
    """A coded value in words: 职工基本医疗保险, 在职职工, 三级, 门慢…"""
    if field == "kind":
        return str(DISEASE_KINDS.get(code, code))
    choices = _CHOICES.get(field)
    return str(choices(code).label) if choices is not None and code in choices.values else str(code)


def row_label(table: str, row: dict[str, Any]) -> str:
    """A table row named by its key: 「职工基本医疗保险 在职职工 三级」, 「M03900 高血压」, 「70 岁起」."""
    if table.endswith("retiree_monthly[]"):
        return _g("%(age)s 岁起") % {"age": row.get("min_age")}
    if table.endswith("diseases[]"):
        return f"{row.get('code', '')} {row.get('name', '')}".strip()
    return " ".join(choice_label(k, row.get(k)) for k in ROW_KEYS.get(table, ()))


def path_label(path: str, document: Any = None) -> str:
    """A document path (`$.benefits.inpatient[3].ratio_pct`) in words, each level named:
    rows by their key when the document is at hand (else 第 n 行), map keys by their label."""
    parts = re.findall(r"\.([^.\[]+)|\[([^\]]*)\]", path.removeprefix("$"))
    words: list[str] = []
    pattern, node = "$", document
    for key, index in parts:
        if index:
            pattern += "[]"
            row = (
                node[int(index)]
                if isinstance(node, list) and index.isdigit() and int(index) < len(node)
                else None
            )
            node = row
            words.append(
                row_label(pattern, row)
                if isinstance(row, dict)
                else _g("第 %(n)s 行") % {"n": int(index) + 1 if index.isdigit() else index}
            )
            continue
        node = node.get(key) if isinstance(node, dict) else None
        if pattern == "$.resident.special_group_subsidy":
            pattern += ".*"
            words.append(special_group_label(key))
            continue
        pattern += f".{key}"
        words.append(str(LABELS.get(pattern, key)))
    return " · ".join(words) if words else str(LABELS["$"])


def problem_text(problem: Any, document: Any = None) -> str:
    """A document problem in words, its path kept for whoever edits the JSON:
    「待遇标准 · 住院待遇 · 第 1 行 · 统筹基金支付比例（$.benefits.inpatient[0].ratio_pct）：…」."""
    return str(PROBLEM_AT) % {
        "label": path_label(problem.column, document),
        "path": problem.column,
        "reason": problem.reason,
    }

"""A policy as people read it: labelled rows and tables, and what changed between two versions.

The page is pure functions over the typed `Policy`; the comparison walks the two validated
documents with the schema and the label table. The templates only loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme
from pooling.kernel.money import fen_to_yuan, yuan_to_fen
from pooling.kernel.numbers import percent_rate, percent_text
from pooling.policy.benefit_rules import (
    MATERNITY_KINDS,
    BenefitRules,
    InpatientRule,
    OutpatientRule,
)
from pooling.policy.document import Policy
from pooling.policy.funding import EmployeePolicy, ResidentPolicy
from pooling.policy.labels import (
    LABELS,
    ROW_KEYS,
    choice_label,
    properties,
    resolve,
    row_label,
    special_group_label,
)
from pooling.policy.validation import policy_schema

LEVEL_ORDER = [
    HospitalLevel.LEVEL3,
    HospitalLevel.LEVEL2,
    HospitalLevel.LEVEL1,
    HospitalLevel.COMMUNITY,
]
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
    return _("%(amount)s 元") % {"amount": yuan(fen)}


def _pct(rate: Decimal) -> str:
    return f"{percent_text(rate)}%"


def employee_rows(emp: EmployeePolicy) -> list[tuple[str, str]]:
    bands = _("；").join(
        _("%(age)s 岁起 %(amount)s 元/月") % {"age": b.min_age, "amount": yuan(b.monthly_fen)}
        for b in emp.retiree_allocations
    )
    return [
        (_("上年度职工月平均工资"), _yuan(emp.average_monthly_wage_fen)),
        (
            _("缴费基数下限 / 上限（占平均工资）"),
            f"{_pct(emp.base_floor_rate)} / {_pct(emp.base_ceiling_rate)}",
        ),
        (_("单位费率 / 个人费率"), f"{_pct(emp.employer_rate)} / {_pct(emp.employee_rate)}"),
        (
            _("生育保险"),
            (_("合并征缴，费率 %(r)s") if emp.maternity_merged else _("单独征缴，费率 %(r)s"))
            % {"r": _pct(emp.maternity_rate)},
        ),
        (_("在职人员个人账户划入（占缴费基数）"), _pct(emp.account_share_of_base)),
        (_("退休人员个人账户划入"), bands),
        (
            _("退休享受待遇累计缴费年限（男 / 女）"),
            _("%(m)s 年 / %(f)s 年") % {"m": emp.retiree_years_men, "f": emp.retiree_years_women},
        ),
        (_("其中实际缴费年限不少于"), _("%(n)s 年") % {"n": emp.retiree_actual_years_min}),
    ]


def resident_rows(res: ResidentPolicy) -> list[tuple[str, str]]:
    wait = res.waiting
    return [
        (_("筹资年度"), str(res.year)),
        *[
            (_("个人缴费：%(cat)s") % {"cat": category_label(k)}, _yuan(v))
            for k, v in res.individual_fen.items()
        ],
        (_("财政补助（每人每年）"), _yuan(res.subsidy_per_head_fen)),
        (
            _("补助分担（中央/省/市/县）"),
            " / ".join(_pct(res.subsidy_split[k]) for k in SPLIT_ORDER),
        ),
        *[
            (_("特殊群体资助：%(g)s") % {"g": special_group_label(k)}, _yuan(v))
            for k, v in res.special_group_subsidy_fen.items()
        ],
        (
            _("等待期"),
            _("基础 %(b)s 个月；每多中断一年加 %(g)s 个月；每多连续缴费一年减 %(c)s 个月")
            % {
                "b": wait.base_months,
                "g": wait.per_gap_year_months,
                "c": wait.per_continuous_year_reduction_months,
            },
        ),
        (
            _("免等待期"),
            (_("新生儿；") if wait.newborn_exempt else "")
            + _("职工医保中断后 %(m)s 个月内转入") % {"m": wait.from_employee_within_months},
        ),
    ]


def grid(rules: Iterable[InpatientRule | OutpatientRule]) -> list[dict[str, Any]]:
    """Inpatient / outpatient rows, labelled and as text, ordered scheme, category, level 三级 → 社区."""
    order = {c: i for i, c in enumerate(PersonCategory)}
    rows = []
    for r in sorted(rules, key=lambda r: (order[r.category], LEVEL_ORDER.index(r.hospital_level))):
        row = {
            "scheme_label": r.scheme.label,
            "category_label": r.category.label,
            "level_label": r.hospital_level.label,
            "ratio_pct": percent_text(r.ratio),
        }
        if isinstance(r, InpatientRule):
            row |= {
                "deductible_first": yuan(r.deductible_first_fen),
                "deductible_later": yuan(r.deductible_later_fen),
                "annual_cap": yuan(r.annual_cap_fen),
            }
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
        "provider_payment_rows": [
            (
                _("质量保证金预留比例（月度结算时按应付金额预留，年度考核后按档次返还）"),
                _pct(policy.provider_payment.quality_deposit_rate),
            )
        ],
        "inpatient": grid(ben.inpatient.values()),
        "outpatient": grid(ben.outpatient.values()),
        "diseases": [
            {
                "code": d.code,
                "name": d.name,
                "kind": d.kind,
                "ratio_pct": percent_text(d.ratio),
                "annual_limit": yuan(d.annual_limit_fen),
            }
            for d in ben.diseases.values()
        ],
        "class_b": percent_text(ben.class_b_self_pay_rate),
        "maternity_medical": [(_("按比例支付"), _pct(medical.ratio))]
        if medical.ratio is not None
        else [
            (str(MATERNITY_KINDS[kind]), _yuan(fen)) for kind, fen in medical.lump_sums_fen.items()
        ],
        "leave_days": ben.leave,
        "out_of_city": {
            "registered_ratio_reduction_pct": percent_text(ben.out_of_city_registered_reduction),
            "unregistered_ratio_reduction_pct": percent_text(
                ben.out_of_city_unregistered_reduction
            ),
        },
        "second_tier_rows": second_tier_rows(ben),
    }


def second_tier_rows(ben: BenefitRules) -> list[tuple[str, str]]:
    """大病保险 and 大额补充 as the page shows them; a section the version lacks says it pays nothing."""
    none = _("本版本未规定（不支付）")
    no_cap = _("不设限额")
    rows: list[tuple[str, str]] = []
    ci = ben.critical_illness
    if ci is None:
        rows.append((_("居民大病保险"), none))
    else:
        rows.append((_("居民大病保险：年度合规自付起付标准"), _yuan(ci.deductible_fen)))
        rows += [
            (
                _("居民大病保险：超过起付标准 %(above)s 以上部分") % {"above": _yuan(b.above_fen)},
                _pct(b.ratio),
            )
            for b in ci.bands
        ]
        cap = ci.annual_cap_fen
        rows.append((_("居民大病保险：年度最高支付限额"), no_cap if cap is None else _yuan(cap)))
    le = ben.large_expense
    if le is None:
        rows.append((_("职工大额医疗费用补充"), none))
    else:
        rows.append((_("职工大额医疗费用补充：统筹基金最高支付限额以上部分"), _pct(le.ratio)))
        cap = le.annual_cap_fen
        rows.append(
            (_("职工大额医疗费用补充：年度最高支付限额"), no_cap if cap is None else _yuan(cap))
        )
    return rows


# --- what changed between two versions ---------------------------------------------------
# The comparison reads the two validated documents through the schema, so every row is
# named by the one label table (pooling.policy.labels) and every value is normalised the
# way the parser reads it ("7.0" and "7" are the same rate; "7500" and "7500.00" the same wage).


@dataclass(frozen=True)
class Change:
    path: str  # stable: rows by their key, e.g. $.benefits.inpatient[employee/in_service/level3].ratio_pct
    label: str  # the same in words
    old: str | None
    new: str | None


def _value_text(schema: dict[str, Any], field: str, value: Any) -> str:
    """A leaf as people read it: yuan with 元, a percent with %, a flag as 是/否, a code by its label."""
    ref = str(schema.get("$ref", ""))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if ref.endswith("/yuan"):
        return _yuan(yuan_to_fen(value))
    if ref.endswith("/pct") or field.endswith("_pct"):
        return _pct(percent_rate(value, maximum=None))
    if field in ("scheme", "category", "hospital_level", "kind"):
        return choice_label(field, value)
    return str(value)


def document_rows(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Every leaf of a validated document: stable path -> (label, value as text), in schema order."""
    out: dict[str, tuple[str, str]] = {}

    def walk(
        schema: dict[str, Any], value: Any, path: str, pattern: str, words: list[str], field: str
    ) -> None:
        node = resolve(schema)
        if isinstance(value, dict):
            props = properties(node)
            for key in [k for k in props if k in value] + [k for k in value if k not in props]:
                if key == "$schema" or key in ROW_KEYS.get(pattern, ()):
                    continue  # a row's key names the row already
                if key in props:
                    sub, sub_pattern, word = (
                        props[key],
                        f"{pattern}.{key}",
                        str(LABELS.get(f"{pattern}.{key}", key)),
                    )
                else:  # a map's key, e.g. a special group
                    sub, sub_pattern, word = (
                        node.get("additionalProperties") or {},
                        f"{pattern}.*",
                        special_group_label(key),
                    )
                walk(sub, value[key], f"{path}.{key}", sub_pattern, [*words, word], key)
        elif isinstance(value, list):
            keys = ROW_KEYS.get(f"{pattern}[]", ())
            for index, row in enumerate(value):
                named = keys and isinstance(row, dict)
                name = "/".join(str(row.get(k)) for k in keys) if named else str(index)
                word = (
                    row_label(f"{pattern}[]", row) if named else _("第 %(n)s 行") % {"n": index + 1}
                )
                walk(
                    node.get("items", {}),
                    row,
                    f"{path}[{name}]",
                    f"{pattern}[]",
                    [*words, word],
                    field,
                )
        else:
            out[path] = (" · ".join(words), _value_text(schema, field, value))

    walk(policy_schema(), doc, "$", "$", [], "")
    return out


def policy_diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What changed from one version's document to another's, labelled; rows only one has show — on the other."""
    a, b = document_rows(old), document_rows(new)
    paths = list(a) + [p for p in b if p not in a]
    return [
        Change(p, (a.get(p) or b[p])[0], a[p][1] if p in a else None, b[p][1] if p in b else None)
        for p in paths
        if (a.get(p) or (None, None))[1] != (b.get(p) or (None, None))[1]
    ]

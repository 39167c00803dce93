"""Is this JSON a valid policy document? Every problem as a JSON path and a reason in Chinese.

Two passes: the published JSON Schema (pooling/policy/schema/policy.schema.json) for shape and
formats, then the rules a schema cannot say (floor below ceiling, every scheme × person
category × hospital level present once, national limits on out-of-city reductions…).
The second pass runs only on a document that passed the first, so it may index freely.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "policy.schema.json"

SCHEME_CATEGORIES = {"employee": ("in_service", "retired"), "resident": ("resident_adult", "minor_student")}
LEVELS = ("level3", "level2", "level1", "community")
# National limits (医保发〔2022〕22号): out-of-city ratio may fall by at most these points.
OUT_OF_CITY_MAX = {"registered_ratio_reduction_pct": Decimal(10), "unregistered_ratio_reduction_pct": Decimal(20)}
# Percent fields that may exceed 100 (the base ceiling is 300 % of the average wage).
PCT_OVER_100_ALLOWED = {"base_ceiling_pct"}


@dataclass(frozen=True)
class Problem:
    path: str  # JSON path, e.g. $.benefits.inpatient[3].ratio_pct
    reason: str  # in the active language (Chinese by default)

    def __str__(self) -> str:
        return f"{self.path}：{self.reason}"


@cache
def policy_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(policy_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def document_problems(document: Any) -> list[Problem]:
    """All problems with a document; empty means it may be saved."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        return [_schema_problem(e) for e in errors]
    return _semantic_problems(document)


# --- schema errors in Chinese ---------------------------------------------------------

_YUAN_PATTERN = policy_schema()["$defs"]["yuan"]["pattern"]
_PCT_PATTERN = policy_schema()["$defs"]["pct"]["pattern"]
_TYPES = {"string": "字符串", "integer": "整数", "number": "数字", "boolean": "true/false",
          "object": "对象", "array": "数组"}


def _schema_problem(error: ValidationError) -> Problem:
    path = error.json_path
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = [k for k in value if isinstance(instance, dict) and k not in instance]
        name = missing[0] if missing else ""
        return Problem(f"{path}.{name}", _("缺少必填项"))
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed) if isinstance(instance, dict) else []
        return Problem(f"{path}.{extra[0]}" if extra else path, _("不允许的字段（请检查拼写）"))
    if kind == "type":
        wanted = value if isinstance(value, str) else "/".join(value)
        return Problem(path, _("类型应为%(type)s") % {"type": _TYPES.get(wanted, wanted)})
    if kind == "pattern":
        if value == _YUAN_PATTERN:
            return Problem(path, _("应为金额（元）字符串，最多两位小数，例如 \"1200.00\""))
        if value == _PCT_PATTERN or path.endswith("_pct"):
            return Problem(path, _("应为百分比字符串，例如 \"85\" 或 \"7.5\""))
        return Problem(path, _("格式不符合要求（%(pattern)s）") % {"pattern": value})
    if kind == "enum":
        return Problem(path, _("取值应为以下之一：%(values)s") % {"values": "、".join(map(str, value))})
    if kind in ("minimum", "exclusiveMinimum"):
        return Problem(path, _("不能小于 %(limit)s") % {"limit": value})
    if kind in ("maximum", "exclusiveMaximum"):
        return Problem(path, _("不能大于 %(limit)s") % {"limit": value})
    if kind == "minItems":
        return Problem(path, _("至少需要 %(n)s 项") % {"n": value})
    if kind == "minLength":
        return Problem(path, _("不能为空"))
    if kind == "maxLength":
        return Problem(path, _("不能超过 %(n)s 个字符") % {"n": value})
    if kind == "format":
        return Problem(path, _("不是有效的日期（YYYY-MM-DD）"))
    if kind == "oneOf":
        return Problem(path, _("应为定额（vaginal_delivery、caesarean、prenatal_checks）或按比例（ratio_pct）两种形式之一"))
    return Problem(path, _("不符合政策文件格式（%(rule)s）") % {"rule": kind})


# --- rules beyond the schema ----------------------------------------------------------


def _semantic_problems(doc: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    try:
        date.fromisoformat(doc["effective_from"])
    except ValueError:
        problems.append(Problem("$.effective_from", _("不是有效的日期（YYYY-MM-DD）")))
    problems += _percent_problems(doc, "$")
    problems += _employee_problems(doc["employee"])
    problems += _resident_problems(doc["resident"])
    problems += _benefit_problems(doc["benefits"])
    return problems


def _percent_problems(node: Any, path: str) -> list[Problem]:
    """Every *_pct value is at most 100 (except the base ceiling)."""
    found: list[Problem] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if isinstance(value, str) and key.endswith("_pct") and key not in PCT_OVER_100_ALLOWED:
                if Decimal(value) > 100:
                    found.append(Problem(here, _("百分比不能超过 100")))
            else:
                found += _percent_problems(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _percent_problems(value, f"{path}[{i}]")
    return found


def _employee_problems(emp: dict[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    if Decimal(emp["base_floor_pct"]) >= Decimal(emp["base_ceiling_pct"]):
        found.append(Problem("$.employee.base_ceiling_pct", _("缴费基数上限必须高于下限")))
    if Decimal(emp["average_monthly_wage"]) <= 0:
        found.append(Problem("$.employee.average_monthly_wage", _("平均工资必须大于 0")))
    bands = [int(b["min_age"]) for b in emp["personal_account"]["retiree_monthly"]]
    if 0 not in bands:
        found.append(Problem("$.employee.personal_account.retiree_monthly",
                             _("须有一档从 0 岁起（min_age 为 0），否则部分退休人员没有划入额")))
    if len(set(bands)) != len(bands):
        found.append(Problem("$.employee.personal_account.retiree_monthly", _("年龄档重复")))
    years = emp["retiree_years"]
    if years["min_actual"] > min(years["men_total"], years["women_total"]):
        found.append(Problem("$.employee.retiree_years.min_actual", _("实际缴费年限不能多于累计缴费年限")))
    return found


def _resident_problems(res: dict[str, Any]) -> list[Problem]:
    total = sum(Decimal(v) for v in res["subsidy_split_pct"].values())
    if total != 100:
        return [Problem("$.resident.subsidy_split_pct",
                        _("各级财政分担比例合计应为 100，实为 %(total)s") % {"total": total})]
    return []


def _benefit_problems(ben: dict[str, Any]) -> list[Problem]:
    found = _grid_problems(ben["inpatient"], "$.benefits.inpatient", "annual_cap")
    found += _grid_problems(ben["outpatient_pooling"], "$.benefits.outpatient_pooling", "annual_limit")
    for i, row in enumerate(ben["inpatient"]):
        if Decimal(row["deductible_later"]) > Decimal(row["deductible_first"]):
            found.append(Problem(f"$.benefits.inpatient[{i}].deductible_later",
                                 _("再次住院起付标准不应高于首次住院")))
    codes: set[str] = set()
    for i, disease in enumerate(ben["chronic_special"]["diseases"]):
        if disease["code"] in codes:
            found.append(Problem(f"$.benefits.chronic_special.diseases[{i}].code", _("病种编码重复")))
        codes.add(disease["code"])
    for key, limit in OUT_OF_CITY_MAX.items():
        if Decimal(ben["out_of_city"][key]) > limit:
            found.append(Problem(f"$.benefits.out_of_city.{key}",
                                 _("按医保发〔2022〕22号，降低幅度不得超过 %(limit)s 个百分点") % {"limit": limit}))
    return found


def _grid_problems(rows: list[dict[str, Any]], path: str, cap_key: str) -> list[Problem]:
    """Each scheme × category × level once, categories matching the scheme, one cap per scheme × category."""
    found: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    caps: dict[tuple[str, str], set[str]] = defaultdict(set)
    for i, row in enumerate(rows):
        key = (row["scheme"], row["category"], row["hospital_level"])
        if row["category"] not in SCHEME_CATEGORIES[row["scheme"]]:
            found.append(Problem(f"{path}[{i}].category", _("人员类别与险种不匹配")))
        elif key in seen:
            found.append(Problem(f"{path}[{i}]", _("险种、人员类别、医院级别的组合重复")))
        seen.add(key)
        caps[key[:2]].add(str(Decimal(row[cap_key])))
    for scheme, categories in SCHEME_CATEGORIES.items():
        for category in categories:
            for level in LEVELS:
                if (scheme, category, level) not in seen:
                    found.append(Problem(path, _("缺少 %(combo)s 的标准") % {
                        "combo": f"{scheme}/{category}/{level}"}))
    for (scheme, category), values in caps.items():
        if len(values) > 1:
            found.append(Problem(path, _("%(combo)s 各医院级别的年度限额必须相同") % {
                "combo": f"{scheme}/{category}"}))
    return found


# --- reading and writing the file -------------------------------------------------------


def document_from_text(text: str | bytes) -> Any:
    """Parse a policy file; a JSON syntax error becomes a Problem with line and column."""
    try:
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"{exc.lineno}:{exc.colno}" if isinstance(exc, json.JSONDecodeError) else "?"
        raise DocumentSyntaxError(Problem("$", _("不是有效的 JSON（第 %(where)s 处）：%(msg)s") % {
            "where": where, "msg": exc.msg if isinstance(exc, json.JSONDecodeError) else exc.reason})) from exc


class DocumentSyntaxError(ValueError):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def document_to_text(document: dict[str, Any]) -> str:
    """The file as exported: keys in the schema's order (PostgreSQL jsonb forgets it)."""
    return json.dumps(_ordered(document, policy_schema()), ensure_ascii=False, indent=2) + "\n"


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(policy_schema()["$defs"][ref.removeprefix("#/$defs/")])
    return schema


def _ordered(value: Any, schema: dict[str, Any]) -> Any:
    schema = _resolve(schema)
    if isinstance(value, list):
        return [_ordered(v, schema.get("items", {})) for v in value]
    if not isinstance(value, dict):
        return value
    props: dict[str, Any] = dict(schema.get("properties", {}))
    for branch in schema.get("oneOf", []):
        if set(value) <= set(branch.get("properties", {})):
            props = dict(branch["properties"])
    known = [k for k in props if k in value]
    rest = [k for k in value if k not in props]
    return {k: _ordered(value[k], props.get(k, {})) for k in known + rest}

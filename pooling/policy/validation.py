"""Is this JSON a valid policy document? Every problem as a JSON path and a reason in Chinese.

Two passes: the published JSON Schema (pooling/policy/schema/policy.schema.json) for shape and
formats, then the rules a schema cannot say (floor below ceiling, every scheme × person
category × hospital level present once, national limits on out-of-city reductions…).
The second pass runs only on a document that passed the first, so it may index freely.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from pooling.kernel.choices import SCHEME_CATEGORIES, HospitalLevel
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import yuan_to_fen
from pooling.kernel.numbers import parse_percent
from pooling.kernel.problems import Problem

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "policy.schema.json"

# National limits (医保发〔2022〕22号): out-of-city ratio may fall by at most these points.
OUT_OF_CITY_MAX = {
    "registered_ratio_reduction_pct": Decimal(10),
    "unregistered_ratio_reduction_pct": Decimal(20),
}
# National floor (国办发〔2015〕57号): critical-illness insurance pays at least this share.
CRITICAL_RATIO_MIN = Decimal(50)
# Percent fields that may exceed 100 (the base ceiling is 300 % of the average wage).
PCT_OVER_100_ALLOWED = {"base_ceiling_pct"}


# Each problem is a `Problem` whose column is the JSON path (e.g. $.benefits.inpatient[3].ratio_pct).
MISSING = _("缺少必填项")
NOT_ALLOWED_FIELD = _("不允许的字段（请检查拼写）")
WRONG_TYPE = _("类型应为%(type)s")
NOT_YUAN = _('应为金额（元）字符串，最多两位小数，例如 "1200.00"')
NOT_PCT = _('应为百分比字符串，例如 "85" 或 "7.5"')
WRONG_FORMAT = _("格式不符合要求（%(pattern)s）")
NOT_IN_LIST = _("取值应为以下之一：%(values)s")
TOO_SMALL = _("不能小于 %(limit)s")
TOO_LARGE = _("不能大于 %(limit)s")
TOO_FEW = _("至少需要 %(n)s 项")
EMPTY = _("不能为空")
TOO_LONG = _("不能超过 %(n)s 个字符")
NOT_A_DATE = _("不是有效的日期（YYYY-MM-DD）")
MATERNITY_FORM = _(
    "应为定额（vaginal_delivery、caesarean、prenatal_checks）或按比例（ratio_pct）两种形式之一"
)
OTHER_RULE = _("不符合政策文件格式（%(rule)s）")
PCT_OVER_100 = _("百分比不能超过 100")
CEILING_NOT_ABOVE_FLOOR = _("缴费基数上限必须高于下限")
WAGE_NOT_POSITIVE = _("平均工资必须大于 0")
NO_BAND_FROM_ZERO = _("须有一档从 0 岁起（min_age 为 0），否则部分退休人员没有划入额")
DUPLICATE_BAND = _("年龄档重复")
ACTUAL_OVER_TOTAL = _("实际缴费年限不能多于累计缴费年限")
SPLIT_NOT_100 = _("各级财政分担比例合计应为 100，实为 %(total)s")
LATER_ABOVE_FIRST = _("再次住院起付标准不应高于首次住院")
DUPLICATE_DISEASE = _("病种编码重复")
OVER_NATIONAL_LIMIT = _("按医保发〔2022〕22号，降低幅度不得超过 %(limit)s 个百分点")
FIRST_BAND_NOT_ZERO = _("第一段须从 0 起（above 为 0）")
BANDS_NOT_ASCENDING = _("各段起点须逐段递增")
BELOW_CRITICAL_FLOOR = _("按国办发〔2015〕57号，大病保险支付比例不得低于 %(limit)s%%")
CATEGORY_NOT_OF_SCHEME = _("人员类别与险种不匹配")
DUPLICATE_COMBO = _("险种、人员类别、医院级别的组合重复")
MISSING_COMBO = _("缺少 %(combo)s 的标准")
CAPS_DIFFER = _("%(combo)s 各医院级别的年度限额必须相同")
NOT_JSON = _("不是有效的 JSON（第 %(where)s 处）：%(msg)s")


def _at(path: str, message: object, **params: object) -> Problem:
    return Problem(None, path, message, params)


def _pct(value: str) -> Decimal:
    """A percent the schema has shaped already (any size: the range is checked on its own)."""
    return parse_percent(value, maximum=None)


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
_TYPES = {
    "string": _("字符串"),
    "integer": _("整数"),
    "number": _("数字"),
    "boolean": "true/false",
    "object": _("对象"),
    "array": _("数组"),
}


def _schema_problem(error: ValidationError) -> Problem:
    path = error.json_path
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "required":  # one error per missing field: its message names which
        named = re.match(r"'([^']+)' is a required property", error.message)
        missing = [k for k in value if isinstance(instance, dict) and k not in instance]
        name = named.group(1) if named else (missing[0] if missing else "")
        return _at(f"{path}.{name}", MISSING)
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = (
            sorted(k for k in instance if k not in allowed) if isinstance(instance, dict) else []
        )
        return _at(f"{path}.{extra[0]}" if extra else path, NOT_ALLOWED_FIELD)
    if kind == "type":
        wanted = value if isinstance(value, str) else "/".join(value)
        return _at(path, WRONG_TYPE, type=_TYPES.get(wanted, wanted))
    if kind == "pattern":
        if value == _YUAN_PATTERN:
            return _at(path, NOT_YUAN)
        if value == _PCT_PATTERN or path.endswith("_pct"):
            return _at(path, NOT_PCT)
        return _at(path, WRONG_FORMAT, pattern=value)
    if kind == "enum":
        return _at(path, NOT_IN_LIST, values="、".join(map(str, value)))
    if kind in ("minimum", "exclusiveMinimum"):
        return _at(path, TOO_SMALL, limit=value)
    if kind in ("maximum", "exclusiveMaximum"):
        return _at(path, TOO_LARGE, limit=value)
    if kind == "minItems":
        return _at(path, TOO_FEW, n=value)
    if kind == "minLength":
        return _at(path, EMPTY)
    if kind == "maxLength":
        return _at(path, TOO_LONG, n=value)
    if kind == "format":
        return _at(path, NOT_A_DATE)
    if kind == "oneOf":
        return _at(path, MATERNITY_FORM)
    return _at(path, OTHER_RULE, rule=kind)


# --- rules beyond the schema ----------------------------------------------------------


def _semantic_problems(doc: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    try:
        date.fromisoformat(doc["effective_from"])
    except ValueError:
        problems.append(_at("$.effective_from", NOT_A_DATE))
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
                try:
                    parse_percent(value)  # the schema checked the form; this, the range
                except BusinessRuleError:
                    found.append(_at(here, PCT_OVER_100))
            else:
                found += _percent_problems(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _percent_problems(value, f"{path}[{i}]")
    return found


def _employee_problems(emp: dict[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    if _pct(emp["base_floor_pct"]) >= _pct(emp["base_ceiling_pct"]):
        found.append(_at("$.employee.base_ceiling_pct", CEILING_NOT_ABOVE_FLOOR))
    if yuan_to_fen(emp["average_monthly_wage"]) <= 0:
        found.append(_at("$.employee.average_monthly_wage", WAGE_NOT_POSITIVE))
    bands = [int(b["min_age"]) for b in emp["personal_account"]["retiree_monthly"]]
    if 0 not in bands:
        found.append(_at("$.employee.personal_account.retiree_monthly", NO_BAND_FROM_ZERO))
    if len(set(bands)) != len(bands):
        found.append(_at("$.employee.personal_account.retiree_monthly", DUPLICATE_BAND))
    years = emp["retiree_years"]
    if years["min_actual"] > min(years["men_total"], years["women_total"]):
        found.append(_at("$.employee.retiree_years.min_actual", ACTUAL_OVER_TOTAL))
    return found


def _resident_problems(res: dict[str, Any]) -> list[Problem]:
    total = sum(_pct(v) for v in res["subsidy_split_pct"].values())
    if total != 100:
        return [_at("$.resident.subsidy_split_pct", SPLIT_NOT_100, total=total)]
    return []


def _benefit_problems(ben: dict[str, Any]) -> list[Problem]:
    found = _grid_problems(ben["inpatient"], "$.benefits.inpatient", "annual_cap")
    found += _grid_problems(
        ben["outpatient_pooling"], "$.benefits.outpatient_pooling", "annual_limit"
    )
    for i, row in enumerate(ben["inpatient"]):
        if yuan_to_fen(row["deductible_later"]) > yuan_to_fen(row["deductible_first"]):
            found.append(_at(f"$.benefits.inpatient[{i}].deductible_later", LATER_ABOVE_FIRST))
    codes: set[str] = set()
    for i, disease in enumerate(ben["chronic_special"]["diseases"]):
        if disease["code"] in codes:
            found.append(_at(f"$.benefits.chronic_special.diseases[{i}].code", DUPLICATE_DISEASE))
        codes.add(disease["code"])
    for key, limit in OUT_OF_CITY_MAX.items():
        if _pct(ben["out_of_city"][key]) > limit:
            found.append(_at(f"$.benefits.out_of_city.{key}", OVER_NATIONAL_LIMIT, limit=limit))
    if "critical_illness" in ben:
        found += _band_problems(ben["critical_illness"]["bands"])
    return found


def _band_problems(bands: list[dict[str, Any]]) -> list[Problem]:
    """大病保险 bands: the first from 0, each starting above the one before, none below the floor."""
    path = "$.benefits.critical_illness.bands"
    starts = [yuan_to_fen(b["above"]) for b in bands]
    found = [] if starts[0] == 0 else [_at(f"{path}[0].above", FIRST_BAND_NOT_ZERO)]
    found += [
        _at(f"{path}[{i}].above", BANDS_NOT_ASCENDING)
        for i in range(1, len(starts))
        if starts[i] <= starts[i - 1]
    ]
    found += [
        _at(f"{path}[{i}].ratio_pct", BELOW_CRITICAL_FLOOR, limit=CRITICAL_RATIO_MIN)
        for i, band in enumerate(bands)
        if _pct(band["ratio_pct"]) < CRITICAL_RATIO_MIN
    ]
    return found


def _grid_problems(rows: list[dict[str, Any]], path: str, cap_key: str) -> list[Problem]:
    """Each scheme × category × level once, categories matching the scheme, one cap per scheme × category."""
    found: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    caps: dict[tuple[str, str], set[str]] = defaultdict(set)
    for i, row in enumerate(rows):
        key = (row["scheme"], row["category"], row["hospital_level"])
        if row["category"] not in SCHEME_CATEGORIES[row["scheme"]]:
            found.append(_at(f"{path}[{i}].category", CATEGORY_NOT_OF_SCHEME))
        elif key in seen:
            found.append(_at(f"{path}[{i}]", DUPLICATE_COMBO))
        seen.add(key)
        caps[key[:2]].add(str(yuan_to_fen(row[cap_key])))
    for scheme, categories in SCHEME_CATEGORIES.items():
        for category in categories:
            for level in HospitalLevel:
                if (scheme, category, level) not in seen:
                    found.append(_at(path, MISSING_COMBO, combo=f"{scheme}/{category}/{level}"))
    for (scheme_code, category_code), values in caps.items():
        if len(values) > 1:
            found.append(_at(path, CAPS_DIFFER, combo=f"{scheme_code}/{category_code}"))
    return found


# --- reading and writing the file -------------------------------------------------------


def document_from_text(text: str | bytes) -> Any:
    """Parse a policy file; a JSON syntax error becomes a Problem with line and column."""
    try:
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"{exc.lineno}:{exc.colno}" if isinstance(exc, json.JSONDecodeError) else "?"
        raise DocumentSyntaxError(
            _at(
                "$",
                NOT_JSON,
                where=where,
                msg=exc.msg if isinstance(exc, json.JSONDecodeError) else exc.reason,
            )
        ) from exc


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

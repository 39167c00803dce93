"""Import counties' pre-pooling parameters (CSV or XLSX) and report where the unified policy is less generous.

The CSV has one row per county × item: 区划代码, 项目代码, 数值 (money in yuan), and may
carry 项目名称 for the reader. A file is all-or-nothing; every county it names has its
old baseline replaced by the file's rows.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import RegionLevel
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import require
from pooling.kernel.problems import Problem
from pooling.models import CountyBaselineItem, PolicyVersion, Region, User
from pooling.policy.document import policy_of
from pooling.policy.unification.compare import (
    Finding,
    item_meta,
    less_generous,
    parse_value,
    policy_items,
)
from pooling.tabular.reader import Column, TableError, open_table

INVALID_FILE = _("统筹前参数文件有 %(count)s 处问题，未导入任何内容：%(problems)s")
NOT_A_COUNTY = _("不是本统筹区的经办单位代码")
UNKNOWN_ITEM = _("未知的项目代码")
DUPLICATE_ITEM = _("同一县（区）的项目重复")
NOT_MONEY = _("应为金额（元，最多两位小数）")
NOT_A_NUMBER = _("应为数字")


class BaselineFileInvalid(BusinessRuleError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            INVALID_FILE,
            code="invalid_baseline_file",
            params={"count": len(problems), "problems": "；".join(str(p) for p in problems[:20])},
        )


BASELINE_COLUMNS = [
    Column("county", "区划代码", halfwidth=True),
    Column("item", "项目代码", halfwidth=True),
    Column("value", "数值", halfwidth=True),
    Column("name", "项目名称", required=False),
]


def _parse(content: bytes) -> dict[str, dict[str, Decimal]]:
    """The file's values per county and item; read by pooling.tabular.reader (UTF-8/GBK CSV or XLSX)."""
    counties = set(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True))
    parsed: dict[str, dict[str, Decimal]] = defaultdict(dict)
    problems: list[Problem] = []
    try:
        with open_table(content, columns=BASELINE_COLUMNS) as table:
            for row in table:
                problems += row.errors
                if not row.errors:  # a cell the reader refused is not judged again
                    _parse_row(row.number, row.values, counties, parsed, problems)
    except TableError as exc:
        raise BaselineFileInvalid(
            [Problem.from_error(exc, row=exc.row or 1, column=exc.column)]
        ) from exc
    if problems:
        raise BaselineFileInvalid(problems)
    return parsed


def _parse_row(
    line: int,
    row: dict[str, str],
    counties: set[str],
    parsed: dict[str, dict[str, Decimal]],
    problems: list[Problem],
) -> None:
    county, key, raw = row["county"], row["item"], row["value"]
    meta = item_meta(key)
    if county not in counties:
        problems.append(Problem(line, "区划代码", NOT_A_COUNTY))
    if meta is None:
        problems.append(Problem(line, "项目代码", UNKNOWN_ITEM))
    elif key in parsed[county]:
        problems.append(Problem(line, "项目代码", DUPLICATE_ITEM))
    else:
        try:
            parsed[county][key] = parse_value(meta, raw)
        except (InvalidOperation, ValueError, BusinessRuleError):
            problems.append(Problem(line, "数值", NOT_MONEY if meta.money else NOT_A_NUMBER))


@transaction.atomic
def county_baselines_import(*, content: bytes, source: str, actor: User) -> dict[str, int]:
    """Replace the baseline of every county in the file; returns items saved per county."""
    require(actor, "policy.draft")
    parsed = _parse(content)
    CountyBaselineItem.objects.filter(county_id__in=list(parsed)).delete()
    rows = []
    for county, items in parsed.items():
        for key, value in items.items():
            meta = item_meta(key)
            assert meta is not None  # checked by _parse
            rows.append(
                CountyBaselineItem(
                    county_id=county,
                    item=key,
                    source=source[:200],
                    imported_by=actor,
                    amount_fen=int(value) if meta.money else None,
                    number=None if meta.money else value,
                )
            )
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)
    CountyBaselineItem.objects.bulk_create(rows)
    return {county: len(items) for county, items in parsed.items()}


def unification_findings(*, version: PolicyVersion) -> list[Finding]:
    """Every item, county by county, where `version` is less generous than the county's old standard."""
    unified = policy_items(policy_of(version))
    baselines: dict[str, dict[str, Decimal]] = defaultdict(dict)
    names: dict[str, str] = {}
    for item in CountyBaselineItem.objects.select_related("county").order_by(
        "county__sort_order", "item"
    ):
        value = Decimal(item.amount_fen) if item.amount_fen is not None else item.number
        assert value is not None  # the check constraint guarantees one of the two
        baselines[item.county_id][item.item] = value
        names[item.county_id] = item.county.name
    findings: list[Finding] = []
    for code, baseline in baselines.items():
        findings += less_generous(
            unified=unified, county_code=code, county_name=names[code], baseline=baseline
        )
    return findings

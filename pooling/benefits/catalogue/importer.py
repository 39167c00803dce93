"""Import a catalogue version from CSV (UTF-8, UTF-8 with BOM, or GBK) or XLSX, all or nothing.

Every row is checked first and every problem collected as (row, column, reason);
one problem and nothing is written. A clean file is written in one statement stream
(COPY on PostgreSQL), so 100,000 items take seconds, not minutes.

Columns (header names, Chinese or English; order free):
    目录类别 kind       药品 / 诊疗项目 / 医疗服务设施 (or drug / item / facility);
                        optional when the upload names one kind for the whole file
    编码 code           drug 20 or 23 characters; service item / facility 15 digits
                        (a special medical material may carry its 27-character C… code)
    名称 name
    甲乙类 class        甲 / 乙 / 丙 (甲类…, A / B / C)
    自付比例 self_pay_pct   class B only, percent; empty = the policy's default
    限定支付范围 restrictions
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from pooling.benefits.catalogue.models import (
    CatalogueItem,
    CatalogueKind,
    CatalogueStatus,
    CatalogueVersion,
)
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.numbers import parse_percent
from pooling.kernel.permissions import require
from pooling.kernel.problems import Problem
from pooling.kernel.regions import User
from pooling.tabular.reader import Column, TableError, open_table

IMPORT_REJECTED = _("目录文件有 %(count)d 处错误，未导入任何条目")
BAD_KIND = _("目录类别应为 药品 / 诊疗项目 / 医疗服务设施")
BAD_DRUG_CODE = _("药品编码应为20位或23位字母数字")
BAD_ITEM_CODE = _("诊疗项目/服务设施编码应为15位数字（特殊医用材料为C开头27位）")
BAD_CLASS = _("甲乙类应为 甲 / 乙 / 丙（或 A / B / C）")
EMPTY_NAME = _("名称不能为空")
PCT_NOT_B = _("只有乙类可以填写自付比例")
DUPLICATE = _("编码重复（与第%(first)d行相同）")
VERSION_EXISTS = _("目录版本号 %(code)s 已存在")

KINDS = {
    "药品": "drug",
    "西药": "drug",
    "中成药": "drug",
    "诊疗项目": "item",
    "医疗服务项目": "item",
    "特殊医用材料": "item",
    "医用耗材": "item",
    "医疗服务设施": "facility",
    "服务设施": "facility",
    "drug": "drug",
    "item": "item",
    "facility": "facility",
}
CLASSES = {
    "甲": "A",
    "甲类": "A",
    "a": "A",
    "乙": "B",
    "乙类": "B",
    "b": "B",
    "丙": "C",
    "丙类": "C",
    "c": "C",
    "自费": "C",
}
DRUG_CODE = re.compile(r"[A-Z0-9]{20}(?:[A-Z0-9]{3})?")
ITEM_CODE = re.compile(r"[0-9]{15}|C[A-Z0-9]{26}")


@dataclass
class ImportReport:
    encoding: str = ""
    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"drug": 0, "item": 0, "facility": 0})
    errors: list[Problem] = field(default_factory=list)
    items: list[tuple[str, str, str, str, Decimal | None, str]] = field(
        default_factory=list, repr=False
    )

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows > 0

    def add(self, row: int, column: str, message: Any, **params: Any) -> None:
        labels = {c.key: c.label for c in _columns(None)}
        self.errors.append(Problem(row, labels.get(column, column), message, params))


class CatalogueImportError(BusinessRuleError):
    """The file was refused; `report` names every row, column and reason."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__(
            IMPORT_REJECTED, code="catalogue_rejected", params={"count": len(report.errors)}
        )


# --- reading and checking ------------------------------------------------------------


def _columns(default_kind: str | None) -> list[Column]:
    # Lengths are the model's; the reader refuses a longer cell by row and column.
    return [
        Column("kind", "目录类别", ("类别",), required=default_kind is None),
        Column("code", "编码", ("国家医保编码", "医保编码"), max_length=30, halfwidth=True),
        Column("name", "名称", ("药品名称", "项目名称"), max_length=200),
        Column("cls", "甲乙类", ("甲乙类别", "支付类别", "class"), halfwidth=True),
        Column("self_pay_pct", "自付比例", ("先行自付比例",), required=False, halfwidth=True),
        Column(
            "restrictions", "限定支付范围", ("限制条件", "备注"), required=False, multiline=True
        ),
    ]


def check(data: bytes, filename: str, *, default_kind: str | None = None) -> ImportReport:
    """Read and check every row; the report carries the rows ready to write, or the errors.

    The file is read by `pooling.tabular.reader` (encodings, XLSX, truncated or empty files —
    each with its own message, as in every other import); a catalogue has no dates, so
    a workbook goes through the lean text reader.
    """
    report = ImportReport()
    try:
        with open_table(data, columns=_columns(default_kind)) as table:
            report.encoding = table.source_format
            seen: dict[str, int] = {}
            for row in table:
                report.rows += 1
                report.errors.extend(row.errors)
                if not row.errors:  # a cell the reader refused is not judged again
                    _check_row(report, row.number, row.values, default_kind, seen)
    except TableError as exc:
        report.errors.append(
            Problem.from_error(exc, row=exc.row or 1, column=exc.column)
        )  # the header, or the cell to blame
    return report


def _check_row(
    report: ImportReport,
    n: int,
    row: dict[str, str],
    default_kind: str | None,
    seen: dict[str, int],
) -> None:
    errors = len(report.errors)
    raw_kind = row.get("kind") or (default_kind or "")
    kind = KINDS.get(raw_kind.lower() if raw_kind.isascii() else raw_kind)
    if kind is None:
        report.add(n, "kind", BAD_KIND)
    code = row["code"].upper()
    if kind == "drug" and not DRUG_CODE.fullmatch(code):
        report.add(n, "code", BAD_DRUG_CODE)
    elif kind in ("item", "facility") and not ITEM_CODE.fullmatch(code):
        report.add(n, "code", BAD_ITEM_CODE)
    if code in seen:
        report.add(n, "code", DUPLICATE, first=seen[code])
    else:
        seen[code] = n
    name = row["name"]
    if not name:
        report.add(n, "name", EMPTY_NAME)
    raw_cls = row["cls"]
    cls = CLASSES.get(raw_cls.lower() if raw_cls.isascii() else raw_cls)
    if cls is None:
        report.add(n, "cls", BAD_CLASS)
    pct = _pct(report, n, row.get("self_pay_pct", ""), cls)
    if len(report.errors) == errors and kind and cls:
        report.counts[kind] += 1
        report.items.append((kind, code, name, cls, pct, row.get("restrictions", "")))


def _pct(report: ImportReport, n: int, raw: str, cls: str | None) -> Decimal | None:
    if not raw:
        return None
    try:
        value = parse_percent(raw, places=2)
    except BusinessRuleError as exc:
        report.add(n, "self_pay_pct", exc.message, **exc.params)
        return None
    if cls != "B":
        report.add(n, "self_pay_pct", PCT_NOT_B)
        return None
    return value


# --- writing -------------------------------------------------------------------------


def _write(
    version: CatalogueVersion, items: Iterable[tuple[str, str, str, str, Decimal | None, str]]
) -> None:
    if connection.vendor == "postgresql":
        table = CatalogueItem._meta.db_table
        sql = f"COPY {table} (version_id, kind, code, name, cls, self_pay_pct, restrictions) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for item in items:
                copy.write_row((version.pk, *item))
        return
    CatalogueItem.objects.bulk_create(
        (
            CatalogueItem(
                version=version, kind=k, code=c, name=n, cls=cl, self_pay_pct=p, restrictions=r
            )
            for k, c, n, cl, p, r in items
        ),
        batch_size=5000,
    )


def catalogue_import(
    *,
    data: bytes,
    filename: str,
    code: str,
    title: str,
    effective_from: date,
    actor: User,
    default_kind: str | None = None,
    demo: bool = False,
) -> CatalogueVersion:
    """Create a draft catalogue version from a file, or raise CatalogueImportError with the report.

    The importer is its maker: a different administrator approves and publishes it
    (`pooling.benefits.catalogue.services`)."""
    require(actor, "catalogue.draft")
    if default_kind is not None and default_kind not in CatalogueKind.values:
        raise BusinessRuleError(BAD_KIND, code="bad_kind", field="default_kind")
    report = check(data, filename, default_kind=default_kind)
    if not report.ok:
        raise CatalogueImportError(report)
    with transaction.atomic():
        if CatalogueVersion.objects.filter(code=code).exists():
            raise BusinessRuleError(
                VERSION_EXISTS, code="version_exists", field="code", params={"code": code}
            )
        version = CatalogueVersion(
            code=code,
            title=title,
            effective_from=effective_from,
            source_name=filename[:255],
            drug_count=report.counts["drug"],
            item_count=report.counts["item"],
            facility_count=report.counts["facility"],
            imported_by=actor,
            demo=demo,
        )
        version.full_clean(validate_unique=False)
        with unique_clash(
            BusinessRuleError(
                VERSION_EXISTS, code="version_exists", field="code", params={"code": code}
            )
        ):  # imported meanwhile by another
            version.save()
        _write(version, report.items)
    return version


DEMO_FILE = "demo.csv"
DEMO_CODE = "DEMO-2026"


def load_demo_catalogue(*, maker: User, checker: User, echo: Any = print) -> CatalogueVersion:
    """The demo catalogue (演示数据, codes of the right shape, not a real list), imported by
    `maker` and published by `checker` from 2026-01-01. Idempotent: once published, a
    second call finds it and does nothing."""
    from pathlib import Path

    from pooling.benefits.catalogue.services import catalogue_publish, catalogue_submit

    version = CatalogueVersion.objects.filter(code=DEMO_CODE).first()
    if version is None:
        data = (Path(__file__).resolve().parent / DEMO_FILE).read_bytes()
        version = catalogue_import(
            data=data,
            filename=DEMO_FILE,
            code=DEMO_CODE,
            actor=maker,
            title="演示医保目录（2026，非真实目录）",
            effective_from=date(2026, 1, 1),
            demo=True,
        )
    if version.status == CatalogueStatus.PUBLISHED:
        return version
    if version.demo and version.imported_by_id is None:  # loaded before maker-checker: sign it now
        CatalogueVersion.objects.filter(pk=version.pk).update(
            imported_by=maker, status=CatalogueStatus.DRAFT
        )
        version.refresh_from_db()
    if version.status != CatalogueStatus.SUBMITTED:
        version = catalogue_submit(version=version, actor=maker)
    version = catalogue_publish(version=version, actor=checker)
    echo(
        f"演示医保目录：{version.total_count} 条（药品 {version.drug_count}，诊疗项目 {version.item_count}，"
        f"服务设施 {version.facility_count}）"
    )
    return version

"""Downloads of the handling lists — people, employers, declarations, arrears — with the
same filters as their pages, through the one writer (`pooling.web.exports`). Every
query is county-scoped like the page: a clerk exports their own county only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import selectors
from enrollment.models import DeclarationStatus, EmployerStatus, EnrolmentStatus
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.web.exports import (
    CODE,
    DATE,
    INTEGER,
    MONEY,
    MONTH,
    Column,
    Table,
    export_response,
    scope_name,
)

CHUNK = 2000


def _filters(request: HttpRequest, *keys: str) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in keys}


def _table(
    title: str, columns: list[Column], rows: Any, shown: list[tuple[str, Any]], totals: bool = False
) -> Table:
    unit, today = scope_name(), timezone.localdate()
    meta = [
        (_("经办单位"), unit),
        *[(k, v) for k, v in shown if v],
        (_("导出日期"), today.isoformat()),
    ]
    return Table(
        title=title,
        columns=columns,
        rows=rows,
        meta=meta,
        totals=_("合计") if totals else None,
        name_parts=[unit, f"{today:%Y%m%d}"],
    )


def _label(choices: Any, value: str) -> str:
    return str(dict(choices).get(value, "")) if value else ""


def _people_rows(rows: QuerySet[Any]) -> Iterator[list[Any]]:
    for p in rows.iterator(chunk_size=CHUNK):
        yield [
            p.name,
            p.id_number,
            p.get_sex_display(),
            p.birth_date,
            p.get_category_display(),
            p.get_special_group_display() if p.special_group else "",
            p.county.name,
            p.phone,
        ]


@login_required
def people_export(request: HttpRequest) -> HttpResponseBase:
    f = _filters(request, "q", "category", "scheme", "status")
    columns = [
        Column(_("姓名"), width=12),
        Column(_("身份证号码"), CODE),
        Column(_("性别"), width=6),
        Column(_("出生日期"), DATE),
        Column(_("人员类别")),
        Column(_("特殊群体")),
        Column(_("经办单位"), width=14),
        Column(_("联系电话"), CODE, width=14),
    ]
    shown = [
        (_("查询"), f["q"]),
        (_("人员类别"), _label(PersonCategory.choices, f["category"])),
        (_("险种"), _label(Scheme.choices, f["scheme"])),
        (_("参保状态"), _label(EnrolmentStatus.choices, f["status"])),
    ]
    table = _table(_("参保人员名单"), columns, _people_rows(selectors.people_list(**f)), shown)
    return export_response(table, request.GET.get("format"))


@login_required
def employers_export(request: HttpRequest) -> HttpResponseBase:
    f = _filters(request, "q", "status")
    rows = (
        [
            e.name,
            e.credit_code,
            e.county.name,
            e.industry,
            e.active_count,  # type: ignore[attr-defined]  # annotated by the selector
            e.get_status_display(),
            e.contact_name,
            e.contact_phone,
            e.address,
        ]
        for e in selectors.employers_list(**f).iterator(chunk_size=CHUNK)
    )
    columns = [
        Column(_("单位名称"), width=30),
        Column(_("统一社会信用代码"), CODE),
        Column(_("经办单位"), width=14),
        Column(_("所属行业")),
        Column(_("在保人数"), INTEGER, total=True),
        Column(_("状态"), width=8),
        Column(_("联系人"), width=10),
        Column(_("联系电话"), CODE, width=14),
        Column(_("地址"), width=36),
    ]
    shown = [(_("查询"), f["q"]), (_("状态"), _label(EmployerStatus.choices, f["status"]))]
    return export_response(
        _table(_("参保单位名单"), columns, rows, shown, totals=True), request.GET.get("format")
    )


def _declaration_columns() -> list[Column]:
    return [
        Column(_("费款所属期"), MONTH),
        Column(_("参保单位"), width=30),
        Column(_("统一社会信用代码"), CODE),
        Column(_("经办单位"), width=14),
        Column(_("应缴"), MONEY, total=True),
        Column(_("已到账"), MONEY, total=True),
    ]


@login_required
def declarations_export(request: HttpRequest) -> HttpResponseBase:
    status = request.GET.get("status", "").strip()
    rows = (
        [
            d.month,
            d.employer.name,
            d.employer.credit_code,
            d.county.name,
            d.total_fen,
            d.paid_fen,
            d.get_status_display(),
        ]
        for d in selectors.declarations_list(status=status).iterator(chunk_size=CHUNK)
    )
    columns = [*_declaration_columns(), Column(_("到账状态"), width=10)]
    shown = [(_("到账状态"), _label(DeclarationStatus.choices, status))]
    return export_response(
        _table(_("缴费申报与到账"), columns, rows, shown, totals=True), request.GET.get("format")
    )


@login_required
def arrears_export(request: HttpRequest) -> HttpResponseBase:
    rows = (
        [
            d.month,
            d.employer.name,
            d.employer.credit_code,
            d.county.name,
            d.total_fen,
            d.paid_fen,
            d.owed,
        ]
        for d in selectors.arrears().iterator(chunk_size=CHUNK)
    )
    columns = [*_declaration_columns(), Column(_("欠费"), MONEY, total=True)]
    return export_response(
        _table(_("欠费清单"), columns, rows, [], totals=True), request.GET.get("format")
    )

"""Admin exports (django-import-export's Export button) written by the one writer.

`WriterExportMixin` on a ModelAdmin exports the rows the changelist shows — its search
and filters applied, county-scoped like every query — as a table of the model's own
fields with their Chinese names: amounts kept in fen as yuan, choices as their labels,
keys as the names behind them. `CsvFormat` and `XlsxFormat` hand whatever they are
given to `pooling.web.exports`, so even a plain import-export admin that someone adds
later writes formula-safe files (a test checks every admin uses the mixin).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import Format
from import_export.forms import ExportForm

from pooling.kernel.audit_selectors import field_label
from pooling.web import exports
from pooling.web.exports import CODE, DATE, DATETIME, DECIMAL, MONEY, TEXT, Column, Table

CHUNK = 2000


def _as_table(data: Any) -> Table:
    if isinstance(data, Table):
        return data
    # A tablib Dataset from a plain import-export resource: text and numbers as given.
    return Table(
        title=data.title or "export",
        columns=[Column(str(h)) for h in data.headers or []],
        rows=(list(row) for row in data),
    )


class CsvFormat(Format):
    def get_title(self) -> str:
        return "CSV"

    def get_extension(self) -> str:
        return "csv"

    def get_content_type(self) -> str:
        return exports.CSV_TYPE

    def can_export(self) -> bool:
        return True

    def export_data(self, dataset: Any, **kwargs: Any) -> bytes:
        return exports.csv_bytes(_as_table(dataset))


class XlsxFormat(CsvFormat):
    def get_title(self) -> str:
        return "Excel (XLSX)"

    def get_extension(self) -> str:
        return "xlsx"

    def get_content_type(self) -> str:
        return exports.XLSX_TYPE

    def export_data(self, dataset: Any, **kwargs: Any) -> bytes:
        return exports.xlsx_bytes(_as_table(dataset))


def _kind(field: models.Field[Any, Any]) -> str:
    if field.name.endswith("_fen") and isinstance(field, models.IntegerField):
        return MONEY
    if field.choices or field.is_relation or isinstance(field, models.BooleanField):
        return TEXT
    if isinstance(field, models.DateTimeField):
        return DATETIME
    if isinstance(field, models.DateField):
        return DATE
    if isinstance(field, models.IntegerField | models.DecimalField):
        return DECIMAL  # ids and years as plain numbers, not 2,026
    return CODE  # codes and names: every digit kept, formulas neutralised


def _value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    if field.is_relation:
        related = getattr(obj, field.name)
        return "" if related is None else str(related)
    value = getattr(obj, field.attname)
    if isinstance(value, dict | list):
        return str(value)
    return value


def model_table(model: type[models.Model], queryset: QuerySet[Any]) -> Table:
    """The model's own fields, as the admin's reader names them."""
    fields = [f for f in model._meta.concrete_fields if f.name not in ("password",)]
    relations = [f.name for f in fields if f.is_relation]

    def rows() -> Iterator[list[Any]]:
        for obj in queryset.select_related(*relations).iterator(chunk_size=CHUNK):
            yield [_value(obj, f) for f in fields]

    return Table(
        title=str(model._meta.verbose_name_plural),
        rows=rows(),
        columns=[Column(field_label(model, f.name), _kind(f)) for f in fields],
        meta=[(_("数据范围"), exports.scope_name())],
        name_parts=[f"{timezone.localdate():%Y%m%d}"],
    )


class WriterExportMixin(ExportMixin):
    """The admin's Export button, through the one writer (CSV or XLSX)."""

    export_form_class = ExportForm  # the whole table: the writer, not the form, picks columns

    def has_export_permission(self, request: HttpRequest) -> bool:
        # Whoever may read the changelist may take it away; nobody else.
        return bool(self.has_view_permission(request))

    def get_export_formats(self) -> list[type[Format]]:
        return [CsvFormat, XlsxFormat]

    def get_export_data(
        self, file_format: Any, request: HttpRequest, queryset: Any, **kwargs: Any
    ) -> bytes:
        if not self.has_export_permission(request):
            raise PermissionDenied
        return file_format.export_data(model_table(self.model, queryset))

    def export_action(self, request: HttpRequest) -> HttpResponseBase:
        response = super().export_action(request)
        if response.has_header("Content-Disposition"):
            # import-export writes a Latin-1 "Model-2026-01-01.csv"; ours is Chinese, RFC 5987.
            extension = "xlsx" if response["Content-Type"] == exports.XLSX_TYPE else "csv"
            table = Table(
                title=str(self.model._meta.verbose_name_plural),
                columns=[],
                rows=[],
                name_parts=[f"{timezone.localdate():%Y%m%d}"],
            )
            response["Content-Disposition"] = exports.content_disposition(
                exports.file_name(table, extension)
            )
        return response

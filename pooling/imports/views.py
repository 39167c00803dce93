"""Pages of the bulk imports (/imports/): upload, the batch with its preview,
errors and progress, commit, the error report and the templates. The work is done
by `pooling.imports.services` through its Celery tasks; these views only call them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pooling.imports import services
from pooling.imports.kinds import all_kinds
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.imports.tasks import import_commit, import_preview
from pooling.kernel.errors import BusinessRuleError
from pooling.tabular.reader import error_report_table
from pooling.web.decorators import acting, capability_required
from pooling.web.exports import CODE, Column, Table, export_response

ERRORS_PER_PAGE = 100
KIND_HELP = _("经办人员只能导入本经办单位的数据；“经办机构代码”列可省略（默认本单位）。")


def _kind_choices() -> list[tuple[str, str]]:
    return [(k.key, str(k.label)) for k in all_kinds().values()]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"), choices=_kind_choices)
    # An empty file goes through the workflow like any other, to end as a failed batch
    # with the reader's message (the API and the command line do the same).
    file = forms.FileField(
        label=_("文件（CSV 或 XLSX）"),
        allow_empty_file=True,
        help_text=_("CSV 可为 UTF-8（含或不含 BOM）或 GBK 编码；第一行为表头。"),
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    form = UploadForm()
    batches = ImportBatch.objects.filter(kind__in=[k for k, _l in _kind_choices()]).select_related(
        "uploaded_by", "county"
    )[:30]
    return render(
        request,
        "pooling/imports/index.html",
        {"form": form, "batches": batches, "kinds": _kinds_with_columns(), "help": KIND_HELP},
    )


@capability_required("import.run")
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_upload(
                actor=acting(request),
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
            )
        except BusinessRuleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.text())
        else:
            # Eager (embedded default): the preview runs now; with a worker the page polls.
            transaction.on_commit(lambda: import_preview.delay(batch.pk))
            return redirect("imports:batch", pk=batch.pk)
    batches = ImportBatch.objects.select_related("uploaded_by", "county")[:30]
    return render(
        request,
        "pooling/imports/index.html",
        {"form": form, "batches": batches, "kinds": _kinds_with_columns(), "help": KIND_HELP},
    )


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ImportBatch.objects.select_related("uploaded_by", "county"), pk=pk)
    errors = Paginator(item.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    kind = all_kinds().get(item.kind)
    return render(
        request,
        "pooling/imports/batch.html",
        {
            "batch": item,
            "errors": errors,
            "kind_label": kind.label if kind else item.kind,
            "running": item.status in _RUNNING,
            "more_errors": item.error_count > len(item.errors or []),
        },
    )


_RUNNING = (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.COMMITTING)


@login_required
def progress(request: HttpRequest, pk: int) -> JsonResponse:
    item = get_object_or_404(ImportBatch, pk=pk)
    return JsonResponse(
        {
            "status": item.status,
            "status_label": str(item.get_status_display()),
            "rows_done": item.rows_done,
            "rows_total": item.rows_total,
            "percent": item.percent,
            "error_count": item.error_count,
            "running": item.status in _RUNNING,
        }
    )


@require_POST
@capability_required("import.run")
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ImportBatch, pk=pk)
    if item.status == ImportStatus.COMMITTED:
        messages.error(request, str(services.ALREADY_COMMITTED))
    elif not item.is_clean:
        messages.error(request, str(services.NOT_READY))
    else:
        transaction.on_commit(lambda: import_commit.delay(item.pk))
    return redirect("imports:batch", pk=pk)


@login_required
def error_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_object_or_404(ImportBatch, pk=pk)
    table = error_report_table(item.errors or [])
    table.name_parts = [_("批次%(pk)s") % {"pk": item.pk}]
    return export_response(table, request.GET.get("format"))


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponseBase:
    """A template for a kind: its headers and one example row (CSV by default, or XLSX)."""
    found = all_kinds().get(kind)
    if found is None:
        raise Http404
    # The example row is text as a clerk would type it (ID numbers keep every digit).
    table = Table(
        title=_("导入模板"),
        name_parts=[found.label],
        rows=found.template_rows(),
        columns=[
            Column(c.label, CODE, width=max(12, 2 * len(str(c.label)) + 2)) for c in found.columns
        ],
    )
    return export_response(table, request.GET.get("format"))


def _kinds_with_columns() -> list[dict[str, object]]:
    return [
        {
            "key": k.key,
            "label": k.label,
            "columns": [(c.label, c.required, c.meaning()) for c in k.columns],
        }
        for k in all_kinds().values()
    ]

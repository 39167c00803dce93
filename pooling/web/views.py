from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.heartbeat import heartbeat_status
from pooling.kernel import audit_selectors as audit
from pooling.kernel.choices import Role
from pooling.kernel.regions import handling_units
from pooling.web.decorators import acting, capability_required
from pooling.web.exports import DATETIME, MONEY, Column, Table, export_response
from pooling.web.home import collect_widgets


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = acting(request)
    return render(
        request,
        "pooling/home.html",
        {
            "widgets": collect_widgets(request),
            "role_label": user.get_role_display()
            if user.role
            else ("系统管理员" if user.is_superuser else ""),
            "units": handling_units() if user.role != Role.COUNTY_CLERK else [],
            # Tasks run eagerly in the embedded demo: there is no worker to miss.
            "heartbeat": None if settings.CELERY_TASK_ALWAYS_EAGER else heartbeat_status(),
        },
    )


FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico of every page that names no icon (the admin, the API docs)."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


class AuditFilterForm(forms.Form):
    """The auditor's filters; a bad date is named beside its field, the rest still applies."""

    q = forms.CharField(
        label=_("人员/单位/机构名称、证件号码或字段名"), required=False, max_length=100
    )
    model = forms.ChoiceField(label=_("对象类型"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.TypedChoiceField(
        label=_("动作"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("全部"))] + [(k, v) for k, v in audit.ACTIONS.items()],
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["model"]).choices = [
            ("", _("全部")),
            *audit.model_choices(),
        ]

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            k: data.get(k) or None if k in ("date_from", "date_to", "action") else data.get(k) or ""
            for k in self.fields
        }


def _shown(form: AuditFilterForm) -> list[tuple[Any, Any]]:
    """The filters in force, as the title block of the export states them."""
    shown = []
    for name, value in form.filters().items():
        if value not in (None, ""):
            field = form.fields[name]
            choices = dict(getattr(field, "choices", []))
            shown.append((field.label, choices.get(value, value)))
    return shown


def _audit_entries(request: HttpRequest) -> tuple[AuditFilterForm, Any]:
    form = AuditFilterForm(request.GET or None)
    return form, audit.audit_search(**form.filters())


@capability_required("audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    form, entries = _audit_entries(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pooling/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": list(audit.audit_rows(page.object_list)),
            "query": query.urlencode(),
        },
    )


AUDIT_COLUMNS = [
    Column(_("时间"), DATETIME),
    Column(_("操作人"), width=12),
    Column(_("动作"), width=6),
    Column(_("对象类型"), width=16),
    Column(_("对象"), width=36),
    Column(_("字段"), width=20),
    Column(_("原值"), width=24),
    Column(_("新值"), width=24),
    Column(_("原金额"), MONEY),
    Column(_("新金额"), MONEY),
]


def _audit_export_rows(entries: Any) -> Iterator[list[Any]]:
    for row in audit.audit_rows(entries.iterator(chunk_size=audit.CHUNK)):
        head = [row.when, row.actor, row.action, row.model_label, row.object_label]
        for c in row.changes or [audit.Change(label="")]:
            yield [*head, c.label, c.old, c.new, c.old_fen, c.new_fen]


@capability_required("audit.view")
def audit_log_export(request: HttpRequest) -> HttpResponseBase:
    """The entries the filters find, one row per changed field."""
    form, entries = _audit_entries(request)
    table = Table(
        title=_("审计日志"),
        columns=AUDIT_COLUMNS,
        rows=_audit_export_rows(entries),
        meta=[*_shown(form), (_("导出时间"), f"{timezone.localtime():%Y-%m-%d %H:%M}")],
        name_parts=[f"{timezone.localdate():%Y%m%d}"],
    )
    return export_response(table, request.GET.get("format"))


def regions(request: HttpRequest) -> HttpResponse:
    return render(request, "pooling/regions.html", {"units": handling_units()})

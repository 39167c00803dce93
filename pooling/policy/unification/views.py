"""The 待遇不降 page: import counties' old parameters, list where the unified standard is less generous."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import fen_to_yuan
from pooling.kernel.permissions import can
from pooling.models import PolicyStatus, PolicyVersion
from pooling.policy.document import policy_of
from pooling.policy.unification.compare import Finding, item_meta, policy_items
from pooling.policy.unification.services import (
    BaselineFileInvalid,
    county_baselines_import,
    unification_findings,
)
from pooling.web.decorators import acting, capability_required
from pooling.web.exports import CODE, Column, Table, export_response


class BaselineForm(forms.Form):
    file = forms.FileField(
        label=_("统筹前参数文件（CSV：区划代码, 项目代码, 数值）"), allow_empty_file=True
    )  # the reader says "empty", as in every import


def _version(code: str) -> PolicyVersion | None:
    versions = PolicyVersion.objects.order_by("-effective_from")
    if code:
        return versions.filter(code=code).first()
    return versions.filter(status=PolicyStatus.PUBLISHED).first() or versions.first()


def _shown(value: Decimal | None, money: bool) -> str:
    if value is None:
        return str(_("（统一政策未列）"))
    return str(fen_to_yuan(int(value))) if money else format(value.normalize(), "f")


def _value(value: Decimal | None, money: bool) -> Decimal | str:
    """The value as a number for the export (yuan for money), or the page's note."""
    if value is None:
        return _shown(value, money)
    return fen_to_yuan(int(value)) if money else value


def _rows(findings: list[Finding]) -> list[list[str]]:
    return [
        [
            f.county_code,
            f.county_name,
            f.key,
            f.label,
            _shown(f.county_value, f.money),
            _shown(f.unified_value, f.money),
        ]
        for f in findings
    ]


HEADER = [_("区划代码"), _("县（区）"), _("项目代码"), _("项目"), _("统筹前标准"), _("统一标准")]


@login_required
def unification(request: HttpRequest) -> HttpResponse:
    version = _version(request.GET.get("version", ""))
    findings = unification_findings(version=version) if version else []
    return render(
        request,
        "pooling/unification.html",
        {
            "version": version,
            "versions": PolicyVersion.objects.order_by("-effective_from").defer("document"),
            "rows": _rows(findings),
            "header": HEADER,
            "form": BaselineForm(),
            "can_import": can(request.user, "policy.draft"),
            "counties": sorted({f.county_name for f in findings}),
        },
    )


@login_required
def unification_export(request: HttpRequest) -> HttpResponseBase:
    version = _version(request.GET.get("version", ""))
    if version is None:
        raise Http404
    rows = [
        [
            f.county_code,
            f.county_name,
            f.key,
            f.label,
            _value(f.county_value, f.money),
            _value(f.unified_value, f.money),
        ]
        for f in unification_findings(version=version)
    ]
    columns = [
        Column(HEADER[0], CODE, width=10),
        Column(HEADER[1]),
        Column(HEADER[2], width=36),
        Column(HEADER[3], width=36),
        Column(HEADER[4]),
        Column(HEADER[5]),
    ]
    table = Table(
        title=_("待遇不降核对"),
        columns=columns,
        rows=rows,
        meta=[(_("政策版本"), version.code), (_("说明"), _("金额单位为元，比例单位为%"))],
        name_parts=[version.title or version.code],
    )
    return export_response(table, request.GET.get("format"))


@capability_required("policy.draft")
def unification_import(request: HttpRequest) -> HttpResponse:
    form = BaselineForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            saved = county_baselines_import(
                content=upload.read(), source=upload.name, actor=acting(request)
            )
        except BaselineFileInvalid as exc:
            form.add_error("file", _("未导入：共 %(n)s 处问题") % {"n": len(exc.problems)})
            for problem in exc.problems:
                form.add_error("file", str(problem))
        except BusinessRuleError as exc:
            form.add_error("file", exc.text())
        else:
            messages.success(
                request,
                _("已导入 %(c)s 个县（区）共 %(n)s 项统筹前参数")
                % {"c": len(saved), "n": sum(saved.values())},
            )
            return redirect("pooling:unification")
    return render(request, "pooling/unification_import.html", {"form": form})


@login_required
def unification_template(request: HttpRequest) -> HttpResponseBase:
    """A CSV to fill in: every item key of a policy version with its name and the unified value."""
    version = _version(request.GET.get("version", ""))
    items: dict[str, Any] = policy_items(policy_of(version)) if version else {}
    rows = []
    for key, value in items.items():
        meta = item_meta(key)
        if meta is not None:
            rows.append(["", key, meta.label, "", _value(value, meta.money)])
    columns = [
        Column(_("区划代码"), CODE, width=10),
        Column(_("项目代码"), width=36),
        Column(_("项目名称"), width=36),
        Column(_("数值")),
        Column(_("统一标准（参考）")),
    ]
    table = Table(title=_("统筹前参数模板"), columns=columns, rows=rows)
    return export_response(table, request.GET.get("format"))

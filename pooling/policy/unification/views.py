"""The 待遇不降 page: import counties' old parameters, list where the unified standard is less generous."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import Role
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import fen_to_yuan
from pooling.kernel.permissions import user_has_role
from pooling.models import PolicyStatus, PolicyVersion
from pooling.policy.document import policy_of
from pooling.policy.unification.compare import Finding, item_meta, policy_items
from pooling.policy.unification.services import (
    BaselineFileInvalid,
    county_baselines_import,
    unification_findings,
)
from pooling.web.decorators import role_required
from pooling.web.exports import csv_response


class BaselineForm(forms.Form):
    file = forms.FileField(label=_("统筹前参数文件（CSV：区划代码, 项目代码, 数值）"))


def _version(code: str) -> PolicyVersion | None:
    versions = PolicyVersion.objects.order_by("-effective_from")
    if code:
        return versions.filter(code=code).first()
    return versions.filter(status=PolicyStatus.PUBLISHED).first() or versions.first()


def _shown(value: Decimal | None, money: bool) -> str:
    if value is None:
        return str(_("（统一政策未列）"))
    return str(fen_to_yuan(int(value))) if money else format(value.normalize(), "f")


def _rows(findings: list[Finding]) -> list[list[str]]:
    return [[f.county_code, f.county_name, f.key, f.label, _shown(f.county_value, f.money),
             _shown(f.unified_value, f.money)] for f in findings]


HEADER = ["区划代码", "县（区）", "项目代码", "项目", "统筹前标准", "统一标准"]


@login_required
def unification(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    version = _version(request.GET.get("version", ""))
    findings = unification_findings(version=version) if version else []
    if request.GET.get("format") == "csv" and version:
        return csv_response(f"待遇不降核对-{version.code}.csv", HEADER, _rows(findings))
    return render(request, "pooling/unification.html", {
        "version": version, "versions": PolicyVersion.objects.order_by("-effective_from").defer("document"),
        "rows": _rows(findings), "header": HEADER, "form": BaselineForm(),
        "can_import": user_has_role(request.user, Role.BUREAU_ADMIN),
        "counties": sorted({f.county_name for f in findings}),
    })


@role_required(Role.BUREAU_ADMIN)
def unification_import(request: HttpRequest) -> HttpResponse:
    form = BaselineForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            saved = county_baselines_import(content=upload.read(), source=upload.name, actor=request.user)  # type: ignore[arg-type]
        except BaselineFileInvalid as exc:
            form.add_error("file", _("未导入：共 %(n)s 处问题") % {"n": len(exc.problems)})
            for problem in exc.problems:
                form.add_error("file", str(problem))
        except BusinessRuleError as exc:
            form.add_error("file", exc.text())
        else:
            messages.success(request, _("已导入 %(c)s 个县（区）共 %(n)s 项统筹前参数") % {
                "c": len(saved), "n": sum(saved.values())})
            return redirect("pooling:unification")
    return render(request, "pooling/unification_import.html", {"form": form})


@login_required
def unification_template(request: HttpRequest) -> StreamingHttpResponse:
    """A CSV to fill in: every item key of a policy version with its name and the unified value."""
    version = _version(request.GET.get("version", ""))
    items: dict[str, Any] = policy_items(policy_of(version)) if version else {}
    rows = []
    for key, value in items.items():
        meta = item_meta(key)
        if meta is not None:
            rows.append(["", key, meta.label, "", _shown(value, meta.money)])
    return csv_response("统筹前参数模板.csv", ["区划代码", "项目代码", "项目名称", "数值", "统一标准（参考）"], rows)

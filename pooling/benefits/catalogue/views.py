"""Catalogue pages: versions, item search, import (upload → check → commit), and the
maker-checker: submit, then approve and publish or reject by a second administrator."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pooling.benefits.catalogue.importer import CatalogueImportError, catalogue_import, check
from pooling.benefits.catalogue.models import (
    CatalogueClass,
    CatalogueKind,
    CatalogueStatus,
    CatalogueVersion,
)
from pooling.benefits.catalogue.selectors import catalogue_search
from pooling.benefits.catalogue.services import (
    catalogue_publish,
    catalogue_reject,
    catalogue_submit,
)
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import can
from pooling.web.decorators import acting, capability_required
from pooling.web.review import review_step

UPLOAD_DIR = Path(tempfile.gettempdir()) / "pooling-catalogue-uploads"
UPLOAD_GONE = _("上传的文件已失效，请重新上传")
MAX_UPLOAD = 50 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("目录文件（CSV 或 XLSX）"), allow_empty_file=True
    )  # the reader says "empty"
    code = forms.CharField(label=_("版本号"), max_length=30)
    title = forms.CharField(label=_("标题"), max_length=200)
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    default_kind = forms.ChoiceField(
        label=_("整个文件的目录类别（文件无“目录类别”列时）"),
        required=False,
        choices=[("", "—"), *CatalogueKind.choices],
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if CatalogueVersion.objects.filter(code=code).exists():
            raise forms.ValidationError(_("版本号已存在"))
        return code


@login_required
def catalogue_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "pooling/catalogue_list.html", {"versions": CatalogueVersion.objects.all()}
    )


@login_required
def catalogue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(CatalogueVersion, pk=pk)
    q, kind, cls = (request.GET.get(k, "").strip() for k in ("q", "kind", "cls"))
    page = Paginator(catalogue_search(version=version, q=q, kind=kind, cls=cls), 50).get_page(
        request.GET.get("page")
    )
    user, submitted = request.user, version.status == CatalogueStatus.SUBMITTED
    own = version.imported_by_id == user.pk
    return render(
        request,
        "pooling/catalogue_detail.html",
        {
            "version": version,
            "page": page,
            "q": q,
            "kind": kind,
            "cls": cls,
            "kinds": CatalogueKind.choices,
            "classes": CatalogueClass.choices,
            "can_submit": can(user, "catalogue.draft")
            and version.status in (CatalogueStatus.DRAFT, CatalogueStatus.REJECTED),
            "can_review": can(user, "catalogue.publish") and submitted and not own,
            "waiting_for_other": submitted and own,
        },
    )


@capability_required("catalogue.draft")
def catalogue_upload(request: HttpRequest) -> HttpResponse:
    """Step 1 and 2: upload and check every row; show the errors or the counts."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(MAX_UPLOAD + 1)
        try:
            report = check(
                data, upload.name, default_kind=form.cleaned_data["default_kind"] or None
            )
        except BusinessRuleError as exc:
            form.add_error("file", exc.text())
        if report is not None and report.ok:
            token = uuid.uuid4().hex
            UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
            (UPLOAD_DIR / token).write_bytes(data)
            request.session["catalogue_upload"] = {
                "token": token,
                "name": upload.name,
                "code": form.cleaned_data["code"],
                "title": form.cleaned_data["title"],
                "effective_from": form.cleaned_data["effective_from"].isoformat(),
                "default_kind": form.cleaned_data["default_kind"] or None,
            }
    return render(
        request, "pooling/catalogue_import.html", {"form": form, "report": report, "token": token}
    )


@require_POST
@capability_required("catalogue.draft")
def catalogue_commit(request: HttpRequest) -> HttpResponse:
    """Step 3: write the checked file (checked again: all or nothing)."""
    from datetime import date

    pending = request.session.get("catalogue_upload") or {}
    path = UPLOAD_DIR / str(pending.get("token", ""))
    if pending.get("token") != request.POST.get("token") or not path.is_file():
        messages.error(request, UPLOAD_GONE)
        return redirect("pooling:catalogue_upload")
    try:
        version = catalogue_import(
            data=path.read_bytes(),
            filename=pending["name"],
            code=pending["code"],
            title=pending["title"],
            effective_from=date.fromisoformat(pending["effective_from"]),
            default_kind=pending["default_kind"],
            actor=acting(request),
        )
    except CatalogueImportError as exc:
        return render(
            request, "pooling/catalogue_import.html", {"form": ImportForm(), "report": exc.report}
        )
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
        return redirect("pooling:catalogue_upload")
    finally:
        path.unlink(missing_ok=True)
        request.session.pop("catalogue_upload", None)
    messages.success(
        request,
        _("已导入目录版本 %(code)s，共 %(n)d 条；提交复核并由另一位管理员发布后生效。")
        % {"code": version.code, "n": version.total_count},
    )
    return redirect("pooling:catalogue_detail", pk=version.pk)


def _review_step(request: HttpRequest, pk: int, run: Any, done: Any) -> HttpResponse:
    version = get_object_or_404(CatalogueVersion, pk=pk)
    return review_step(
        request, lambda: run(version), done, reverse("pooling:catalogue_detail", args=[pk])
    )


@require_POST
@capability_required("catalogue.draft")
def catalogue_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        lambda v: catalogue_submit(version=v, actor=acting(request)),
        _("已提交复核，请另一位管理员复核发布"),
    )


@require_POST
@capability_required("catalogue.publish")
def catalogue_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        lambda v: catalogue_publish(version=v, actor=acting(request)),
        _("目录版本已复核发布，自生效日期起适用"),
    )


@require_POST
@capability_required("catalogue.publish")
def catalogue_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _review_step(
        request,
        pk,
        lambda v: catalogue_reject(version=v, actor=acting(request), reason=reason),
        _("已退回导入人"),
    )

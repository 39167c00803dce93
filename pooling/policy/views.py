"""Pages for policy versions: list, read, upload a draft or edit its parameters, submit, approve & publish, diff."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import can
from pooling.models import PolicyStatus, PolicyVersion
from pooling.policy.display import policy_diff, policy_view
from pooling.policy.document import policy_of
from pooling.policy.forms import ParametersForm
from pooling.policy.labels import problem_text
from pooling.policy.services import (
    PolicyDocumentInvalid,
    policy_approve_publish,
    policy_draft_import,
    policy_draft_update,
    policy_reject,
    policy_submit,
)
from pooling.policy.validation import DocumentSyntaxError, document_from_text, document_to_text
from pooling.web.decorators import acting, capability_required
from pooling.web.review import review_step

MAX_UPLOAD = 2 * 1024 * 1024


class UploadForm(forms.Form):
    document = forms.FileField(
        label=_("政策文件（JSON）"), help_text=_("按政策文件格式（JSON Schema）编写的 .json 文件")
    )

    def clean_document(self) -> Any:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件过大（上限 2 MB）"))
        return upload


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}))


def _versions() -> Any:
    return PolicyVersion.objects.select_related("drafted_by", "approved_by")


def _in_force_pk() -> int | None:
    """The version in force today (same rule as policy_in_force), to mark it in lists."""
    today = timezone.localdate()
    current = (
        PolicyVersion.objects.filter(status=PolicyStatus.PUBLISHED, effective_from__lte=today)
        .order_by("-effective_from", "-published_at")
        .values_list("pk", flat=True)
        .first()
    )
    return current


@login_required
def policy_index(request: HttpRequest) -> HttpResponse:
    versions = list(_versions().defer("document"))
    return render(
        request,
        "pooling/policy_index.html",
        {
            "versions": versions,
            "can_write": can(request.user, "policy.draft"),
            "in_force_pk": _in_force_pk(),
        },
    )


@login_required
def policy_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = get_object_or_404(_versions(), code=code)
    user = request.user
    drafter, reviewer = can(user, "policy.draft"), can(user, "policy.publish")
    submitted, own = version.status == PolicyStatus.SUBMITTED, version.drafted_by_id == user.pk
    others = _versions().exclude(pk=version.pk).defer("document")
    return render(
        request,
        "pooling/policy_detail.html",
        {
            "version": version,
            "view": policy_view(policy_of(version)),
            "others": others,
            "in_force": version.pk == _in_force_pk(),
            "can_draft": drafter,
            "can_edit": drafter and version.status in (PolicyStatus.DRAFT, PolicyStatus.REJECTED),
            "can_review": reviewer and submitted and not own,
            "waiting_for_other": (drafter or reviewer) and submitted and own,
            "reject_form": RejectForm(),
        },
    )


@capability_required("policy.draft")
def policy_upload(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """A new draft from a file; with `code`, replace that draft's document."""
    target = get_object_or_404(PolicyVersion, code=code) if code else None
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            document = document_from_text(upload.read())
            if target is None:
                version = policy_draft_import(document=document, actor=acting(request))
            else:
                version = policy_draft_update(
                    version=target, document=document, actor=acting(request)
                )
        except DocumentSyntaxError as exc:
            form.add_error("document", str(exc.problem))
        except PolicyDocumentInvalid as exc:
            form.add_error(
                "document",
                _("未导入：共 %(n)s 处问题，请修改后重新上传") % {"n": len(exc.problems)},
            )
            for problem in exc.problems:  # in words first; the path for whoever edits the JSON
                form.add_error("document", problem_text(problem, document))
        except BusinessRuleError as exc:
            form.add_error("document", exc.text())
        else:
            messages.success(request, _("已保存为草稿：%(code)s") % {"code": version.code})
            return redirect("pooling:policy_detail", code=version.code)
    return render(request, "pooling/policy_upload.html", {"form": form, "target": target})


def _base_version(request: HttpRequest) -> PolicyVersion | None:
    """What a new draft starts from: the version named by ?from=, else the one in force, else the latest."""
    code = request.POST.get("from") or request.GET.get("from")
    if code:
        return get_object_or_404(PolicyVersion, code=code)
    in_force = _in_force_pk()
    return (
        PolicyVersion.objects.filter(pk=in_force).first()
        if in_force
        else PolicyVersion.objects.first()
    )


@capability_required("policy.draft")
def policy_parameters(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The common parameters in a form; it makes the same document an upload would, saved by the
    same draft services (a new draft from a base version, or, with `code`, that draft replaced)."""
    target = get_object_or_404(PolicyVersion, code=code) if code else None
    if target is not None and target.status not in (PolicyStatus.DRAFT, PolicyStatus.REJECTED):
        # A published or submitted version never changes: edit a new draft starting from it.
        return redirect(f"{reverse('pooling:policy_parameters')}?from={quote(target.code)}")
    base = target or _base_version(request)
    if base is None:
        messages.info(request, _("尚无政策版本：请先上传一份完整的政策文件"))
        return redirect("pooling:policy_upload")
    form = ParametersForm(request.POST or None, base=base.document)
    if request.method == "POST" and form.is_valid():
        document = form.document()
        try:
            if target is None:
                version = policy_draft_import(document=document, actor=acting(request))
            else:
                version = policy_draft_update(
                    version=target, document=document, actor=acting(request)
                )
        except PolicyDocumentInvalid as exc:
            for problem in exc.problems:
                field = form.field_of(problem.column)
                form.add_error(field, problem.reason if field else problem_text(problem, document))
        except BusinessRuleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.text())
        else:
            messages.success(request, _("已保存为草稿：%(code)s") % {"code": version.code})
            return redirect("pooling:policy_detail", code=version.code)
    return render(
        request, "pooling/policy_parameters.html", {"form": form, "target": target, "base": base}
    )


def _transition(request: HttpRequest, code: str, run: Any, done: Any) -> HttpResponse:
    version = get_object_or_404(PolicyVersion, code=code)
    return review_step(
        request, lambda: run(version), done, reverse("pooling:policy_detail", args=[code])
    )


@require_POST
@capability_required("policy.draft")
def policy_submit_view(request: HttpRequest, code: str) -> HttpResponse:
    return _transition(
        request,
        code,
        lambda v: policy_submit(version=v, actor=acting(request)),
        _("已提交复核，请另一位管理员复核发布"),
    )


@require_POST
@capability_required("policy.publish")
def policy_approve_view(request: HttpRequest, code: str) -> HttpResponse:
    return _transition(
        request,
        code,
        lambda v: policy_approve_publish(version=v, actor=acting(request)),
        _("已复核并发布"),
    )


@require_POST
@capability_required("policy.publish")
def policy_reject_view(request: HttpRequest, code: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _transition(
        request,
        code,
        lambda v: policy_reject(version=v, actor=acting(request), reason=reason),
        _("已退回起草人"),
    )


@login_required
def policy_download(request: HttpRequest, code: str) -> HttpResponse:
    version = get_object_or_404(PolicyVersion, code=code)
    response = HttpResponse(
        document_to_text(version.document), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'policy-{version.code}.json')}"
    )
    return response


@login_required
def policy_compare(request: HttpRequest) -> HttpResponse:
    old = get_object_or_404(PolicyVersion, code=request.GET.get("a", ""))
    new = get_object_or_404(PolicyVersion, code=request.GET.get("b", ""))
    return render(
        request,
        "pooling/policy_diff.html",
        {
            "old": old,
            "new": new,
            "changes": policy_diff(old.document, new.document),
        },
    )

"""Pages of designated-provider management. Services decide; views parse and show."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import HospitalLevel
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import can, denied_message
from pooling.web.decorators import acting, capability_required
from pooling.web.exports import CODE, DATE, Column, Table, export_response
from providers import selectors as sel
from providers.choices import Grade, Ownership, ProviderKind, State
from providers.forms import (
    ActionForm,
    AssessmentForm,
    ProviderForm,
    TemplateForm,
    ViolationForm,
    add_rule_error,
)
from providers.models import (
    AgreementTemplate,
    AssessmentResult,
    AssessmentTemplate,
    HandlingException,
    HandlingRule,
)
from providers.services import agreements as agr
from providers.services import assessment as asm
from providers.services.lifecycle import TRANSITIONS, available_actions, transition
from providers.services.register import ProviderSpec, provider_register
from providers.services.violations import ViolationSpec, violation_record


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = sel.providers_visible().order_by("handling_region__sort_order", "national_code")
    q = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    if q:
        rows = rows.filter(name__icontains=q) | rows.filter(national_code__icontains=q)
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    return render(
        request,
        "providers/index.html",
        {
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "q": q,
            "state": state,
            "kind": kind,
            "states": State.choices,
            "kinds": ProviderKind.choices,
            "counts": sel.deadline_counts(),
        },
    )


@capability_required("provider.register")
def register(request: HttpRequest) -> HttpResponse:
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = provider_register(
                actor=acting(request), spec=ProviderSpec(**form.cleaned_data)
            )
        except BusinessRuleError as exc:
            add_rule_error(form, exc)
        else:
            messages.success(
                request,
                _t("已登记：%(name)s，经办单位：%(unit)s")
                % {"name": provider.name, "unit": provider.handling_region.agency_name},
            )
            return redirect("providers:detail", pk=provider.pk)
    return render(request, "providers/register.html", {"form": form})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    provider = get_object_or_404(sel.providers_visible(), pk=pk)
    return render(
        request,
        "providers/detail.html",
        {
            "p": provider,
            "actions": available_actions(provider),
            "events": provider.events.select_related("created_by"),
            "agreements": provider.agreements.select_related("template"),
            "violations": provider.violations.all(),
            "assessments": provider.assessments.all(),
        },
    )


@capability_required("provider.transition")
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    provider = get_object_or_404(sel.providers_visible(), pk=pk)
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise Http404
    form = ActionForm(request.POST or None, action=action, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            transition(
                provider_id=provider.pk,
                action=action,
                actor=acting(request),
                on=form.cleaned_data["on"],
                reason=form.cleaned_data.get("reason", ""),
                params=form.service_params(),
            )
        except BusinessRuleError as exc:
            add_rule_error(form, exc)
        else:
            messages.success(request, _t("已办理：%(action)s") % {"action": spec.label})
            return redirect("providers:detail", pk=provider.pk)
    return render(request, "providers/act.html", {"p": provider, "spec": spec, "form": form})


@capability_required("provider.violation")
def violation_new(request: HttpRequest, pk: int) -> HttpResponse:
    provider = get_object_or_404(sel.providers_visible(), pk=pk)
    form = ViolationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            violation_record(
                actor=acting(request),
                provider_id=provider.pk,
                spec=ViolationSpec(
                    kind=d["kind"],
                    found_on=d["found_on"],
                    finding=d["finding"],
                    recover_fen=d["recover_yuan"],
                    deduct_fen=d["deduct_yuan"],
                    deduction_month=d["deduction_month"],
                    action=d["action"],
                ),
            )
        except BusinessRuleError as exc:
            add_rule_error(form, exc)
        else:
            messages.success(request, _t("违约处理已记录"))
            return redirect("providers:detail", pk=provider.pk)
    return render(request, "providers/violation_new.html", {"p": provider, "form": form})


KIND_LABELS = {
    "evaluation": _("评估期限（受理后3个月）"),
    "suspension": _("暂停期满（180天）"),
    "resume_review": _("恢复审核期限（10个工作日）"),
    "agreement": _("协议到期"),
}


@login_required
def deadlines(request: HttpRequest) -> HttpResponse:
    rows = sel.deadlines()
    return render(
        request,
        "providers/deadlines.html",
        {"rows": [(d, KIND_LABELS[d.kind]) for d in rows], "today": date.today()},
    )


PUBLIC_COLUMNS = (
    Column(_("医保机构编码"), CODE, width=14),
    Column(_("机构名称"), width=30),
    Column(_("机构类别")),
    Column(_("医院级别")),
    Column(_("等次")),
    Column(_("经营性质")),
    Column(_("所在区县")),
    Column(_("地址"), width=36),
    Column(_("经办机构"), width=24),
    Column(_("定点状态")),
    Column(_("备案日期"), DATE),
)


def _public_rows() -> list[list[object]]:
    labels = {
        **dict(ProviderKind.choices),
        **dict(HospitalLevel.choices),
        **dict(Ownership.choices),
    }
    grades = dict(Grade.choices)
    return [
        [
            r["national_code"],
            r["name"],
            str(labels.get(r["kind"], "")),
            str(labels.get(r["level"], "")),
            str(grades.get(r["grade"], "")) if r["grade"] else "",
            str(labels.get(r["ownership"], "")),
            r["location_region__name"],
            r["address"],
            r["handling_region__agency_name"],
            str(State(r["state"]).label),
            r["filed_on"],
        ]
        for r in sel.public_designated_list()
    ]


@login_required
def public_list(request: HttpRequest) -> HttpResponse:
    """Mutual recognition: every designated provider of the city, public facts only."""
    return render(
        request,
        "providers/public_list.html",
        {"header": [c.header for c in PUBLIC_COLUMNS], "rows": _public_rows()},
    )


@login_required
def public_list_export(request: HttpRequest) -> HttpResponseBase:
    today = timezone.localdate()
    table = Table(
        title=_("定点医药机构公开名单"),
        columns=PUBLIC_COLUMNS,
        rows=_public_rows(),
        meta=[(_("截至"), today.isoformat())],
        name_parts=[f"{today:%Y%m%d}"],
    )
    return export_response(table, request.GET.get("format"))


@login_required
def handling(request: HttpRequest) -> HttpResponse:
    """Who handles which provider, as the data says (rules and named exceptions)."""
    return render(
        request,
        "providers/handling.html",
        {
            "rules": HandlingRule.objects.select_related("location_region").order_by(
                "location_region"
            ),
            "exceptions": HandlingException.objects.select_related("handling_region"),
        },
    )


@login_required
def templates(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(request.POST or None)
    may_edit = can(request.user, "agreement.template")
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(denied_message("agreement.template"))
        if form.is_valid():
            try:
                agr.template_publish(actor=acting(request), **form.cleaned_data)
            except BusinessRuleError as exc:
                add_rule_error(form, exc)
            else:
                messages.success(request, _t("已发布新版协议范本"))
                return redirect("providers:templates")
    return render(
        request,
        "providers/templates.html",
        {"rows": AgreementTemplate.objects.all(), "form": form, "may_edit": may_edit},
    )


@capability_required("provider.assess")
def assessment_enter(request: HttpRequest, pk: int) -> HttpResponse:
    provider = get_object_or_404(sel.providers_visible(), pk=pk)
    year = int(request.POST.get("year") or request.GET.get("year") or date.today().year)
    try:
        template = asm.template_for_year(year)
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
        return redirect("providers:detail", pk=provider.pk)
    indicators = list(template.indicators.all())
    form = AssessmentForm(request.POST or None, indicators=indicators, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        try:
            result = asm.assessment_enter(
                actor=acting(request),
                provider_id=provider.pk,
                year=form.cleaned_data["year"],
                scores=form.scores(),
            )
        except BusinessRuleError as exc:
            add_rule_error(form, exc)
        else:
            messages.success(
                request, _t("考核结果已保存，总分 %(total)s") % {"total": result.total}
            )
            return redirect("providers:detail", pk=provider.pk)
    return render(
        request,
        "providers/assessment.html",
        {"p": provider, "form": form, "template": template, "bands": template.bands.all()},
    )


@login_required
def assessments(request: HttpRequest) -> HttpResponse:
    year = int(request.GET.get("year") or date.today().year)
    rows = AssessmentResult.objects.filter(year=year).select_related("provider", "template")
    return render(
        request,
        "providers/assessments.html",
        {
            "rows": rows,
            "year": year,
            "templates": AssessmentTemplate.objects.prefetch_related("indicators", "bands"),
        },
    )

"""Pages of the claims a clerk enters: 零星报销 and 生育津贴 — enter, review with the computed
result, decide (a second clerk), print the decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import can
from pooling.web.decorators import acting, capability_required
from settlement import forms as sf
from settlement.models import ClaimStatus, MaternityAllowance, Reimbursement, Settlement
from settlement.services import allowance as allowances
from settlement.services import reimbursement as reimbursements


def _may_decide(request: HttpRequest, claim: Any, capability: str) -> bool:
    """A second clerk decides: never the one who entered the claim."""
    user = request.user
    return (
        claim.status == ClaimStatus.ENTERED
        and can(user, capability, county=claim.county_id)
        and claim.entered_by_id != user.pk
    )


@capability_required("settlement.view")
def reimbursement_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = Reimbursement.objects.select_related("person").order_by("-entered_at")
    if status in ClaimStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "settlement/reimbursements.html",
        {
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "status": status,
            "statuses": ClaimStatus.choices,
            "may_enter": can(request.user, "reimbursement.enter"),
        },
    )


@capability_required("reimbursement.enter")
def reimbursement_new(request: HttpRequest) -> HttpResponse:
    form = sf.ReimbursementForm(
        request.POST or None,
        initial={
            "kind": "ooc_registered",
            "insutype": "310",
            "med_type": "21",
            "hospital_level": "level3",
        },
    )
    items = sf.ItemFormSet(request.POST or None, prefix="item")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        lines = [i for i in (f.item() for f in items) if i is not None]
        d = form.cleaned_data
        claim = form.run(
            lambda: reimbursements.reimbursement_enter(
                person=d["person"],
                kind=d["kind"],
                insutype=d["insutype"],
                med_type=d["med_type"],
                hospital_name=d["hospital_name"],
                hospital_level=d["hospital_level"],
                hospital_area_code=d["hospital_area_code"],
                begin_on=d["begin_on"],
                end_on=d["end_on"],
                diagnosis=d["diagnosis"],
                invoice_nos=d["invoice_nos"],
                items=lines,
                actor=acting(request),
            )
        )
        if claim is not None:
            messages.success(request, _t("已受理，请由另一位经办人员审核"))
            return redirect("settlement:reimbursement", pk=claim.pk)
    return render(request, "settlement/reimbursement_new.html", {"form": form, "items": items})


def _reimbursement(pk: int) -> Reimbursement:
    claim = (
        Reimbursement.objects.select_related("person", "entered_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


@capability_required("settlement.view")
def reimbursement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _reimbursement(pk)
    quote, problem = None, ""
    if claim.status == ClaimStatus.ENTERED:
        try:
            quote = reimbursements.reimbursement_quote(claim=claim)
        except BusinessRuleError as exc:
            problem = exc.text()
    settled = (
        Settlement.objects.filter(month=claim.settlement_month, pk=claim.settlement_id).first()
        if claim.settlement_id
        else None
    )
    return render(
        request,
        "settlement/reimbursement.html",
        {
            "c": claim,
            "s": settled or quote,
            "settled": settled,
            "problem": problem,
            "may_decide": _may_decide(request, claim, "reimbursement.approve"),
            "form": sf.DecisionForm(),
        },
    )


@require_POST
@capability_required("reimbursement.approve")
def reimbursement_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _reimbursement(pk)
    form = sf.DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        reimbursements.reimbursement_decide(
            claim=claim,
            approve=request.POST.get("approve") == "1",
            note=note,
            actor=acting(request),
        )
        messages.success(request, _t("审核完成"))
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
    return redirect("settlement:reimbursement", pk=pk)


@capability_required("settlement.view")
def reimbursement_print(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _reimbursement(pk)
    if claim.status != ClaimStatus.DECIDED:
        raise Http404
    settled = Settlement.objects.filter(
        month=claim.settlement_month, pk=claim.settlement_id
    ).first()
    return render(
        request,
        "settlement/reimbursement_print.html",
        {"c": claim, "s": settled, "printed_at": timezone.localtime()},
    )


@capability_required("settlement.view")
def allowance_list(request: HttpRequest) -> HttpResponse:
    rows = MaternityAllowance.objects.select_related("person", "employer").order_by("-entered_at")
    return render(
        request,
        "settlement/allowances.html",
        {
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "may_enter": can(request.user, "allowance.enter"),
        },
    )


@capability_required("allowance.enter")
def allowance_new(request: HttpRequest) -> HttpResponse:
    form = sf.AllowanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        claim = form.run(
            lambda: allowances.allowance_enter(
                person=d["person"],
                event=d["event"],
                event_on=d["event_on"],
                difficult_birth=d["difficult_birth"],
                babies=d["babies"],
                actor=acting(request),
            )
        )
        if claim is not None:
            messages.success(request, _t("已受理，请由另一位经办人员审核"))
            return redirect("settlement:allowance", pk=claim.pk)
    return render(request, "settlement/allowance_new.html", {"form": form})


def _allowance(pk: int) -> MaternityAllowance:
    claim = MaternityAllowance.objects.select_related("person", "employer").filter(pk=pk).first()
    if claim is None:
        raise Http404
    return claim


@capability_required("settlement.view")
def allowance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _allowance(pk)
    return render(
        request,
        "settlement/allowance.html",
        {
            "c": claim,
            "may_decide": _may_decide(request, claim, "allowance.approve"),
            "form": sf.DecisionForm(),
            "printed_at": timezone.localtime(),
        },
    )


@require_POST
@capability_required("allowance.approve")
def allowance_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _allowance(pk)
    form = sf.DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        allowances.allowance_decide(
            claim=claim,
            approve=request.POST.get("approve") == "1",
            note=note,
            actor=acting(request),
        )
        messages.success(request, _t("审核完成"))
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
    return redirect("settlement:allowance", pk=pk)

"""The transfer pages: the receiving county asks and may withdraw; the sending county
releases or objects. Each page reads through selectors and writes through one service;
the irreversible steps ask for confirmation in the page and, where the record must say
why, a reason the service refuses to go without."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from enrollment import forms, selectors, services
from enrollment.models import Transfer, TransferStatus
from pooling.kernel.permissions import can
from pooling.kernel.scoping import current_scope
from pooling.web.decorators import acting, capability_required

PAGE = 25


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    f = {k: request.GET.get(k, "").strip() for k in ("status", "direction")}
    rows = selectors.transfers_list(county_code=getattr(request.user, "region_id", None), **f)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.transfers_named(page.object_list)
    return render(
        request,
        "enrollment/transfers.html",
        {"page": page, "f": f, "statuses": TransferStatus.choices},
    )


@capability_required("transfer.request")
def transfer_new(request: HttpRequest) -> HttpResponse:
    initial = (
        {"to_county": acting(request).region_id} if getattr(request.user, "region_id", None) else {}
    )
    if request.GET.get("id_number"):
        initial["id_number"] = request.GET["id_number"]
    form = forms.TransferForm(
        request.POST or None, initial=initial, county_code=getattr(request.user, "region_id", None)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        transfer = form.run(
            lambda: services.transfer_request(
                id_number=d["id_number"],
                to_county=d["to_county"],
                effective_month=d["effective_month"],
                new_employer=d["new_employer"],
                new_address=d["new_address"],
                reason=d["reason"],
                actor=acting(request),
            )
        )
        if transfer is not None:
            messages.success(
                request,
                _t(
                    "已提交转移申请，待转出地经办单位确认（%(due)s 前未确认也未提出异议的，自动办结）"
                )
                % {"due": f"{transfer.release_due:%Y-%m-%d}"},
            )
            return redirect("enrollment:transfer", pk=transfer.pk)
    return render(
        request,
        "enrollment/form.html",
        {
            "form": form,
            "title": _("市内转移接续申请"),
            "back": "enrollment:transfers",
            "submit": _("提交申请"),
            "note": _(
                "由转入地经办单位受理：填写身份证号码和转移依据（职工为本单位辖区的新参保单位，居民为新居住地址）。"
                "转出地经办单位确认后办结；逾期未确认也未提出异议的自动办结。"
            ),
        },
    )


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(
        Transfer.objects.select_related("person", "from_county", "to_county", "new_employer"), pk=pk
    )
    [transfer] = selectors.transfers_named([transfer])
    pending = transfer.status == TransferStatus.PENDING and not current_scope().read_only
    return render(
        request,
        "enrollment/transfer.html",
        {
            "t": transfer,
            "can_release": pending
            and can(request.user, "transfer.release", county=transfer.from_county_id),
            "can_cancel": pending
            and can(request.user, "transfer.request", county=transfer.to_county_id),
        },
    )


def _act(
    request: HttpRequest,
    pk: int,
    call: Callable[[Transfer, dict[str, Any]], Any],
    done: str,
    *,
    needs_reason: bool,
) -> HttpResponse:
    transfer = get_object_or_404(Transfer, pk=pk)
    form: forms.ServiceForm = (
        forms.ReasonForm(request.POST) if needs_reason else forms.ServiceForm(request.POST)
    )
    if not form.is_valid():
        messages.error(request, _t("请填写原因：该操作不可撤回，须说明理由"))
        return redirect("enrollment:transfer", pk=pk)
    if form.run(lambda: call(transfer, form.cleaned_data)) is not None:
        messages.success(request, done)
        return redirect("enrollment:transfer", pk=pk)
    for errors in form.errors.values():
        messages.error(request, "；".join(str(e) for e in errors))
    return redirect("enrollment:transfer", pk=pk)


@capability_required("transfer.release")
@require_POST
def transfer_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda t, d: services.transfer_release(transfer=t, actor=acting(request)),
        _t("已确认转出，参保关系已接续到转入地"),
        needs_reason=False,
    )


@capability_required("transfer.release")
@require_POST
def transfer_object(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda t, d: services.transfer_object(
            transfer=t, reason=d["reason"], actor=acting(request)
        ),
        _t("已提出异议，转移申请终止"),
        needs_reason=True,
    )


@capability_required("transfer.request")
@require_POST
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda t, d: services.transfer_cancel(
            transfer=t, reason=d["reason"], actor=acting(request)
        ),
        _t("转移申请已撤销"),
        needs_reason=True,
    )

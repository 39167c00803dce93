"""Settlement pages: settlements by provider, person and county; a settlement with its explanation
and reversal history; the printable 结算单; provider system credentials. Reads go through
selectors (county-scoped), writes through one service each."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import can, denied_message
from pooling.kernel.regions import handling_units
from pooling.web.decorators import acting, capability_required
from providers.models import Provider
from settlement import selectors
from settlement.api import settlement_or_404
from settlement.models import Credential
from settlement.services import credentials as creds
from settlement.services.reverse import settlement_reverse, settlement_reversed_by

PAGE = 50


@capability_required("settlement.view")
def index(request: HttpRequest) -> HttpResponse:
    month = timezone.localdate().replace(day=1)
    return render(
        request,
        "settlement/index.html",
        {"month": month, "summary": selectors.month_summary(month=month)},
    )


@capability_required("settlement.view")
def settlement_list(request: HttpRequest) -> HttpResponse:
    f = {
        k: request.GET.get(k, "").strip() for k in ("month", "provider", "person", "county", "kind")
    }
    if not f["month"]:
        f["month"] = f"{timezone.localdate():%Y-%m}"
    rows = selectors.settlements_list(**f).select_related("provider", "person", "insured_county")
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "settlement/list.html",
        {"page": page, "f": f, "units": handling_units(), "totals": selectors.totals(rows)},
    )


@capability_required("settlement.view")
def settlement_detail(request: HttpRequest, setl_id: str) -> HttpResponse:
    row = settlement_or_404(setl_id)
    return render(
        request,
        "settlement/detail.html",
        {
            "s": row,
            "reversed_by": settlement_reversed_by(settlement=row),
            "reverses": selectors.reverses(row),
            "may_reverse": can(request.user, "settlement.reverse") and row.kind == "settle",
            "insutype_label": row.insutype_label,
            "med_type_label": row.med_type_label,
            "lines": row.detail.get("lines", []),
            "explanation": row.explanation,
        },
    )


@capability_required("settlement.view")
def settlement_print(request: HttpRequest, setl_id: str) -> HttpResponse:
    row = settlement_or_404(setl_id)
    return render(
        request,
        "settlement/print.html",
        {
            "s": row,
            "reversed_by": settlement_reversed_by(settlement=row),
            "insutype_label": row.insutype_label,
            "med_type_label": row.med_type_label,
            "lines": row.detail.get("lines", []),
            "explanation": row.explanation,  # the 结算单 in the reader's language too
            "printed_at": timezone.localtime(),
        },
    )


@require_POST
@capability_required("settlement.reverse")
def settlement_reverse_view(request: HttpRequest, setl_id: str) -> HttpResponse:
    row = settlement_or_404(setl_id)
    try:
        reversal = settlement_reverse(
            settlement=row,
            reason=request.POST.get("reason", ""),
            operator=request.user.get_username(),
            actor=acting(request),
        )
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
        return redirect("settlement:detail", setl_id=setl_id)
    messages.success(
        request,
        _t("已撤销结算 %(setl)s，冲销记录 %(rev)s 记入 %(month)s")
        % {"setl": row.setl_id, "rev": reversal.setl_id, "month": f"{reversal.month:%Y-%m}"},
    )
    return redirect("settlement:detail", setl_id=reversal.setl_id)


def _provider(pk: int) -> Provider:
    provider = Provider.objects.filter(
        pk=pk
    ).first()  # county-scoped: a clerk sees the providers of their unit
    if provider is None:
        raise Http404
    return provider


@capability_required("settlement.view")
def credentials(request: HttpRequest, provider_pk: int) -> HttpResponse:
    # Who manages a provider's keys, and who audits them; never the secret itself (shown once, at issue).
    if not (can(request.user, "provider.credentials") or can(request.user, "audit.view")):
        raise PermissionDenied(denied_message("provider.credentials"))
    provider = _provider(provider_pk)
    return render(
        request,
        "settlement/credentials.html",
        {
            "provider": provider,
            "rows": Credential.objects.filter(provider=provider).select_related(
                "issued_by", "revoked_by", "replaces"
            ),
            "may_handle": can(
                request.user, "provider.credentials", county=provider.handling_region_id
            ),
            "token": request.session.pop("issued_token", None),
        },
    )


@require_POST
@capability_required("provider.credentials")
def credential_action(request: HttpRequest, provider_pk: int, action: str) -> HttpResponse:
    provider = _provider(provider_pk)
    try:
        if action == "issue":
            issued = creds.credential_issue(
                provider=provider, label=request.POST.get("label", ""), actor=acting(request)
            )
            request.session["issued_token"] = issued.token
        else:
            credential = Credential.objects.filter(
                provider=provider, pk=request.POST.get("credential")
            ).first()
            if credential is None:
                raise Http404
            if action == "rotate":
                request.session["issued_token"] = creds.credential_rotate(
                    credential=credential, actor=acting(request)
                ).token
            elif action == "revoke":
                creds.credential_revoke(
                    credential=credential,
                    reason=request.POST.get("reason", ""),
                    actor=acting(request),
                )
                messages.success(
                    request, _t("接口密钥 %(key)s 已吊销") % {"key": credential.key_id}
                )
            else:
                raise Http404
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
    return redirect("settlement:credentials", provider_pk=provider.pk)


def person_panel(request: HttpRequest, person: Any) -> dict[str, Any] | None:
    """The person page's panel: this year's accumulators and latest settlements."""
    year = timezone.localdate().year
    return {
        "template": "settlement/_person_panel.html",
        "accumulators": selectors.person_accumulators(person_id=person.pk),
        "settlements": selectors.settlements_list(person=str(person.pk))[:10],
        "year": year,
    }

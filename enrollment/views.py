"""The clerk's pages. Each view reads through selectors and writes through one service."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from enrollment import forms, selectors, services
from enrollment.models import (
    DeclarationStatus,
    Employer,
    EmployerStatus,
    Enrolment,
    EnrolmentStatus,
    Person,
    Referral,
    ReferralKind,
    ReferralStatus,
)
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.hooks import PERSON_PANELS
from pooling.kernel.money import format_yuan
from pooling.kernel.permissions import can, denied_message
from pooling.web.decorators import acting, capability_required

PAGE = 25
SAVE = _("保存")


def _page(request: HttpRequest, rows: QuerySet[Any] | list[Any]) -> Any:
    return Paginator(rows, PAGE).get_page(request.GET.get("page"))


def _county_initial(request: HttpRequest) -> dict[str, Any]:
    region = getattr(request.user, "region_id", None)
    return {"county": region} if region else {}


def _form_page(
    request: HttpRequest,
    form: Any,
    title: Any,
    *,
    back: str = "",
    note: Any = "",
    submit: Any = SAVE,
) -> HttpResponse:
    return render(
        request,
        "enrollment/form.html",
        {"form": form, "title": title, "back": back, "note": note, "submit": submit},
    )


def _person(pk: int) -> Person:
    try:
        return Person.objects.select_related("county").get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    region = getattr(request.user, "region_id", None)
    return render(
        request,
        "enrollment/index.html",
        {
            "q": q,
            "results": selectors.person_search(q=q, limit=20) if q else None,
            "elsewhere": selectors.person_registered_elsewhere(id_number=q) if q else None,
            "pending_in": selectors.pending_transfers_in(county_code=region) if region else None,
            "pending_out": selectors.pending_transfers_out(county_code=region)
            if can(request.user, "transfer.release")
            else None,
            "arrears": selectors.arrears_total(),
        },
    )


@login_required
def people(request: HttpRequest) -> HttpResponse:
    f = {k: request.GET.get(k, "").strip() for k in ("q", "category", "scheme", "status")}
    rows = selectors.people_list(**f)
    return render(
        request,
        "enrollment/people.html",
        {
            "page": _page(request, rows),
            "f": f,
            "categories": PersonCategory.choices,
            "schemes": [
                (Scheme.EMPLOYEE.value, Scheme.EMPLOYEE.label),
                (Scheme.RESIDENT.value, Scheme.RESIDENT.label),
            ],
            "statuses": EnrolmentStatus.choices,
        },
    )


@capability_required("person.register")
def person_new(request: HttpRequest) -> HttpResponse:
    form = forms.PersonForm(request.POST or None, initial=_county_initial(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = form.run(
            lambda: services.person_register(
                county=d["county"],
                id_number=d["id_number"],
                name=d["name"],
                category=d["category"],
                phone=d["phone"],
                address=d["address"],
                special_group=d["special_group"] or "",
                actor=acting(request),
            )
        )
        if person is not None:
            messages.success(request, _t("已登记参保人员：%(name)s") % {"name": person.name})
            return redirect("enrollment:person", pk=person.pk)
    return _form_page(
        request,
        form,
        _("参保人员登记"),
        back="enrollment:people",
        note=_("性别和出生日期由身份证号码自动识别。"),
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        history = selectors.person_history(person_id=pk)
    except Person.DoesNotExist:
        moved = selectors.person_moved_out(person_id=pk)
        if moved is None:
            raise Http404 from None
        # An open page or a bookmark of someone who has just moved to another county.
        return render(request, "enrollment/person_moved.html", {"t": moved})
    panels = [
        panel for source in PERSON_PANELS.items() if (panel := source(request, history.person))
    ]
    return render(
        request,
        "enrollment/person.html",
        {
            "h": history,
            "p": history.person,
            "panels": panels,
            "end_form": forms.EndEnrolmentForm(),
            "event_form": forms.LifeEventForm(),
        },
    )


@capability_required("person.change")
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    fields = ["name", "category", "special_group", "phone", "address"]
    form = forms.PersonEditForm(
        request.POST or None, initial={f: getattr(person, f) for f in fields}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if (
            form.run(
                lambda: services.person_update(
                    person=person, actor=acting(request), **{f: d[f] or "" for f in fields}
                )
            )
            is not None
        ):
            messages.success(request, _t("人员信息已更新"))
            return redirect("enrollment:person", pk=person.pk)
    return _form_page(
        request,
        form,
        _t("修改人员信息：%(name)s") % {"name": person.name},
        note=_("身份证号码不可修改；户籍经办单位通过市内转移变更。"),
    )


@capability_required("enrolment.manage")
def person_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = forms.EnrolForm(request.POST or None, county_code=person.county_id)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        enrolment = form.run(
            lambda: services.enrol(
                person=person,
                scheme=d["scheme"],
                employer=d["employer"],
                start_month=d["start_month"],
                actor=acting(request),
            )
        )
        if enrolment is not None:
            messages.success(
                request,
                _t("参保登记成功，待遇享受起始：%(d)s")
                % {"d": f"{enrolment.benefits_from:%Y-%m-%d}"},
            )
            return redirect("enrollment:person", pk=person.pk)
    return _form_page(
        request, form, _t("参保登记：%(name)s") % {"name": person.name}, back="enrollment:people"
    )


@capability_required("contribution.collect")
def person_resident_payment(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = forms.ResidentPaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        paid = form.run(
            lambda: services.resident_contribution_record(
                person=person, year=d["year"], paid_on=d["paid_on"], actor=acting(request)
            )
        )
        if paid is not None:
            messages.success(request, _t("已登记 %(y)s 年度居民个人缴费") % {"y": paid.year})
            if paid.booking_note:  # recorded after its month's collection step ran
                messages.info(request, paid.booking_note)
            return redirect("enrollment:person", pk=person.pk)
    return _form_page(request, form, _t("居民个人缴费：%(name)s") % {"name": person.name})


@capability_required("person.change")
@require_POST
def person_event(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = forms.LifeEventForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        service = services.person_retire if d["event"] == "retire" else services.person_death
        if form.run(lambda: service(person=person, on=d["on"], actor=acting(request))) is not None:
            messages.success(
                request,
                _t("已登记：%(e)s")
                % {"e": dict(cast(Any, form.fields["event"]).choices)[d["event"]]},
            )
            return redirect("enrollment:person", pk=person.pk)
    for errors in form.errors.values():
        messages.error(request, "；".join(str(e) for e in errors))
    return redirect("enrollment:person", pk=person.pk)


@capability_required("enrolment.manage")
@require_POST
def enrolment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment, pk=pk)
    form = forms.EndEnrolmentForm(request.POST)
    reason = request.POST.get("reason", "")
    calls = {
        "suspend": lambda: services.enrolment_suspend(
            enrolment=enrolment, reason=reason, actor=acting(request)
        ),
        "resume": lambda: services.enrolment_resume(enrolment=enrolment, actor=acting(request)),
    }
    if action == "end":
        calls["end"] = lambda: services.enrolment_end(
            enrolment=enrolment,
            end_month=form.cleaned_data["end_month"],
            reason=reason,
            actor=acting(request),
        )
    if action not in calls:
        raise Http404
    if (action != "end" or form.is_valid()) and form.run(calls[action]) is not None:
        messages.success(request, _t("参保状态已更新"))
    for errors in form.errors.values():
        messages.error(request, "；".join(str(e) for e in errors))
    return redirect("enrollment:person", pk=enrolment.person_id)


@login_required
def employers(request: HttpRequest) -> HttpResponse:
    f = {k: request.GET.get(k, "").strip() for k in ("q", "status")}
    return render(
        request,
        "enrollment/employers.html",
        {
            "page": _page(request, selectors.employers_list(**f)),
            "f": f,
            "statuses": EmployerStatus.choices,
        },
    )


@capability_required("employer.manage")
def employer_new(request: HttpRequest) -> HttpResponse:
    form = forms.EmployerForm(request.POST or None, initial=_county_initial(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        employer = form.run(lambda: services.employer_register(actor=acting(request), **d))
        if employer is not None:
            messages.success(request, _t("已登记参保单位：%(name)s") % {"name": employer.name})
            return redirect("enrollment:employer", pk=employer.pk)
    return _form_page(request, form, _("参保单位登记"), back="enrollment:employers")


@capability_required("employer.manage")
def employer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employer = get_object_or_404(Employer, pk=pk)
    fields = ["name", "industry", "contact_name", "contact_phone", "address", "status"]
    form = forms.EmployerEditForm(
        request.POST or None, initial={f: getattr(employer, f) for f in fields}
    )
    if request.method == "POST" and form.is_valid():
        if (
            form.run(
                lambda: services.employer_update(
                    employer=employer, actor=acting(request), **form.cleaned_data
                )
            )
            is not None
        ):
            messages.success(request, _t("单位信息已更新"))
            return redirect("enrollment:employer", pk=employer.pk)
    return _form_page(request, form, _t("修改单位信息：%(name)s") % {"name": employer.name})


@login_required
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employer = get_object_or_404(Employer.objects.select_related("county"), pk=pk)
    return render(
        request,
        "enrollment/employer.html",
        {
            "e": employer,
            "staff": selectors.employer_employees(employer=employer),
            "declarations": employer.declarations.order_by("-month")[:24],
        },
    )


@capability_required("contribution.declare")
def employer_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """One month's declaration: a wage base (yuan) per employee currently enrolled."""
    employer = get_object_or_404(Employer, pk=pk)
    staff = list(selectors.employer_employees(employer=employer))
    form = forms.DeclarationMonthForm(request.POST or None)
    bases: dict[int, str] = {e.pk: request.POST.get(f"base_{e.pk}", "").strip() for e in staff}
    errors: dict[int, str] = {}
    if request.method == "POST" and form.is_valid():
        rows = []
        for e in staff:
            if not bases[e.pk]:
                continue
            try:
                rows.append((e.person, forms.YuanField().clean(bases[e.pk])))
            except forms.forms.ValidationError as exc:
                errors[e.pk] = "；".join(exc.messages)
        if not errors:
            result = form.run(
                lambda: services.declaration_submit(
                    employer=employer,
                    month=form.cleaned_data["month"],
                    rows=rows,
                    actor=acting(request),
                )
            )
            if result is not None:
                for warning in result.warnings:
                    messages.warning(request, warning)
                messages.success(
                    request,
                    _t("已申报 %(n)s 人，应缴合计 %(total)s 元")
                    % {"n": len(result.lines), "total": format_yuan(result.declaration.total_fen)},
                )
                return redirect("enrollment:employer", pk=employer.pk)
    return render(
        request,
        "enrollment/declare.html",
        {"e": employer, "form": form, "rows": [(e, bases[e.pk], errors.get(e.pk)) for e in staff]},
    )


@login_required
def declarations(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "").strip()
    return render(
        request,
        "enrollment/declarations.html",
        {
            "page": _page(request, selectors.declarations_list(status=status)),
            "status": status,
            "statuses": DeclarationStatus.choices,
        },
    )


@login_required
def arrears(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "enrollment/arrears.html",
        {"page": _page(request, selectors.arrears()), "total": selectors.arrears_total()},
    )


@capability_required("contribution.collect")
def collection_new(request: HttpRequest) -> HttpResponse:
    form = forms.CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        collection = form.run(
            lambda: services.collection_record(
                tax_ref=d["tax_ref"],
                credit_code=d["credit_code"],
                month=d["month"],
                amount_fen=d["amount"],
                received_on=d["received_on"],
                actor=acting(request),
            )
        )
        if collection is not None:
            done = _t("已登记到账") if collection.declaration_id else _t("已登记到账，暂无对应申报")
            messages.success(request, done)
            if collection.booking_note:  # recorded after its month's collection step ran
                messages.info(request, collection.booking_note)
            return redirect("enrollment:declarations")
    return _form_page(request, form, _("征缴到账登记"), back="enrollment:declarations")


@login_required
def overlaps(request: HttpRequest) -> HttpResponse:
    return render(request, "enrollment/overlaps.html", {"rows": selectors.enrolment_overlaps()})


@login_required
def referrals(request: HttpRequest) -> HttpResponse:
    f = {k: request.GET.get(k, "").strip() for k in ("status", "kind")}
    return render(
        request,
        "enrollment/referrals.html",
        {
            "page": _page(request, selectors.referrals_list(**f)),
            "f": f,
            "statuses": ReferralStatus.choices,
            "kinds": ReferralKind.choices,
        },
    )


@capability_required("referral.apply")
def referral_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        referral = form.run(
            lambda: services.referral_apply(person=person, actor=acting(request), **d)
        )
        if referral is not None:
            messages.success(request, _t("已受理转诊/转外就医备案申请"))
            return redirect("enrollment:referral", pk=referral.pk)
    return _form_page(request, form, _t("转诊/转外就医备案：%(name)s") % {"name": person.name})


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.select_related("person", "county"), pk=pk)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, "referral.decide", county=referral.county_id):
            raise PermissionDenied(denied_message("referral.decide"))
        if form.is_valid():
            d = form.cleaned_data
            if d["decision"] == "revoke":
                done = form.run(
                    lambda: services.referral_revoke(
                        referral=referral, note=d["note"], actor=acting(request)
                    )
                )
            else:
                done = form.run(
                    lambda: services.referral_decide(
                        referral=referral,
                        approve=d["decision"] == "approve",
                        note=d["note"],
                        actor=acting(request),
                    )
                )
            if done is not None:
                messages.success(request, _t("备案状态：%(s)s") % {"s": done.get_status_display()})
                return redirect("enrollment:referral", pk=pk)
    return render(
        request,
        "enrollment/referral.html",
        {
            "r": referral,
            "form": form,
            "can_decide": can(request.user, "referral.decide", county=referral.county_id),
        },
    )

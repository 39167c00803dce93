"""Pages for budgets, monthly plans and pre-pooling schedules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funds import reports, selectors
from funds.chart import Category
from funds.models import (
    Book,
    Budget,
    BudgetAdjustment,
    MonthlyPlan,
    PrePoolingClaim,
    PrePoolingPosition,
)
from funds.services import budgets as svc
from funds.services.gapshare import GapCover, gap_cover, gap_cover_post, gap_rule
from funds.services.schedules import instalment_states
from funds.services.yearend import FundResult, interest_accrue, year_end_result
from pooling.kernel.choices import Role
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import yuan_to_fen
from pooling.kernel.permissions import NOT_ALLOWED, can
from pooling.kernel.regions import handling_units
from pooling.models import Region
from pooling.web.decorators import acting, capability_required
from pooling.web.exports import export_response


def _items_from(post: Any) -> tuple[dict[str, int], dict[str, str]]:
    items, errors = {}, {}
    for category in svc.BUDGET_ITEMS:
        raw = post.get(category, "").strip()
        if not raw:
            continue
        try:
            items[category] = yuan_to_fen(raw)
        except BusinessRuleError as exc:
            errors[category] = exc.text()
    return items, errors


def _may_see_budgets(user: Any) -> None:
    """Budgets are seen by who compiles them (a county: its own, by scoping) and who reads the fund."""
    if not (can(user, "budget.submit") or can(user, "fund.view")):
        raise PermissionDenied(NOT_ALLOWED)


@login_required
def budgets(request: HttpRequest) -> HttpResponse:
    year, month = _year(request), selectors.today_period()[1]
    _may_see_budgets(request.user)
    errors: dict[str, str] = {}
    if request.method == "POST" and can(request.user, "budget.submit"):
        book = get_object_or_404(Book, code=request.POST.get("book", ""))
        county = get_object_or_404(
            Region, code=request.POST.get("county") or acting(request).region_id
        )
        items, errors = _items_from(request.POST)
        if not errors:
            try:
                budget = svc.budget_save_draft(
                    book=book,
                    county=county,
                    year=int(request.POST["year"]),
                    items=items,
                    actor=acting(request),
                )
            except BusinessRuleError as exc:
                messages.error(request, exc.text())
            else:
                messages.success(request, _("预算草稿已保存"))
                return redirect("funds:budget", pk=budget.pk)
    books = Book.objects.all()
    city_plans = [selectors.city_monthly_plan(book=b, year=year, month=month) for b in books]
    return render(
        request,
        "funds/budgets.html",
        {
            "budgets": Budget.objects.filter(year=year).select_related("book", "county"),
            "year": year,
            "books": books,
            "errors": errors,
            "post": request.POST,
            "income_items": [(c, Category(c).label) for c in svc.INCOME_CATEGORIES],
            "expense_items": [(c, Category(c).label) for c in svc.EXPENSE_CATEGORIES],
            "units": handling_units() if acting(request).role != Role.COUNTY_CLERK else [],
            "can_compile": can(request.user, "budget.submit"),
            "pending_plans": MonthlyPlan.objects.filter(approved_at=None)
            .select_related("book", "county", "submitted_by")
            .order_by("year", "month", "county_id")
            if can(request.user, "budget.issue")
            else [],
            "city_plans": [p for p in city_plans if p.rows],
        },
    )


def _year(request: HttpRequest) -> int:
    year = request.GET.get("year", "")
    return (
        int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else selectors.today_period()[0]
    )


@login_required
def budgets_export(request: HttpRequest) -> HttpResponseBase:
    """Every budget of the year the reader may see, with its income and spending totals."""
    _may_see_budgets(request.user)
    year = _year(request)
    rows = list(
        Budget.objects.filter(year=year)
        .select_related("book", "county")
        .order_by("book__sort_order", "county__sort_order")
    )
    table = reports.budgets_table(
        year=year, budgets=rows, totals={b.pk: svc.budget_totals(b) for b in rows}
    )
    return export_response(table, request.GET.get("format"))


@login_required
def budget_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One budget against what was actually posted, item by item (预算执行情况)."""
    _may_see_budgets(request.user)
    budget = get_object_or_404(Budget.objects.select_related("book", "county"), pk=pk)
    table = reports.execution_table(
        title=reports.EXECUTION,
        book=budget.book,
        year=budget.year,
        county=budget.county_id,
        rows=selectors.budget_execution(budget=budget),
    )
    return export_response(table, request.GET.get("format"))


@login_required
def year_end_export(request: HttpRequest, code: str) -> HttpResponseBase:
    _may_see_budgets(request.user)
    book = get_object_or_404(Book, code=code)
    result = year_end_result(book=book, year=_year(request))
    return export_response(
        reports.year_end_table(result, _cover(result)), request.GET.get("format")
    )


@login_required
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may_see_budgets(request.user)
    budget = get_object_or_404(Budget.objects.select_related("book", "county"), pk=pk)
    if request.method == "POST":
        _act(request, budget)
        return redirect("funds:budget", pk=budget.pk)
    income, expense = svc.budget_totals(budget)
    return render(
        request,
        "funds/budget.html",
        {
            "budget": budget,
            "income": income,
            "expense": expense,
            "execution": selectors.budget_execution(budget=budget),
            "adjustments": budget.adjustments.select_related("requested_by", "decided_by"),
            "items": [(c, Category(c).label) for c in svc.BUDGET_ITEMS],
            "can_issue": can(request.user, "budget.issue"),
            "can_compile": can(request.user, "budget.submit", county=budget.county_id),
        },
    )


def _act(request: HttpRequest, budget: Budget) -> None:
    action = request.POST.get("action")
    user = acting(request)
    try:
        if action == "submit" and can(user, "budget.submit", county=budget.county_id):
            svc.budget_submit(budget=budget, actor=user)
            messages.success(request, _("预算已报送市级审核"))
        elif action == "issue" and can(user, "budget.issue"):
            svc.budget_issue(budget=budget, actor=user)
            messages.success(request, _("预算已批复下达"))
        elif action == "adjust" and can(user, "budget.submit", county=budget.county_id):
            svc.adjustment_request(
                budget=budget,
                category=request.POST.get("category", ""),
                delta_fen=yuan_to_fen(request.POST.get("delta", "0") or "0"),
                reason=request.POST.get("reason", "").strip()[:200] or "—",
                actor=user,
            )
            messages.success(request, _("调整申请已提交，等待另一人审核"))
        elif action in ("approve", "reject") and can(user, "budget.issue"):
            adjustment = get_object_or_404(
                BudgetAdjustment, pk=request.POST.get("adjustment"), budget=budget
            )
            svc.adjustment_decide(adjustment=adjustment, approve=action == "approve", actor=user)
            messages.success(request, _("已审核"))
        else:
            messages.error(request, str(NOT_ALLOWED))
    except BusinessRuleError as exc:
        messages.error(request, exc.text())


@capability_required("fund.view")
def schedules(request: HttpRequest) -> HttpResponse:
    positions = PrePoolingPosition.objects.select_related("rule", "book", "county").order_by(
        "county"
    )
    return render(
        request,
        "funds/schedules.html",
        {
            "positions": [(p, instalment_states(position=p)) for p in positions],
            "claims": PrePoolingClaim.objects.select_related("book", "county").order_by(
                "county", "id"
            ),
        },
    )


@login_required
def monthly_plan(request: HttpRequest) -> HttpResponse:
    """A county files its monthly fund-use plan (the city's plan is their sum)."""
    if request.method != "POST" or not can(request.user, "budget.submit"):
        return redirect("funds:budgets")
    try:
        county = get_object_or_404(
            Region, code=request.POST.get("county") or acting(request).region_id
        )
        svc.monthly_plan_submit(
            book=get_object_or_404(Book, code=request.POST.get("book", "")),
            county=county,
            year=int(request.POST["year"]),
            month=int(request.POST["month"]),
            planned_expense_fen=yuan_to_fen(request.POST.get("planned", "")),
            actor=acting(request),
        )
    except (KeyError, ValueError):
        messages.error(request, _("请填写年度、月份与计划支出"))
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, _("月度用款计划已报送"))
    return redirect("funds:budgets")


@require_POST
@capability_required("budget.issue")
def monthly_plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The city approves a county's filed plan (someone other than who filed it)."""
    try:
        plan = svc.monthly_plan_approve(
            plan=get_object_or_404(MonthlyPlan, pk=pk), actor=acting(request)
        )
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(
            request,
            _("%(county)s %(year)s-%(month)02d 月度用款计划已审批")
            % {"county": plan.county.name, "year": plan.year, "month": plan.month},
        )
    return redirect("funds:budgets")


@login_required
def year_end(request: HttpRequest, code: str) -> HttpResponse:
    """Each county against its budget; how a whole-fund gap is covered; interest by month.
    A county's compiler sees its own county's result (scoped), not the city's books."""
    _may_see_budgets(request.user)
    book = get_object_or_404(Book, code=code)
    year = _year(request)
    if request.method == "POST" and request.POST.get("action") == "gap_cover":
        _post_gap_cover(request, book, year)
        return redirect(f"{request.path}?year={year}")
    if request.method == "POST" and can(request.user, "interest.accrue"):
        try:
            entry = interest_accrue(
                book=book,
                year=year,
                month=int(request.POST.get("month", "0")),
                actor=acting(request),
            )
        except (ValueError, BusinessRuleError) as exc:
            messages.error(request, exc.text() if isinstance(exc, BusinessRuleError) else str(exc))
        else:
            messages.success(request, _("利息已入账：凭证 #%(id)s") % {"id": entry.pk})
        return redirect(f"{request.path}?year={year}")
    result = year_end_result(book=book, year=year)
    return render(
        request,
        "funds/year_end.html",
        {
            "book": book,
            "year": year,
            "result": result,
            "cover": _cover(result),
            "can_cover": can(request.user, "yearend.close"),
            "can_accrue": can(request.user, "interest.accrue"),
            "months": range(1, 13),
        },
    )


def _cover(result: FundResult) -> GapCover | None:
    """The whole fund's cover by the city's own rule (None in a county's view)."""
    return gap_cover(result=result, rule=gap_rule()) if result.whole_fund else None


def _post_gap_cover(request: HttpRequest, book: Book, year: int) -> None:
    if not can(request.user, "yearend.close"):
        raise PermissionDenied(NOT_ALLOWED)
    try:
        entries = gap_cover_post(book=book, year=year, actor=acting(request))
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(
            request,
            _("基金缺口已按本市分担规则入账：凭证 %(ids)s")
            % {"ids": "、".join(f"#{e.pk}" for e in entries)},
        )

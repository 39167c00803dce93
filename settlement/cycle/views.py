"""The monthly cycle's pages: runs by month, a run's steps and shards with live progress,
and the start / resume / adjustment buttons for those who hold settlement.run / adjust."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from pooling.kernel.errors import BusinessRuleError
from pooling.web.decorators import acting, capability_required
from settlement.cycle import runner, selectors
from settlement.models import CycleRun, CycleStatus


def _previous_month() -> str:
    first = timezone.localdate().replace(day=1)
    return f"{(first - date.resolution):%Y-%m}"


@capability_required("settlement.view")
def cycle_runs(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "settlement/cycle/runs.html",
        {"runs": selectors.runs_list(), "default_month": _previous_month()},
    )


@require_POST
@capability_required("settlement.run")
def cycle_start(request: HttpRequest) -> HttpResponse:
    return _start(request, adjust=False)


@require_POST
@capability_required("settlement.adjust")
def cycle_adjust(request: HttpRequest) -> HttpResponse:
    return _start(request, adjust=True)


def _start(request: HttpRequest, *, adjust: bool) -> HttpResponse:
    try:
        month = date.fromisoformat(request.POST.get("month", "") + "-01")
    except ValueError:
        messages.error(
            request, _t("请按 YYYY-MM 填写清算月份，例如 %(m)s") % {"m": _previous_month()}
        )
        return redirect("settlement:cycle_runs")
    try:
        run = runner.run_start(month=month, actor=acting(request), adjust=adjust)
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
        return redirect("settlement:cycle_runs")
    return redirect("settlement:cycle_run", pk=run.pk)


@capability_required("settlement.view")
def cycle_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(CycleRun.objects.select_related("started_by"), pk=pk)
    return render(
        request,
        "settlement/cycle/run.html",
        {
            "run": run,
            "run_error": selectors.run_error(run, request.user),
            "steps": selectors.run_steps(run, request.user),
            "progress": selectors.run_progress(run, request.user),
            "resumable": run.status in (CycleStatus.FAILED, CycleStatus.RUNNING),
        },
    )


@capability_required("settlement.view")
def cycle_progress(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(selectors.run_progress(get_object_or_404(CycleRun, pk=pk), request.user))


@require_POST
@capability_required("settlement.view")
def cycle_resume(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(CycleRun, pk=pk)
    try:
        runner.run_resume(run=run, actor=acting(request))
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
    return redirect("settlement:cycle_run", pk=run.pk)

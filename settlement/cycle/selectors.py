"""What the run pages read: runs by month, a run's steps and shards, its progress (JSON)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import RegionLevel
from pooling.kernel.money import format_yuan
from pooling.kernel.scoping import scope_for_user
from pooling.models import Region
from settlement.cycle import runner
from settlement.models import CycleRun, CycleShard, CycleStep
from settlement.models import CycleStatus as S

# What a step's counts mean, for the run page (a count not listed shows as key=value).
COUNT_LABELS: dict[str, Any] = {
    "collections": _("到账笔数"),
    "unmatched": _("未匹配"),
    "entries": _("记账凭证"),
    "amount_fen": _("金额"),
    "allocated": _("划入人次"),
    "batches": _("归集批次"),
    "swept_fen": _("归集入账"),
    "paid": _("已缴期数"),
    "paid_fen": _("支付金额"),
    "overdue": _("逾期期数"),
    "overdue_fen": _("逾期金额"),
    "plans": _("用款计划"),
    "disbursed_fen": _("拨付金额"),
    "providers": _("机构数"),
    "statements": _("结算单"),
    "held": _("暂缓支付"),
    "differences": _("差异"),
    "cells": _("清算矩阵格"),
    "cleared_fen": _("清算金额"),
    "checks": _("检查项"),
    "books_closed": _("结账账簿"),
}


def counts_shown(counts: dict[str, Any]) -> list[str]:
    """A step's or shard's counts in words: amounts in yuan, other counts as numbers."""
    out = []
    for key, value in counts.items():
        label = COUNT_LABELS.get(key)
        if label is None:
            out.append(f"{key}={value}")
        elif key.endswith("_fen") and isinstance(value, int):
            out.append(f"{label} {format_yuan(value)} 元")
        else:
            out.append(f"{label} {value}")
    return out


def shard_label(key: str, names: dict[str, str]) -> str:
    """A shard as a reader names it: a county by name, the one city shard, a provider batch."""
    if key in names:
        return f"{names[key]}（{key}）"
    if key == "city":
        return str(_("全市"))
    if (
        "~" in key
    ):  # a batch of providers by national code range (open ends: from the first / to the last)
        lo, hi = key.split("~", 1)
        return str(_("定点机构 %(lo)s 至 %(hi)s") % {"lo": lo or "…", "hi": hi or "…"})
    return key


RUN_STOPPED = _("本月清算已暂停，等待市级经办机构处理后续跑")


def runs_list(limit: int = 60) -> list[CycleRun]:
    return list(CycleRun.objects.select_related("started_by").order_by("-month", "-id")[:limit])


def step_output_url(name: str, month: str) -> str | None:
    """The step's own output page (`settlement:cycle_<step>`), once its engineer has built one."""
    try:
        return reverse(f"settlement:cycle_{name}", args=[month])
    except NoReverseMatch:
        return None


def _labels() -> dict[str, Any]:
    return {step.name: step.label for step in runner.steps()}


def run_progress(run: CycleRun, user: Any = None) -> dict[str, Any]:
    """Where the run stands: each step's shards done of planned, and one percentage. A county
    clerk gets no step totals: they add up every county's money."""
    city_wide = scope_for_user(user).all_regions
    steps = list(
        CycleStep.objects.filter(run=run)
        .order_by("order")
        .annotate(
            total=Count("shards"),
            done=Count("shards", filter=Q(shards__status=S.DONE)),
            failed=Count("shards", filter=Q(shards__status=S.FAILED)),
        )
    )
    labels = _labels()
    share = 0.0
    rows = []
    for step in steps:
        if step.status == S.DONE:
            share += 1
        elif step.total:
            share += step.done / step.total
        rows.append(
            {
                "name": step.name,
                "label": str(labels.get(step.name, step.name)),
                "status": step.status,
                "status_label": str(step.get_status_display()),
                "done": step.done,
                "total": step.total,
                "failed": step.failed,
                "counts": step.counts if city_wide else {},
            }
        )
    percent = 100 if run.status == S.DONE else int(100 * share / len(steps)) if steps else 0
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "error": run_error(run, user),
        "percent": percent,
        "steps": rows,
    }


def run_error(run: CycleRun, user: Any) -> str:
    """The run's error as this user may read it: it can name another county's money (an
    expenditure account's balance, a provider's amounts), so a county clerk reads only that
    the run stopped and who resumes it."""
    if not run.error or scope_for_user(user).all_regions:
        return run.error
    return str(RUN_STOPPED)


def _counties() -> set[str]:
    return set(
        Region.objects.filter(
            parent__code=settings.POOLING_AREA_CODE, level=RegionLevel.COUNTY
        ).values_list("code", flat=True)
    )


def run_steps(run: CycleRun, user: Any) -> list[dict[str, Any]]:
    """The run's steps with their shards as the user's scope lets them see them: a county
    reader sees their county's shards and the city's, not another county's; and no money of
    a shard that is not their county's (the city's and providers' shards add up every
    county's money), nor step totals."""
    scope = scope_for_user(user)
    hidden = set() if scope.all_regions else {c for c in _counties() if not scope.allows(c)}
    names = dict(Region.objects.values_list("code", "name"))
    shards: dict[int, list[CycleShard]] = {}
    for shard in CycleShard.objects.filter(step__run=run).order_by("id"):
        if shard.key in hidden:
            continue
        if not scope.allows(shard.key):
            shard.counts, shard.error = {}, ""  # not saved: only what this page shows
        shard.shown = counts_shown(shard.counts)  # type: ignore[attr-defined]  # for the page only
        shard.label = shard_label(shard.key, names)  # type: ignore[attr-defined]
        shards.setdefault(shard.step_id, []).append(shard)
    labels = _labels()
    steps = (
        CycleStep.objects.filter(run=run)
        .order_by("order")
        .annotate(total=Count("shards"), done=Count("shards", filter=Q(shards__status=S.DONE)))
    )
    return [
        {
            "step": step,
            "label": labels.get(step.name, step.name),
            "shards": shards.get(step.pk, []),
            "counts": step.counts if scope.all_regions else {},
            "counts_shown": counts_shown(step.counts if scope.all_regions else {}),
            "done": step.done,
            "total": step.total,
            "output": step_output_url(step.name, run.month_label),
        }
        for step in steps
    ]

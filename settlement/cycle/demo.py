"""The demo runs last month through the monthly cycle from its beat schedule.

Registered after the settlement demo (settlement/demo.py imports this module last), so the
month's settlements, collections and plan are there. The run is started by the task the
schedule declares (`pooling.schedules.SCHEDULES`, "settlement.cycle.start" with its
kwargs), exactly what beat sends on the 5th; whatever shards are still unfinished then run
in this process (`run_to_end`): the embedded demo has no worker (with eager Celery they
have already run; with a broker and no worker yet, this process drains them). Loading
again changes nothing: the month's run exists (and, once closed, the month is closed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from django.utils import timezone

from pooling.kernel.audit import system_job
from pooling.kernel.choices import Role
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.permissions import CYCLE_JOB
from settlement.cycle import runner
from settlement.models import CycleRun, RunKind


@DEMO_LOADERS.register
def load(echo: Callable[[str], None]) -> None:
    month = (timezone.localdate().replace(day=1) - date.resolution).replace(day=1)
    if CycleRun.objects.filter(month=month, kind=RunKind.REGULAR).exists():
        echo(f"{month:%Y-%m} 月度清算已存在 / cycle already run")
        return
    _contributions(month)
    _plans(month)
    run_id = _start_as_beat()
    with system_job(CYCLE_JOB):
        run = runner.run_to_end(run_id)
    echo(f"{month:%Y-%m} 月度清算：{run.get_status_display()} {run.error}".rstrip())


def _start_as_beat() -> int:
    """Send the cycle's scheduled task the way beat does (its declared name and kwargs)."""
    from pooling.celery import app
    from pooling.schedules import SCHEDULES

    app.loader.import_default_modules()  # the worker's autodiscovery: registers every task
    spec = next(s for s in SCHEDULES if s.task == "settlement.cycle.start")
    return int(app.tasks[spec.task].apply(kwargs=spec.kwargs).get())


def _plans(month: date) -> None:
    """Each handling unit's monthly fund-use plan for the month, filed by the city agency and
    approved by finance (two people, as the rule wants): what its providers are owed per
    book, rounded up to ten thousand yuan — so disbursement has an approved plan to pay."""
    from funds.models import Book, MonthlyPlan
    from funds.services.budgets import monthly_plan_approve, monthly_plan_submit
    from pooling.models import Region, User
    from providers.models import Provider
    from settlement.cycle.provider_figures import month_figures
    from settlement.cycle.reimbursements import month_reimbursements

    filer = User.objects.filter(role=Role.CITY_AGENCY, is_active=True).order_by("pk").first()
    approver = User.objects.filter(role=Role.FINANCE, is_active=True).order_by("pk").first()
    if (
        filer is None
        or approver is None
        or MonthlyPlan.objects.filter(year=month.year, month=month.month).exists()
    ):
        return
    units = dict(Provider.objects.values_list("pk", "handling_region_id"))
    need: dict[tuple[str, str], int] = {}
    for figures in month_figures(month=month, provider_ids=list(units)).values():
        for owed in figures.books.values():
            for unit, fen in owed.payable_by_unit.items():
                need[(unit, owed.book)] = need.get((unit, owed.book), 0) + fen
    for (unit, code), expense in month_reimbursements(month).items():  # paid to people directly
        need[(unit, code)] = need.get((unit, code), 0) + sum(expense.values())
    for (unit, code), fen in sorted(need.items()):
        book = Book.objects.filter(code=code).first()
        if book is None or fen <= 0:
            continue
        plan = monthly_plan_submit(
            book=book,
            county=Region.objects.get(code=unit),
            year=month.year,
            month=month.month,
            planned_expense_fen=-(-fen // 1_000_000) * 1_000_000,
            actor=filer,
        )
        monthly_plan_approve(plan=plan, actor=approver)


def _contributions(month: date) -> None:
    """The month's employee declarations, paid through the tax bureau on the 20th (one
    employer pays half: a partial payment the collection step splits in proportion)."""
    from enrollment import services
    from enrollment.models import Declaration, Employer
    from pooling.kernel.permissions import DEMO_LOADER

    if Declaration.objects.filter(month=month).exists():
        return
    for n, employer in enumerate(Employer.objects.filter(status="active").order_by("pk")):
        rows = [
            (e.person, 380000 + 90000 * (e.person_id % 5))
            for e in employer.enrolments.filter(status="active").select_related("person")
        ]
        if not rows:
            continue
        result = services.declaration_submit(
            employer=employer, month=month, rows=rows, actor=DEMO_LOADER
        )
        total = result.declaration.total_fen
        services.collection_record(
            tax_ref=f"SW{employer.credit_code[-6:]}{month:%Y%m}",
            credit_code=employer.credit_code,
            month=month,
            amount_fen=total if n else total // 2,
            received_on=month.replace(day=20),
            actor=DEMO_LOADER,
        )
    # Backfilled today, but declared in the month, as employers do (collection is recognised
    # in the later of the months it was declared and received).
    filed = timezone.make_aware(datetime.combine(month.replace(day=5), time(10)))
    Declaration.objects.filter(month=month).update(created_at=filed)

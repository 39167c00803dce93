"""Celery tasks of the handling app: thin, ids and keys in, one service call."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from enrollment.services import accounts_allocate_month
from pooling.kernel.audit import system_job
from pooling.kernel.permissions import ACCOUNTS_JOB


@shared_task(name="enrollment.allocate_accounts_month")
def allocate_accounts_month(month_iso: str) -> int:
    """Allocate one month into personal accounts city-wide (system scope), as ACCOUNTS_JOB.

    Idempotent: each allocation's key `alloc:<id number>:<month>` is unique, so a
    redelivered or re-run task books nothing twice.
    """
    with system_job(ACCOUNTS_JOB) as actor:
        return accounts_allocate_month(month=date.fromisoformat(month_iso), actor=actor)

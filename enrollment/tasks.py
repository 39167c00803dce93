"""Celery tasks of the handling app: thin, ids and keys in, one service call, as their system job."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from enrollment.services import (
    account_postings_sweep_all,
    accounts_allocate_month,
    transfers_complete_due,
)
from pooling.kernel.audit import system_job
from pooling.kernel.permissions import ACCOUNTS_JOB, SWEEP_JOB, TRANSFERS_JOB


@shared_task(name="enrollment.allocate_accounts_month")
def allocate_accounts_month(month_iso: str) -> int:
    """Allocate one month into personal accounts city-wide (system scope), as ACCOUNTS_JOB.

    Idempotent: each allocation's key `alloc:<id number>:<month>` is unique, so a
    redelivered or re-run task books nothing twice.
    """
    with system_job(ACCOUNTS_JOB) as actor:
        return accounts_allocate_month(month=date.fromisoformat(month_iso), actor=actor)


@shared_task(name="enrollment.sweep_account_postings")
def sweep_account_postings(until_iso: str) -> int:
    """Match every unswept personal-account posting up to a month with the funds books, as SWEEP_JOB.

    Idempotent: a posting is matched once (the database refuses a second batch), and a
    sweep that dies rolls back whole; a re-run matches only what is still unswept.
    """
    with system_job(SWEEP_JOB) as actor:
        return len(account_postings_sweep_all(until=date.fromisoformat(until_iso), actor=actor))


@shared_task(name="enrollment.complete_due_transfers")
def complete_due_transfers(on_iso: str | None = None) -> list[int]:
    """Daily (beat, enrollment/migrations/0011): complete the transfers whose sending county
    let the release deadline pass without confirming or objecting, as TRANSFERS_JOB.

    Idempotent: a completed transfer is no longer pending, so a re-run finds nothing.
    """
    on = date.fromisoformat(on_iso) if on_iso else timezone.localdate()
    with system_job(TRANSFERS_JOB) as actor:
        return transfers_complete_due(on=on, actor=actor)

"""Celery tasks of the handling app: thin, ids and keys in, one service call."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from enrollment.services import account_postings_sweep_all, accounts_allocate_month


@shared_task(name="enrollment.allocate_accounts_month")
def allocate_accounts_month(month_iso: str) -> int:
    """Allocate one month into personal accounts city-wide (system scope).

    Idempotent: each allocation's key `alloc:<id number>:<month>` is unique, so a
    redelivered or re-run task books nothing twice.
    """
    return accounts_allocate_month(month=date.fromisoformat(month_iso), actor=None)


@shared_task(name="enrollment.sweep_account_postings")
def sweep_account_postings(until_iso: str) -> int:
    """Match every unswept personal-account posting up to a month with the funds books.

    Idempotent: a posting is matched once (the database refuses a second batch), and a
    sweep that dies rolls back whole; a re-run matches only what is still unswept.
    """
    return len(account_postings_sweep_all(until=date.fromisoformat(until_iso), actor=None))

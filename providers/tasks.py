"""Daily task: agreements suspended for more than 180 days end (令第2号). Thin and idempotent:
an ended agreement is no longer suspended, so a second run finds nothing to do."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from pooling.kernel.audit import system_job
from pooling.kernel.permissions import SUSPENSIONS_JOB
from providers.services.lifecycle import suspensions_expire


@shared_task(name="providers.expire_suspensions")
def expire_suspensions(on: str | None = None) -> list[int]:
    with system_job(SUSPENSIONS_JOB) as actor:
        return suspensions_expire(actor=actor, on=date.fromisoformat(on) if on else None)

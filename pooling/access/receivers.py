"""What a lockout does besides refusing: audit it, and in the API answer 429 with the time."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.dispatch import receiver
from rest_framework.exceptions import Throttled
from rest_framework.request import Request

from pooling.access.services import lockout_error, lockout_record, lockout_until, seconds_left


class LockedOut(Throttled):
    """429 with Retry-After; the API's exception handler shows `rule` in Chinese and English."""

    def __init__(self, *, rule: Any, wait: int) -> None:
        super().__init__(wait=wait, detail=rule.text())
        self.rule = rule


@receiver(user_locked_out, dispatch_uid="pooling.access.locked_out")
def locked_out(
    sender: Any, request: Any, username: str, ip_address: str | None, **kwargs: Any
) -> None:
    until = lockout_until(attempt_time=getattr(request, "axes_attempt_time", None))
    lockout_record(
        username=username,
        ip_address=ip_address,
        failures=getattr(request, "axes_failures_since_start", None),
        until=until,
    )
    if isinstance(request, Request):
        # HTTP Basic inside a DRF view: axes' middleware never sees DRF's request, so the
        # refusal is raised here, out of authenticate(); DRF turns it into the response.
        raise LockedOut(
            rule=lockout_error(username=username, until=until), wait=seconds_left(until=until)
        )

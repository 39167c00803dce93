"""Lockouts: the message that says when to try again, the audit entry, and lifting one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, require, staff_user

LOCKED_OUT = _(
    "登录失败次数过多，账号“%(username)s”已暂时锁定。请在 %(until)s 之后（约 %(minutes)s 分钟后）再试；"
    "如需提前解锁，请联系系统管理员。"
)
STATE = _("登录状态")
UNLOCKED = _("未锁定")
LOCKED_UNTIL = _("锁定至 %(until)s")
LIFTED = _("已由管理员解锁")
FAILURES = _("失败 %(n)s 次")


def lockout_until(*, attempt_time: datetime | None) -> datetime:
    """When a lockout that began (or was renewed by a failure) at `attempt_time` ends."""
    cool_off = get_cool_off() or timedelta(0)
    return (attempt_time or timezone.now()) + cool_off


def seconds_left(*, until: datetime) -> int:
    """Seconds until the lockout ends (at least 1: it has not ended, or we would not be here)."""
    return max(1, int((until - timezone.now()).total_seconds() + 0.999))


def lockout_error(*, username: str, until: datetime) -> BusinessRuleError:
    """The refusal shown on the login page and in the API, saying when to try again."""
    minutes = -(-seconds_left(until=until) // 60)
    return BusinessRuleError(
        LOCKED_OUT,
        code="locked_out",
        field="username",
        params={
            "username": username,
            "until": timezone.localtime(until).strftime("%H:%M"),
            "minutes": minutes,
        },
    )


def lockout_record(
    *, username: str, ip_address: str | None, failures: int | None, until: datetime
) -> None:
    """Audit a lockout once, when the failure that crosses the limit locks the username
    (failures after it renew the lockout, which the admin's count shows)."""
    if failures != settings.AXES_FAILURE_LIMIT:
        return
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .first()
    )
    if attempt is None:
        return
    when = timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
    with translation.override(settings.LANGUAGE_CODE):  # the trail is kept in Chinese
        LogEntry.objects.log_create(
            attempt,
            action=LogEntry.Action.UPDATE,
            actor=None,
            remote_addr=ip_address,
            object_repr=f"{username} @ {ip_address}",
            changes={str(STATE): [str(UNLOCKED), str(LOCKED_UNTIL) % {"until": when}]},
        )


def lockouts_lift(*, attempts: Iterable[AccessAttempt], actor: Actor) -> int:
    """Lift these lockouts (forget their failures), one audit entry each; returns how many."""
    require(actor, "access.lift")
    lifted = 0
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for attempt in attempts:
            LogEntry.objects.log_create(
                attempt,
                action=LogEntry.Action.DELETE,
                actor=staff_user(actor),
                object_repr=f"{attempt.username} @ {attempt.ip_address}",
                changes={
                    str(STATE): [str(FAILURES) % {"n": attempt.failures_since_start}, str(LIFTED)]
                },
            )
            attempt.delete()
            lifted += 1
    return lifted

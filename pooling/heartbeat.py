"""Proof that a Celery worker and the broker are alive (the home page shows it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A row written by a Celery worker: proof the worker and broker are alive.

    The token is unique, so a redelivered task (acks_late) writes nothing twice.
    """

    token = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("任务进程心跳")
        verbose_name_plural = _("任务进程心跳")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.hostname} {self.received_at:%Y-%m-%d %H:%M}"


def heartbeat_record(*, token: str, hostname: str) -> WorkerHeartbeat:
    beat, _created = WorkerHeartbeat.objects.get_or_create(
        token=token, defaults={"hostname": hostname}
    )
    return beat


def heartbeat_status() -> dict[str, Any]:
    last = WorkerHeartbeat.objects.order_by("-received_at").first()
    fresh = bool(last and last.received_at > timezone.now() - timedelta(minutes=15))
    return {"last": last, "fresh": fresh}

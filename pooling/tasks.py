from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone

from pooling.heartbeat import heartbeat_record


@shared_task(name="pooling.heartbeat")
def heartbeat(token: str | None = None) -> int:
    """Prove the worker and broker are alive.

    The token is deterministic (the 5-minute slot for beat), so a redelivered
    task finds its row already written and changes nothing.
    """
    if token is None:
        now = timezone.now()
        token = (
            "beat:"
            + now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0).isoformat()
        )
    return heartbeat_record(token=token, hostname=socket.gethostname()).pk


# The import workflow's tasks live with it; importing them here registers them with the worker.
from pooling.imports.tasks import import_commit, import_preview  # noqa: E402,F401

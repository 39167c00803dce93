"""The Celery app.

Idempotency rule for every task in this project (tasks are acks_late, so a task
may run again after a worker dies): a task takes ids and a deterministic key,
calls one service, and that service makes its effect exactly once — through a
unique constraint (e.g. the ledger's idempotency key, the heartbeat token) or a
claimed row (`UPDATE ... WHERE state = 'pending'`). Re-running a task must
change nothing.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pooling.settings")

app = Celery("pooling")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

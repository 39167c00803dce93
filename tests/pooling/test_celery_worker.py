"""A task travels through real Redis to a real worker process and lands in PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection

from pooling.models import WorkerHeartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker_url():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def worker(broker_url):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pooling",
            "worker",
            "-P",
            "solo",
            "-l",
            "warning",
            "-Q",
            "pooling",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait_for(predicate, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_it_runs_a_task_on_a_real_worker_and_ignores_a_redelivery(worker, broker_url):
    sender = Celery("probe", broker=broker_url)
    token = f"test:{uuid.uuid4()}"
    sender.send_task("pooling.heartbeat", args=[token], queue="pooling")
    arrived = _wait_for(lambda: WorkerHeartbeat.objects.filter(token=token).exists())
    if not arrived:
        worker.terminate()
        pytest.fail(
            "worker never wrote the heartbeat:\n" + worker.communicate(timeout=20)[0].decode()
        )
    # The same task delivered again (as acks_late allows) writes nothing new.
    sender.send_task("pooling.heartbeat", args=[token], queue="pooling")
    marker = f"test:{uuid.uuid4()}"
    sender.send_task("pooling.heartbeat", args=[marker], queue="pooling")
    assert _wait_for(lambda: WorkerHeartbeat.objects.filter(token=marker).exists())
    assert WorkerHeartbeat.objects.filter(token=token).count() == 1

"""Real parts for the fault tests: a redis-server of the test's own, Celery worker processes
against the test database, and a sender that puts shard messages on the queue."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
QUEUE = "pooling"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Redis:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--bind",
                "127.0.0.1",
            ],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        assert wait_for(lambda: _pings(client), 10), "redis-server did not start"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


class Workers:
    """Worker processes started with the environment a test gives them; all stopped at the end."""

    def __init__(self, broker_url: str, folder: Path, env: dict[str, str]) -> None:
        self.broker_url, self.folder, self.env = broker_url, folder, env
        self.procs: list[subprocess.Popen[bytes]] = []
        self.sender = Celery("cycle-test", broker=broker_url)
        self.sender.conf.broker_transport_options = {"visibility_timeout": 5}

    def start(
        self, name: str, concurrency: int = 1, pool: str = "prefork"
    ) -> subprocess.Popen[bytes]:
        db = connection.settings_dict
        env = {
            **os.environ,
            **self.env,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "POOLING_CYCLE_FAULTS_DIR": str(self.folder / "faults"),
        }
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pooling",
                "worker",
                "-P",
                pool,
                "-c",
                str(concurrency),
                "-l",
                "warning",
                "-Q",
                QUEUE,
                "-n",
                f"{name}@%h",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def send(self, ids: list[int]) -> None:
        for shard_id in ids:
            self.sender.send_task("settlement.cycle.shard", args=[shard_id], queue=QUEUE)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.folder.glob("*.log"))

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def wait_for(predicate: Callable[[], bool], seconds: float, every: float = 0.3) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False

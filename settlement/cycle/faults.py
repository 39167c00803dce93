"""Seeded crashes for the fault tests: a real worker process kills itself at a named point.

`POOLING_CYCLE_FAULTS="<step>:<shard>:<point>[,…]"` (shard may be `*`), points:
- `in-transaction`: the shard's work is done but not committed — the database rolls it back;
- `after-commit`: the shard committed, its message is not yet acknowledged — it comes again;
- `after-step`: the shard that finished its step committed, the next step not yet sent.
Each fault fires once: a marker file in `POOLING_CYCLE_FAULTS_DIR` remembers it (written
before the kill, outside the database, so a rolled-back transaction does not forget it).
Unset in production: `fault_point` then costs one dictionary lookup.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

POINTS = ("in-transaction", "after-commit", "after-step")


def _wanted(step: str, shard: str, point: str) -> bool:
    for item in os.environ.get("POOLING_CYCLE_FAULTS", "").split(","):
        if not item.strip():
            continue
        want_step, _sep, rest = item.strip().partition(":")
        want_shard, _sep, want_point = rest.rpartition(":")
        if want_step == step and want_point == point and want_shard in (shard, "*"):
            return True
    return False


def fault_point(step: str, shard: str, point: str) -> None:
    """Kill this process (SIGKILL: no cleanup, no ack) if this point is seeded and has not fired."""
    if "POOLING_CYCLE_FAULTS" not in os.environ or not _wanted(step, shard, point):
        return
    folder = Path(os.environ.get("POOLING_CYCLE_FAULTS_DIR", "var/cycle-faults"))
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / re.sub(r"[^\w.-]", "_", f"{step}.{shard}.{point}")
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.fsync(fd)
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)


def deliver_twice() -> bool:
    """`POOLING_CYCLE_DELIVER_TWICE=1`: every shard message is sent twice (as a broker may)."""
    return os.environ.get("POOLING_CYCLE_DELIVER_TWICE") == "1"

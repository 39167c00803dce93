"""The load side of `bench.settlement_http`: standard library only (no Django), so it runs in
separate processes started with `spawn` and costs the server's machine as little as possible.

Each process speaks as one provider system (its own credential, so `msgid`s never collide
between processes) through `settlement.client`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from settlement.client import Item, Patient, ProviderClient, run_visits


@dataclass(frozen=True)
class Job:
    url: str
    token: str
    provider: str
    patients: list[Patient]
    items: list[Item]
    count: int  # settlements (2201+2204+2207) or floor messages (1101)
    threads: int
    seed: int


def settle(job: Job) -> dict[str, Any]:
    """2201 → 2204 (5 lines) → 2207, `job.count` times; latency is of the three messages together."""
    started = time.time()
    outcome = run_visits(
        job.url,
        job.token,
        job.provider,
        job.patients,
        job.items,
        visits=job.count,
        threads=job.threads,
        seed=job.seed,
    )
    return {
        "ok": outcome.settled,
        "refused": outcome.refused,
        "latencies": outcome.latencies,
        "errors": outcome.errors[:5],
        "start": started,
        "end": time.time(),
    }


def floor(job: Job) -> dict[str, Any]:
    """The floor: 1101 (person information) — authenticated, signed in, msgid checked, one person
    read, nothing written. The cheapest message the interface answers with real work."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    left = [job.count]

    def work(n: int) -> None:
        client = ProviderClient(job.url, job.token, job.provider)
        client.sign_in()
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            patient = job.patients[(n + left[0]) % len(job.patients)]
            t = time.perf_counter()
            answer = client.post(
                "1101",
                {
                    "data": {
                        "psn_no": patient.psn_no,
                        "mdtrt_cert_type": "02",
                        "mdtrt_cert_no": patient.cert_no,
                    }
                },
            )
            elapsed = time.perf_counter() - t
            with lock:
                if answer.get("infcode") == 0:
                    latencies.append(elapsed)
                elif len(errors) < 5:
                    errors.append(str(answer.get("err_msg")))

    started = time.time()
    pool = [threading.Thread(target=work, args=(n,)) for n in range(job.threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {
        "ok": len(latencies),
        "refused": job.count - len(latencies),
        "latencies": latencies,
        "errors": errors,
        "start": started,
        "end": time.time(),
    }

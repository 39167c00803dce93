"""The load side of `bench.settlement_http`: standard library only (no Django), so it runs in
separate processes started with `spawn` and costs the server's machine as little as possible.

Each process speaks as one provider system (its own credential, so `msgid`s never collide
between processes) through `settlement.client`.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from settlement.client import ZONE, Item, Patient, ProviderClient, fee_rows, run_visits


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
    visits: tuple[tuple[Patient, str], ...] = ()  # checkout: visits registered before (mdtrt_id)


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


def register(job: Job) -> dict[str, Any]:
    """2201 for `job.count` visits: the patients arrive (before the checkout run, as at a hospital
    registration comes hours before the cashier). The result's `visits`: (patient, mdtrt_id)."""
    visits: list[tuple[Patient, str]] = []

    def one(client: ProviderClient, patient: Patient, n: int) -> dict[str, Any]:
        answer = client.register(patient, when=datetime.now(ZONE))
        if answer.get("infcode") == 0:
            visits.append((patient, answer["output"]["data"]["mdtrt_id"]))
        return answer

    return {**_threads(job, one), "visits": visits}


def checkout(job: Job) -> dict[str, Any]:
    """2204 (five fee lines) → 2207 for each of `job.visits`: a settlement as issue 12 counts it;
    latency is of the two messages together. Half pay from the personal account."""

    def one(client: ProviderClient, patient: Patient, n: int) -> dict[str, Any]:
        patient, mdtrt_id = job.visits[n]
        lines = [(job.items[(n + k) % len(job.items)], 1 + (n + k) % 3) for k in range(5)]
        return client.checkout(patient, mdtrt_id, lines, when=datetime.now(ZONE), acct=n % 2 == 0)

    return _threads(job, one)


def floor(job: Job) -> dict[str, Any]:
    """The floor: 1101 (person information) — authenticated, signed in, msgid checked, one person
    read, nothing written. The cheapest message the interface answers with real work."""

    def one(client: ProviderClient, patient: Patient, n: int) -> dict[str, Any]:
        return client.post(
            "1101",
            {
                "data": {
                    "psn_no": patient.psn_no,
                    "mdtrt_cert_type": "02",
                    "mdtrt_cert_no": patient.cert_no,
                }
            },
        )

    return _threads(job, one)


def write_floor(job: Job) -> dict[str, Any]:
    """The write floor (bench/_write_floor.py): W2204 five fee lines then W2207 for a new visit,
    the same payloads as a 2204 and 2207 carry; latency is of the pair together."""

    def one(client: ProviderClient, patient: Patient, n: int) -> dict[str, Any]:
        visit = uuid.uuid4().hex[:30]  # the interface's ids are at most 30 characters
        stamp = f"{datetime.now(ZONE):%Y-%m-%d %H:%M:%S}"
        lines = [(job.items[(n + k) % len(job.items)], 1 + (n + k) % 3) for k in range(1, 6)]
        rows, total = fee_rows(visit, patient, lines, stamp)
        uploaded = client.post("W2204", {"feedetail": rows})
        if uploaded.get("infcode") != 0:
            return uploaded
        data = {"psn_no": patient.psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": patient.cert_no}
        data |= {"med_type": "11", "medfee_sumamt": str(total), "psn_setlway": "01"}
        data |= {"mdtrt_id": visit, "chrg_bchno": "1"}
        data |= {"insutype": patient.insutype, "acct_used_flag": "0"}
        return client.post("W2207", {"data": data})

    return _threads(job, one)


def _threads(
    job: Job, one: Callable[[ProviderClient, Patient, int], dict[str, Any]]
) -> dict[str, Any]:
    """`job.count` calls of `one` from `job.threads` signed-in connections; one latency per call."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    left = [job.count]
    seq = itertools.count(job.seed * 7919 % 10000)  # one msgid sequence: threads never collide

    def work(n: int) -> None:
        client = ProviderClient(job.url, job.token, job.provider, seq=seq)
        client.sign_in()
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
                i = left[0]
            # each call its own patient, spread over the list by the job (a provider) and its turn
            patient = job.patients[(job.seed * 7919 + i) % len(job.patients)]
            t = time.perf_counter()
            answer = one(client, patient, i)
            elapsed = time.perf_counter() - t
            with lock:
                if answer.get("infcode") == 0:
                    latencies.append(elapsed)
                elif len(errors) < 5:
                    errors.append(str(answer.get("err_msg")))

    started, cpu = time.time(), time.process_time()
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
        "cpu": time.process_time() - cpu,  # this load process's own (all its threads')
    }

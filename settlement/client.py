"""A provider's system in miniature: signs in and posts realistic visits over HTTP in the national
format (2201 registration, 2204 fee details, 2207 settlement). Used by `manage.py provider_client`,
the demo and `bench.settlement_http`. Standard library only (http.client keep-alive connections),
so a load generator can run it in several processes without Django.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Patient:
    psn_no: str
    cert_no: str
    insutype: str  # 310 / 390


@dataclass(frozen=True)
class Item:
    code: str
    price: str  # yuan, two decimals


@dataclass
class Outcome:
    settled: int = 0
    refused: int = 0
    latencies: list[float] = field(
        default_factory=list
    )  # seconds per settlement (its three messages)
    errors: list[str] = field(default_factory=list)


class ProviderClient:
    """One provider system's connection; not shared between threads."""

    def __init__(self, base_url: str, token: str, provider_code: str, *, seq: Any = None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = (parts.path.rstrip("/") or "") + "/api/hsa/"
        self.token, self.code = token, provider_code
        self.sign_no = ""
        self.seq = seq or itertools.count(random.randrange(10**6))
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def msgid(self) -> str:
        return f"{self.code}{datetime.now(ZONE):%Y%m%d%H%M%S}{next(self.seq) % 10000:04d}"

    def envelope(self, infno: str, payload: dict[str, Any]) -> bytes:
        """The message in the national envelope, as this provider's system sends it."""
        return json.dumps(
            {
                "infno": infno,
                "msgid": self.msgid(),
                "fixmedins_code": self.code,
                "opter": "001",
                "opter_name": "收费员",
                "opter_type": "1",
                "infver": "V1.0",
                "sign_no": self.sign_no,
                "mdtrtarea_admvs": self.code[1:7],
                "inf_time": f"{datetime.now(ZONE):%Y-%m-%d %H:%M:%S}",
                "input": payload,
            },
            ensure_ascii=False,
        ).encode()

    def post(self, infno: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = self.envelope(infno, payload)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        for attempt in range(2):
            try:
                self.conn.request("POST", self.path, body, headers)
                response = self.conn.getresponse()
                return json.loads(response.read(), parse_float=Decimal)
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def sign_in(self) -> str:
        answer = self.post(
            "9001", {"signIn": {"opter_no": "001", "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"}}
        )
        if answer.get("infcode") != 0:
            raise RuntimeError(f"签到失败 / sign-in failed: {answer.get('err_msg')}")
        self.sign_no = answer["output"]["signinoutb"]["sign_no"]
        return self.sign_no

    def outpatient_visit(
        self, patient: Patient, items: list[tuple[Item, int]], *, when: datetime, acct: bool
    ) -> dict[str, Any]:
        """2201 → 2204 → 2207 for one visit; returns the 2207 answer (or the first refusal)."""
        opened = self.register(patient, when=when)
        if opened.get("infcode") != 0:
            return opened
        mdtrt_id = opened["output"]["data"]["mdtrt_id"]
        return self.checkout(patient, mdtrt_id, items, when=when, acct=acct)

    def register(self, patient: Patient, *, when: datetime) -> dict[str, Any]:
        """2201: the patient arrives; the answer's `output.data.mdtrt_id` names the visit."""
        return self.post(
            "2201",
            {
                "data": {
                    "psn_no": patient.psn_no,
                    "insutype": patient.insutype,
                    "med_type": "11",
                    "begntime": when.strftime("%Y-%m-%d %H:%M:%S"),
                    "mdtrt_cert_type": "02",
                    "mdtrt_cert_no": patient.cert_no,
                }
            },
        )

    def checkout(
        self,
        patient: Patient,
        mdtrt_id: str,
        items: list[tuple[Item, int]],
        *,
        when: datetime,
        acct: bool,
    ) -> dict[str, Any]:
        """2204 → 2207 at the cashier: the visit's fee lines, then its settlement (issue 12 counts
        these two as one settlement); returns the 2207 answer (or the 2204's refusal)."""
        rows, total = fee_rows(mdtrt_id, patient, items, when.strftime("%Y-%m-%d %H:%M:%S"))
        uploaded = self.post("2204", {"feedetail": rows})
        if uploaded.get("infcode") != 0:
            return uploaded
        return self.post(
            "2207",
            {
                "data": {
                    "psn_no": patient.psn_no,
                    "mdtrt_cert_type": "02",
                    "mdtrt_cert_no": patient.cert_no,
                    "med_type": "11",
                    "medfee_sumamt": str(total),
                    "psn_setlway": "01",
                    "mdtrt_id": mdtrt_id,
                    "chrg_bchno": "1",
                    "insutype": patient.insutype,
                    "acct_used_flag": "1" if acct else "0",
                }
            },
        )


def fee_rows(
    mdtrt_id: str, patient: Patient, items: list[tuple[Item, int]], stamp: str
) -> tuple[list[dict[str, Any]], Decimal]:
    """A 2204's `feedetail` rows for one visit, and their total in yuan."""
    rows, total = [], Decimal(0)
    for n, (item, qty) in enumerate(items, start=1):
        amount = (Decimal(item.price) * qty).quantize(Decimal("0.01"))
        total += amount
        rows.append(
            {
                "feedetl_sn": f"{n:04d}",
                "mdtrt_id": mdtrt_id,
                "psn_no": patient.psn_no,
                "chrg_bchno": "1",
                "fee_ocur_time": stamp,
                "med_list_codg": item.code,
                "medins_list_codg": item.code,
                "det_item_fee_sumamt": str(amount),
                "cnt": str(qty),
                "pric": item.price,
            }
        )
    return rows, total


def run_visits(
    base_url: str,
    token: str,
    provider_code: str,
    patients: list[Patient],
    items: list[Item],
    *,
    visits: int,
    threads: int = 4,
    when: datetime | None = None,
    seed: int = 1,
) -> Outcome:
    """Post `visits` outpatient visits from `threads` connections of one provider system."""
    outcome = Outcome()
    lock = threading.Lock()
    counter = itertools.count()
    seq = itertools.count(seed * 7919 % 10000)
    rng = random.Random(seed)
    plan = [
        (
            rng.choice(patients),
            [(rng.choice(items), rng.randint(1, 3)) for _ in range(5)],
            rng.random() < 0.5,
        )
        for _ in range(visits)
    ]

    def work() -> None:
        client = ProviderClient(base_url, token, provider_code, seq=seq)
        client.sign_in()
        while (i := next(counter)) < visits:
            patient, lines, acct = plan[i]
            start = time.perf_counter()
            answer = client.outpatient_visit(
                patient, lines, when=when or datetime.now(ZONE), acct=acct
            )
            elapsed = time.perf_counter() - start
            with lock:
                if answer.get("infcode") == 0:
                    outcome.settled += 1
                    outcome.latencies.append(elapsed)
                else:
                    outcome.refused += 1
                    if len(outcome.errors) < 20:
                        outcome.errors.append(str(answer.get("err_msg")))

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return outcome

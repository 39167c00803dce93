"""Server CPU per real-time settlement, in process, under cProfile (issue 12: where the ms go).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/pooling_bench_cpu \\
        .venv/bin/python -m bench._settlement_profile [--settlements 300] [--warm 30] [--sort tottime]

Builds the demo world once (bench.settlement_http's `_world`: the demo city, a bench credential
per performing hospital), then posts 2201 → 2204 (five fee lines) → 2207 through
`pooling.wsgi.application` — the production WSGI callable, hence the interface's own short
handler (settlement/hsa/wsgi.py) — with `settlement.client.ProviderClient` building the messages,
but no socket. The client's own work (building and parsing JSON) is inside the timing too; it is
small beside the server's and the same before and after a change.

Printed first: CPU ms per 1101 person information over `--floor` messages (the authenticated
floor: what every message pays, plus 1101's own three reads — person, enrolments, account).
Then: CPU ms per settlement and per message type (process time, the profiler off), then the
settlements (or, `--profile floor`, the 1101s) again under cProfile and its top functions. CPU,
not wall: the machine is shared, so compare runs back to back.

Measured back to back on the shared 2-core machine (`--floor 2000`, ms CPU per message), before
and after the fixed-cost and 2201 work of branch `message` (system_job without a receiver per
message, person and enrolment read by hand, the visit INSERT written once):
    1101  2.15 / 2.04 → 1.38 / 1.34      2201  3.27 / 3.14 → 1.72 / 1.38
    2204  4.87 / 4.69 → 4.85 / 3.94      2207  6.93 / 6.62 → 6.67 / 5.42
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from decimal import Decimal
from typing import Any

from bench.common import setup_django


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--settlements", type=int, default=300)
    parser.add_argument("--warm", type=int, default=30)
    parser.add_argument("--floor", type=int, default=1000, help="1101 messages measured alone")
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--filter", default="", help="only functions whose path matches")
    parser.add_argument(
        "--profile",
        default="settlements",
        choices=["settlements", "floor", "none"],
        help="what cProfile runs (none: only the timed runs, e.g. under a sampling profiler)",
    )
    parser.add_argument("--dump", default="", help="also write the raw stats to this file")
    parser.add_argument(
        "--people",
        type=int,
        default=0,
        help="generated insured people too (bench/_http_people.py): employees with account "
        "balances, so half the 2207s pay from the personal account",
    )
    args = parser.parse_args(argv)
    # As the gunicorn bench runs the server: DEBUG off (no query log), persistent connection.
    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DB_CONN_MAX_AGE="600",
    )
    setup_django("pooling_bench_cpu")
    from django.utils import timezone

    from bench.settlement_http import _world
    from pooling.wsgi import application
    from settlement import client as hsa

    tokens, patients, items = _world(args.people)
    code, token = tokens[0]

    class Local(hsa.ProviderClient):
        """The provider's client, its socket replaced by a call of the WSGI callable."""

        def post(self, infno: str, payload: dict[str, Any]) -> dict[str, Any]:
            body = self.envelope(infno, payload)
            began = time.process_time()
            chunks = b"".join(application(_environ(body, self.token), lambda status, headers: None))
            last[0] = time.process_time() - began
            per_infno[infno] = per_infno.get(infno, 0.0) + last[0]
            return dict(json.loads(chunks, parse_float=Decimal))

    per_infno: dict[str, float] = {}
    last = [0.0]  # the last message's CPU
    client = Local("http://127.0.0.1", token, code)
    client.sign_in()
    done = 0
    paid, paid_cpu = [0], [0.0]  # 2207s paid (partly) from the personal account, their CPU

    def settle(count: int) -> None:
        nonlocal done
        for _ in range(count):
            patient = patients[done % len(patients)]
            lines = [(items[(done + k) % len(items)], 1 + k % 3) for k in range(5)]
            when = timezone.localtime()
            answer = client.outpatient_visit(patient, lines, when=when, acct=done % 2 == 0)
            assert answer.get("infcode") == 0, answer
            if Decimal(answer["output"]["setlinfo"]["acct_pay"]) > 0:
                paid[0], paid_cpu[0] = paid[0] + 1, paid_cpu[0] + last[0]
            done += 1

    def person_info(count: int) -> None:
        for n in range(count):
            patient = patients[n % len(patients)]
            data = {
                "psn_no": patient.psn_no,
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": patient.cert_no,
            }
            answer = client.post("1101", {"data": data})
            assert answer.get("infcode") == 0, answer

    # The floor first: what every message pays (credential, envelope, dispatch, answer) plus
    # one person read, with nothing written — the fixed cost seen on its own.
    person_info(args.warm)
    per_infno.clear()
    person_info(args.floor)
    print(f"{args.floor} × 1101: {1000 * per_infno['1101'] / args.floor:.3f} ms CPU each")
    settle(args.warm)
    per_infno.clear()
    paid[0], paid_cpu[0] = 0, 0.0
    start = time.process_time()
    settle(args.settlements)
    cpu = time.process_time() - start
    print(f"{args.settlements} settlements: {1000 * cpu / args.settlements:.2f} ms CPU each")
    # The server's share per message (the WSGI call), apart from the client's JSON work.
    for infno, spent in sorted(per_infno.items()):
        print(f"  {infno}: {1000 * spent / args.settlements:.2f} ms CPU per message")
    if paid[0]:
        others = per_infno["2207"] - paid_cpu[0]
        print(
            f"  2207 paid from the personal account: {1000 * paid_cpu[0] / paid[0]:.2f} ms CPU"
            f" each ({paid[0]}); the others: {1000 * others / (args.settlements - paid[0]):.2f} ms"
        )
    if args.profile == "none":
        return
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    if args.profile == "floor":
        person_info(args.floor)
    else:
        settle(args.settlements)
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    stats = pstats.Stats(profiler).sort_stats(args.sort)
    stats.print_stats(*([args.filter] if args.filter else []), args.top)


def _environ(body: bytes, token: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/hsa/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


if __name__ == "__main__":
    main(sys.argv[1:])

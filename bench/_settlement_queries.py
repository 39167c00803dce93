"""What one settlement costs inside the server: queries per message and a cProfile of the three.

    DATABASE_URL=postgres://…/pooling_bench_http .venv/bin/python -m bench._settlement_queries [--visits 50] [--sql]

Runs after `bench.settlement_http` has loaded the demo city into that database; posts
2201/2204/2207 through Django's test client (the whole stack but the socket).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import json
import pstats
import sys
from typing import Any

from bench.common import setup_django


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=50)
    parser.add_argument("--sql", action="store_true", help="print the queries of the last visit")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--tottime", action="store_true")
    parser.add_argument(
        "--filter", default="", help="profile: only functions whose path matches (e.g. settlement/)"
    )
    args = parser.parse_args(argv)
    setup_django("pooling_bench_http")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from pooling.kernel.scoping import unrestricted
    from pooling.models import User
    from providers.models import Provider
    from settlement import client as hsa
    from settlement.demo_data import patients_and_items
    from settlement.services.credentials import credential_issue

    with unrestricted():
        provider = (
            Provider.objects.filter(state="performing", kind="hospital")
            .order_by("national_code")
            .first()
        )
    assert provider is not None
    token = credential_issue(
        provider=provider, label="bench", actor=User.objects.get(username="city_agent")
    ).token
    patients, items = patients_and_items(on=timezone.localdate(), limit=2000)
    web = Client()

    class Local(hsa.ProviderClient):
        def post(self, infno: str, payload: dict[str, Any]) -> dict[str, Any]:
            body = {
                "infno": infno,
                "msgid": self.msgid(),
                "fixmedins_code": self.code,
                "opter": "001",
                "opter_name": "收费员",
                "sign_no": self.sign_no,
                "input": payload,
                "inf_time": f"{timezone.localtime():%Y-%m-%d %H:%M:%S}",
            }
            with CaptureQueriesContext(connection) as seen:
                answer = web.post(
                    "/api/hsa/",
                    json.dumps(body, ensure_ascii=False),
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {self.token}",
                )
            counts[infno].append(len(seen.captured_queries))
            last[infno] = [q["sql"] for q in seen.captured_queries]
            return dict(answer.json())

    counts: dict[str, list[int]] = collections.defaultdict(list)
    last: dict[str, list[str]] = {}
    client = Local("http://testserver", token, provider.national_code)
    client.sign_in()
    import time as _time

    profiler = cProfile.Profile(_time.process_time)  # CPU, not wall: the machine is shared
    for n in range(args.visits):
        patient = patients[n % len(patients)]
        lines = [(items[(n + k) % len(items)], 1 + k % 3) for k in range(5)]
        if args.profile and n >= args.visits // 2:
            profiler.enable()
        answer = client.outpatient_visit(patient, lines, when=timezone.localtime(), acct=n % 2 == 0)
        profiler.disable()
        assert answer.get("infcode") == 0, answer
    for infno, values in counts.items():
        print(f"{infno}: {sum(values) / len(values):.1f} queries per message (last {values[-1]})")
    if args.sql:
        for infno, queries in last.items():
            print(f"--- {infno}")
            for q in queries:
                print("  ", q[:300])
    if args.profile:
        pstats.Stats(profiler).sort_stats(
            *(["tottime"] if "--tottime" in sys.argv else ["cumulative"])
        ).print_stats(*([args.filter] if args.filter else []), 45)


if __name__ == "__main__":
    main(sys.argv[1:])

"""The demo's settlements: this month's posted by the demo hospitals' own systems over HTTP,
last month's backfilled (as a go-live migration would), so the monthly cycle has a month to run.

The HTTP part is real: after the demo data is committed, a WSGI server is started on a free
loopback port in this process and `settlement.client` signs in and posts 2201/2204/2207
messages to it, exactly as a hospital's HIS would. Safe to load twice: nothing is added
once settlements exist.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.db import transaction
from django.utils import timezone

from pooling.kernel.choices import Role
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.permissions import DEMO_LOADER
from pooling.kernel.scoping import unrestricted
from pooling.models import User
from providers.choices import State
from providers.models import Provider
from settlement.client import run_visits
from settlement.demo_data import patients_and_items
from settlement.models import Settlement
from settlement.services.credentials import credential_issue
from settlement.services.settle import SettleInput, settlement_settle
from settlement.services.visits import FeeLine, VisitInfo, fees_add, visit_open

VISITS_NOW = 30  # per performing hospital, over HTTP
VISITS_LAST_MONTH = 60


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 — the base class's name
        pass


@DEMO_LOADERS.register
def load(echo: Callable[[str], None]) -> None:
    with unrestricted():
        if Settlement.objects.exists():
            echo("结算演示数据已存在 / settlement demo data already loaded")
            return
        providers = list(
            Provider.objects.filter(state=State.PERFORMING, kind="hospital").order_by(
                "national_code"
            )
        )
        # Whichever city agency account the city's demo file names issues the interface keys.
        issuer = User.objects.filter(role=Role.CITY_AGENCY).order_by("pk").first()
    if not providers or issuer is None:
        return
    tokens = {
        p.national_code: credential_issue(provider=p, label="演示 HIS", actor=issuer).token
        for p in providers
    }
    _backfill_last_month(providers)
    echo(
        f"演示接口密钥（{providers[0].name}）/ demo interface token: {tokens[providers[0].national_code]}"
    )
    # The HTTP server needs the committed data: post once this loader's transaction is done.
    transaction.on_commit(lambda: _post_over_http(tokens, echo))


def _backfill_last_month(providers: list[Provider]) -> None:
    """Last month's visits, settled with their own dates (a go-live migration of history)."""
    today = timezone.localdate()
    first = today.replace(day=1) - timedelta(days=1)
    patients, items = patients_and_items(on=first, limit=500)
    rng = random.Random(2026)
    with unrestricted():
        from enrollment.models import Person

        people = {
            p.pk: p for p in Person.objects.filter(pk__in=[int(x.psn_no[6:]) for x in patients])
        }
    for n in range(min(VISITS_LAST_MONTH, len(patients) * 3)):
        patient = rng.choice(patients)
        day = first.replace(day=rng.randint(1, first.day))
        when = timezone.make_aware(datetime.combine(day, time(9 + n % 8, 10)))
        lines = [
            FeeLine(
                feedetl_sn=f"{k}",
                code=item.code,
                quantity=Decimal(q),
                price_fen=int(Decimal(item.price) * 100),
                amount_fen=int(Decimal(item.price) * 100) * q,
                occurred_at=when,
            )
            for k, (item, q) in enumerate((rng.choice(items), rng.randint(1, 3)) for _ in range(5))
        ]
        try:
            with transaction.atomic(), unrestricted():
                visit = visit_open(
                    provider=rng.choice(providers),
                    person=people[int(patient.psn_no[6:])],
                    insutype=patient.insutype,
                    med_type="11",
                    begntime=when,
                    msgid=f"FILE:DEMO{n}",
                    info=VisitInfo(ipt_otp_no=f"MZ{n:05d}"),
                )
                fees_add(visit=visit, lines=lines)
                settlement_settle(
                    data=SettleInput(visit=visit, acct_used=n % 2 == 0, when=when, channel="file"),
                    actor=DEMO_LOADER,
                )
        except Exception:  # noqa: BLE001 — a person in a waiting period is simply skipped in the demo
            continue


def _post_over_http(tokens: dict[str, str], echo: Callable[[str], None]) -> None:
    patients, items = patients_and_items(on=timezone.localdate(), limit=500)
    if not patients or not items:
        return
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), server_class=_Server, handler_class=_Quiet
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        total = 0
        for n, (code, token) in enumerate(tokens.items()):
            outcome = run_visits(
                url, token, code, patients, items, visits=VISITS_NOW, threads=2, seed=n + 1
            )
            total += outcome.settled
        echo(
            f"演示结算：定点医院系统通过 HTTP 国家接口结算 {total} 笔 / {total} visits settled over HTTP"
        )
    finally:
        server.shutdown()
        server.server_close()


# Last: the monthly cycle runs the month just backfilled (its loader registers after this one's).
import settlement.cycle.demo  # noqa: E402,F401

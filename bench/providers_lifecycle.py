"""Providers at city scale: how fast settlement can ask "may I settle this provider?",
and how fast the deadlines page and the public list are.

Standalone: DATABASE_URL=postgres://.../pooling_bench_i5 .venv/bin/python bench/providers_lifecycle.py [--quick]
(migrates the database first; re-creates its own rows each run). Each figure is printed
beside a floor measured in the same run: one `SELECT 1` round trip.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pooling.settings")


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95) - 1] * 1000


def _populate(n: int) -> list[str]:
    from pooling.kernel.codes import credit_code_from
    from pooling.kernel.regions import regions_load
    from providers.choices import State
    from providers.models import Agreement, AgreementTemplate, Provider, ProviderEvent
    from tests.providers.factories import make_template

    Agreement.objects.all().delete()
    ProviderEvent.objects.all().delete()
    Provider.objects.all().delete()
    units = [r for r in regions_load(area_code="320900") if r.level == "county"]
    template = AgreementTemplate.objects.filter(provider_kind="hospital").first() or make_template()
    today = date.today()
    states = [State.PERFORMING] * 8 + [State.SUSPENDED, State.EVALUATING]
    providers = []
    for i in range(n):
        unit = units[i % len(units)]
        state = states[i % len(states)]
        providers.append(
            Provider(
                kind="hospital",
                name=f"基准医院{i}",
                national_code=f"H{unit.code}{i:05d}",
                credit_code=credit_code_from(f"91{unit.code}{i:09d}"),
                location_region=unit,
                handling_region=unit,
                address="路",
                level="level1",
                ownership="private",
                opened_on=date(2010, 1, 1),
                state=state,
                accepted_on=today - timedelta(days=random.randint(1, 90))
                if state == State.EVALUATING
                else None,
                suspended_on=today - timedelta(days=random.randint(1, 179))
                if state == State.SUSPENDED
                else None,
            )
        )
    Provider.objects.bulk_create(providers, batch_size=2000)
    events, agreements = [], []
    for p in providers:
        start = today - timedelta(days=random.randint(0, 364))  # terms spread over the year
        for k, (a, f, t) in enumerate(
            [
                ("apply", "registered", "applied"),
                ("accept", "applied", "evaluating"),
                ("evaluate_pass", "evaluating", "negotiating"),
                ("sign", "negotiating", "signed"),
                ("publish", "signed", "published"),
                ("start_performance", "published", "performing"),
            ]
        ):
            events.append(
                ProviderEvent(
                    provider=p,
                    action=a,
                    from_state=f,
                    to_state=t,
                    effective_on=start - timedelta(days=60 - k),
                )
            )
        if p.state == State.SUSPENDED and p.suspended_on is not None:  # generated with its date
            events.append(
                ProviderEvent(
                    provider=p,
                    action="suspend",
                    from_state="performing",
                    to_state="suspended",
                    effective_on=p.suspended_on,
                )
            )
        agreements.append(
            Agreement(
                provider=p,
                template=template,
                number=f"{p.national_code}-1",
                term_start=start,
                term_end=start + timedelta(days=364),
                signed_on=start,
                agency_signatory="a",
                provider_signatory="b",
            )
        )
    ProviderEvent.objects.bulk_create(events, batch_size=5000)
    Agreement.objects.bulk_create(agreements, batch_size=5000)
    return [p.national_code for p in providers]


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from pooling.kernel.regions import StaffSpec, staff_ensure
    from pooling.kernel.scoping import acting_as
    from providers.selectors import (
        deadline_counts,
        deadlines,
        provider_is_settleable,
        public_designated_list,
    )

    quick = "--quick" in sys.argv
    n = 2000 if quick else 10000
    call_command("migrate", verbosity=0)
    codes = _populate(n)
    with connection.cursor() as cur:  # fresh bulk rows: give the planner statistics
        cur.execute("ANALYZE providers_provider, providers_providerevent, providers_agreement")
    today = date.today()

    def select1() -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")

    from pooling.models import Region

    floor = _timed(select1, 500)
    orm_floor = _timed(lambda: Region.objects.filter(code="320902").first(), 500)
    settle = _timed(
        lambda: provider_is_settleable(provider_code=random.choice(codes), on=today), 500
    )
    city = staff_ensure(spec=StaffSpec("bench_city", "city_agency", "bench"), password="x")  # noqa: S106
    with acting_as(city):
        dl = _timed(lambda: deadlines(on=today), 10)
        dc = _timed(lambda: deadline_counts(on=today), 10)
        found = len(deadlines(on=today))
        pub = _timed(public_designated_list, 5)
    print(f"providers={n}  floor SELECT 1: p50 {floor[0]:.2f} ms, p95 {floor[1]:.2f} ms")
    print(
        f"floor ORM lookup of one region by primary key: p50 {orm_floor[0]:.2f} ms, p95 {orm_floor[1]:.2f} ms"
    )
    print(
        f"provider_is_settleable: p50 {settle[0]:.2f} ms, p95 {settle[1]:.2f} ms "
        f"({settle[0] / orm_floor[0]:.1f}× ORM floor)"
    )
    print(f"deadlines() city-wide ({found} rows): p50 {dl[0]:.1f} ms, p95 {dl[1]:.1f} ms")
    print(f"deadline_counts() (home page): p50 {dc[0]:.1f} ms, p95 {dc[1]:.1f} ms")
    print(f"public_designated_list(): p50 {pub[0]:.1f} ms, p95 {pub[1]:.1f} ms")


if __name__ == "__main__":
    main()

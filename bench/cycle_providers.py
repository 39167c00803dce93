"""The monthly cycle's provider step over a city month: every shard, one after another.

    .venv/bin/python -m bench.cycle_providers [--settlements 1000000] [--providers 500] [--quick]

`providers` hospitals in performance across two handling units, `settlements` settlement
rows of one month written by generate_series (pooled and resident books, one in five
inpatient, with critical-illness and personal-account shares), each unit's expenditure
accounts funded. Timed: every shard of `steps.providers` in its own transaction, as the
runner runs them (GROUP BY per batch of 50, payment decided, entries posted, statements
written). Floor, same run: one SQL GROUP BY of the month's settlements into provider ×
book totals. The step's cost beyond the GROUP BY does not grow with settlements (it is
per provider and book), so the ratio falls as the month grows.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path

from bench.common import setup_django, timed, truncate, verdict

MONTH = date(2026, 10, 1)
UNITS = ("320902", "320903")
FUNDED = 10**13


def build(settlements: int, providers: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from enrollment.models import Person
    from funds.models import Book
    from funds.services import LineSpec, post_entry
    from funds.services.setup import books_ensure
    from pooling.kernel.codes import credit_code_from, id_number_from
    from pooling.kernel.permissions import CYCLE_JOB
    from pooling.kernel.regions import regions_load
    from pooling.models import PolicyStatus, PolicyVersion, User
    from providers.models import Provider

    truncate(
        "settlement_providermonthstatement, settlement_settlement, providers_provider, enrollment_person,"
        " funds_line, funds_entry, funds_accounttotal, funds_period, funds_account, pooling_policyversion"
    )
    regions_load(area_code="320900")
    books_ensure(area_code="320900")
    doc = json.loads(
        (
            Path(__file__).resolve().parent.parent / "pooling/policy/documents/demo-2026.json"
        ).read_text("utf-8")
    )
    maker, checker = (
        User.objects.get_or_create(username=name)[0] for name in ("bench_maker", "bench_checker")
    )
    PolicyVersion.objects.create(
        code=doc["code"],
        title=doc["title"],
        effective_from=doc["effective_from"],
        document=doc,
        status=PolicyStatus.PUBLISHED,
        published_at=timezone.now(),
        drafted_by=maker,
        approved_by=checker,
    )
    with transaction.atomic():
        people = [
            Person.objects.create(
                county_id=u,
                id_number=id_number_from(f"{u}19800101{n:03d}"),
                name=f"参保人{n}",
                sex="M",
                birth_date=date(1980, 1, 1),
                category="in_service",
            )
            for n, u in enumerate(UNITS)
        ]
        Provider.objects.bulk_create(
            [
                Provider(
                    kind="hospital",
                    name=f"医院{i}",
                    national_code=f"H{UNITS[i % 2]}{i:05d}",
                    credit_code=credit_code_from(f"91{UNITS[i % 2]}{i:09d}"),
                    location_region_id=UNITS[i % 2],
                    handling_region_id=UNITS[i % 2],
                    address="测试路1号",
                    level="level2",
                    ownership="public",
                    opened_on=date(2020, 1, 1),
                    state="performing",
                )
                for i in range(providers)
            ]
        )
        for book in Book.objects.all():
            for unit in UNITS:
                post_entry(
                    key=f"bench-fund:{book.code}:{unit}",
                    book=book,
                    memo="拨付",
                    actor=CYCLE_JOB,
                    entry_date=MONTH,
                    lines=[
                        LineSpec(f"1004-{unit}", FUNDED, unit),
                        LineSpec("3001-320900", -FUNDED, unit),
                    ],
                )
    with connection.cursor() as c:
        c.execute(
            "SELECT array_agg(id ORDER BY id), array_agg(handling_region_id ORDER BY id) FROM providers_provider"
        )
        ids, units = c.fetchone()
        c.execute(
            """
        INSERT INTO settlement_settlement (month, kind, channel, provider_id, person_id, insured_county_id,
          handling_unit_id, insutype, med_type, clr_type, scheme, fund_book, scope, year, service_date, setl_time,
          policy_code, catalogue_code, medfee_sumamt, fulamt_ownpay_amt, overlmt_selfpay, preselfpay_amt,
          inscp_scp_amt, act_pay_dedc, hifp_pay, pool_prop_selfpay, hifmi_pay, hifob_pay, fund_pay_sumamt, acct_pay,
          psn_cash_pay, over_cap_fen, copay_fen, balc, critical_base_fen, admission, detail, msgid, chrg_bchno,
          invono, reason, operator)
        SELECT %s, 'settle', 'hsa', (%s::bigint[])[1 + g %% %s], CASE WHEN g %% 3 = 0 THEN %s ELSE %s END,
          CASE WHEN g %% 3 = 0 THEN %s ELSE %s END, (%s::varchar[])[1 + g %% %s], '310',
          CASE WHEN g %% 5 = 0 THEN '21' ELSE '11' END, '11', 'employee',
          CASE WHEN g %% 4 = 0 THEN 'resident' ELSE 'employee_pooled' END, 'outpatient', 2026, %s, %s, 'P', '',
          1000 + g %% 97, 0, 0, 0, 0, 0, 500 + g %% 7, 0, CASE WHEN g %% 4 = 0 THEN g %% 2 ELSE 0 END, 0,
          500 + g %% 7, CASE WHEN g %% 4 = 0 THEN 0 ELSE g %% 3 END, 0, 0, 0, 0, 0, 0, '{}', '', '', '', '', ''
        FROM generate_series(1, %s) g""",
            [
                MONTH,
                ids,
                len(ids),
                people[0].pk,
                people[1].pk,
                UNITS[0],
                UNITS[1],
                units,
                len(units),
                date(2026, 10, 5),
                timezone.make_aware(datetime(2026, 10, 5, 10)),
                settlements,
            ],
        )
        c.execute("ANALYZE settlement_settlement")


def floor() -> float:
    from django.db import connection

    with timed() as t, connection.cursor() as cursor:
        cursor.execute(
            "SELECT provider_id, fund_book, SUM(hifp_pay), SUM(hifmi_pay), SUM(hifob_pay), SUM(acct_pay)"
            " FROM settlement_settlement WHERE month = %s GROUP BY 1, 2",
            [MONTH],
        )
        cursor.fetchall()
    return t[0]


def run_step() -> tuple[float, int, dict[str, int]]:
    from django.db import transaction

    from pooling.kernel.audit import system_job
    from pooling.kernel.permissions import CYCLE_JOB
    from settlement.cycle.base import ShardContext
    from settlement.cycle.steps import providers

    totals: dict[str, int] = {}
    shards = providers.plan(MONTH)
    with timed() as t:
        for shard in shards:
            ctx = ShardContext(
                run_id=1, month=MONTH, shard=shard, actor=CYCLE_JOB, entry_date=date(2026, 10, 31)
            )
            with system_job(CYCLE_JOB), transaction.atomic():
                for k, v in providers.work(ctx).items():
                    totals[k] = totals.get(k, 0) + v
    return t[0], len(shards), totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.cycle_providers")
    parser.add_argument("--settlements", type=int, default=1_000_000)
    parser.add_argument("--providers", type=int, default=500)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.settlements = 100_000
    setup_django("pooling_bench_cycle_providers")
    with timed() as t:
        build(args.settlements, args.providers)
    print(
        f"world: {args.settlements:,} settlements, {args.providers} providers, built in {t[0]:.1f} s",
        flush=True,
    )
    base = floor()
    took, shards, counts = run_step()
    print(f"provider step: {took:.2f} s over {shards} shards {counts}", flush=True)
    print(
        f"floor (GROUP BY of the month into provider × book) {base:.2f} s; ratio {took / base:.1f}",
        flush=True,
    )
    ok = took <= max(3 * base, 5.0)
    print(f"within 3× its floor (or 5 s): {verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

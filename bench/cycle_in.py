"""The monthly cycle's money-in steps on one county: collection, then personal accounts.

    .venv/bin/python -m bench.cycle_in [--employers 5000] [--per 10] [--quick]

A county with `employers` employers of `per` employees each, every one declared for the
month (base 5,000.00) and paid by one tax collection — one employer in ten pays 300.00
short, so the split runs its partial path. Timed: the collection shard (`collection.work`:
SQL sums per declaration, the split, one entry per book) and the accounts shard
(`accounts.work`: the monthly allocation, set-wise on PostgreSQL —
`enrollment.services.accounts_setwise` — then the sweep). Floor, same run: one SQL GROUP BY of the month's declaration lines per
declaration — what the collection step cannot do without. The accounts shard writes one
posting per paid person in a handful of statements (see bench.personal_accounts for the
Python writer's floor).
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta

from bench.common import setup_django, timed, truncate, verdict

COUNTY = "320902"
MONTH = date(2026, 3, 1)


def build(employers: int, per: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from enrollment import models as m
    from enrollment.imports.people_copy import copy_people
    from funds.services.setup import books_ensure
    from pooling.kernel.codes import credit_code_from, id_number_from
    from pooling.kernel.regions import regions_load

    truncate(
        "enrollment_person, enrollment_employer, enrollment_accountbatch, funds_line, funds_entry,"
        " funds_accounttotal, funds_period, funds_account"
    )
    regions_load(area_code="320900")
    books_ensure(area_code="320900")
    total = employers * per
    with transaction.atomic():
        copy_people(
            [
                (
                    COUNTY,
                    id_number_from(
                        f"{COUNTY}{date(1960, 1, 1) + timedelta(days=n // 1000):%Y%m%d}"
                        f"{n % 1000:03d}"
                    ),
                    f"职工{n}",
                    "M",
                    date(1980, 1, 1),
                    "",
                    "",
                    "in_service",
                    "",
                    0,
                )
                for n in range(total)
            ],
            created_by_id=None,
        )
        people = list(m.Person.objects.order_by("pk"))
        emps = m.Employer.objects.bulk_create(
            [
                m.Employer(
                    county_id=COUNTY,
                    credit_code=credit_code_from(f"91320902MA{i:07d}"),
                    name=f"单位{i}",
                )
                for i in range(employers)
            ]
        )
        enrolments = m.Enrolment.objects.bulk_create(
            [
                m.Enrolment(
                    county_id=COUNTY,
                    person=p,
                    scheme="employee",
                    employer=emps[i // per],
                    start_month=date(2026, 1, 1),
                )
                for i, p in enumerate(people)
            ]
        )
        decls = m.Declaration.objects.bulk_create(
            [
                m.Declaration(
                    county_id=COUNTY,
                    employer=e,
                    month=MONTH,
                    total_fen=49000 * per,
                    paid_fen=49000 * per - (0 if i % 10 else 30000),
                    status="paid" if i % 10 else "partial",
                )
                for i, e in enumerate(emps)
            ]
        )
        m.Declaration.objects.update(created_at=timezone.make_aware(datetime(2026, 3, 2, 10)))
        m.DeclarationLine.objects.bulk_create(
            [
                m.DeclarationLine(
                    county_id=COUNTY,
                    declaration=decls[i // per],
                    person=p,
                    enrolment=enrolments[i],
                    month=MONTH,
                    declared_base_fen=500000,
                    base_fen=500000,
                    employer_fen=35000,
                    employee_fen=10000,
                    maternity_fen=4000,
                    account_fen=10000,
                )
                for i, p in enumerate(people)
            ],
            batch_size=5000,
        )
        m.Collection.objects.bulk_create(
            [
                m.Collection(
                    county_id=COUNTY,
                    tax_ref=f"T{i}",
                    employer=e,
                    month=MONTH,
                    declaration=decls[i],
                    amount_fen=49000 * per - (0 if i % 10 else 30000),
                    received_on=date(2026, 3, 10),
                    booked_month=MONTH,  # as the recording service stores it
                )
                for i, e in enumerate(emps)
            ]
        )


def floor() -> float:
    from django.db import connection

    with timed() as t, connection.cursor() as cursor:
        cursor.execute(
            "SELECT declaration_id, SUM(employer_fen), SUM(employee_fen), SUM(account_fen),"
            " SUM(maternity_fen) FROM enrollment_declarationline WHERE county_id = %s AND month = %s"
            " GROUP BY declaration_id",
            [COUNTY, MONTH],
        )
        cursor.fetchall()
    return t[0]


def shard(step_module: object) -> tuple[float, dict[str, int]]:
    from django.db import transaction

    from pooling.kernel.audit import system_job
    from pooling.kernel.permissions import CYCLE_JOB
    from settlement.cycle.base import ShardContext

    ctx = ShardContext(
        run_id=1, month=MONTH, shard=COUNTY, actor=CYCLE_JOB, entry_date=date(2026, 3, 31)
    )
    with system_job(CYCLE_JOB), timed() as t, transaction.atomic():
        counts = step_module.STEP.work(ctx)  # type: ignore[attr-defined]
    return t[0], counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.cycle_in")
    parser.add_argument("--employers", type=int, default=5000)
    parser.add_argument("--per", type=int, default=10)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.employers = 500
    setup_django("pooling_bench_cycle_in")
    from settlement.cycle.steps import accounts, collection

    with timed() as t:
        build(args.employers, args.per)
    print(
        f"world: {args.employers} employers × {args.per} employees, built in {t[0]:.1f} s",
        flush=True,
    )
    base = floor()
    took, counts = shard(collection)
    print(
        f"collection shard: {took:.2f} s {counts}; floor (GROUP BY of the lines) {base:.2f} s",
        flush=True,
    )
    took_acc, counts = shard(accounts)
    per_person = took_acc / (args.employers * args.per) * 1000
    print(f"accounts shard: {took_acc:.2f} s ({per_person:.2f} ms a person) {counts}", flush=True)
    ok = took <= max(3 * base, 0.5)
    print(f"collection within 3× its floor (or 0.5 s): {verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

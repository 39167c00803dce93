"""Personal accounts: payments a second through the sub-ledger's writer, a month's allocation
and its sweep into the funds books.

    .venv/bin/python -m bench.personal_accounts [--people 100000] [--payments 2000] [--quick]

Payments go through `account_pay`, one transaction each, as real-time settlement will
call it: lock the person, read and check the balance, insert the posting, move the
balance (the funds ledger is not touched: the sweep matches postings later). Measured
from one thread and from two threads paying different people at once. Floor, same run:
a transaction that locks the person row and inserts one row into a bare table.

The month goes through `postings_write` in chunks of 2,000 people (what
`accounts_allocate_month` does after deciding who is due); floor: the same rows COPYed
into a bare table. The sweep is `account_postings_sweep` of that county and month.

Measured on the shared 2-core build machine (see the README for the latest figures).
"""

from __future__ import annotations

import argparse
import threading
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bench.common import setup_django, truncate

if TYPE_CHECKING:  # imported late at run time: Django is set up by then
    from pooling.kernel.permissions import SystemActor

COUNTY = "320902"
MONTH = date(2026, 1, 1)
CHUNK = 2_000


def bench_actor() -> SystemActor:
    """The bench writes as a named system job (imported late: Django is set up by then)."""
    from pooling.kernel.permissions import system_actor

    return system_actor(
        "bench.personal_accounts",
        "基准测试：个人账户",
        {"account.post", "account.sweep", "ledger.post"},
    )


def make_people(total: int) -> list[int]:
    from django.db import transaction

    from enrollment.imports.people_copy import copy_people
    from enrollment.models import Person
    from pooling.kernel.codes import id_number_from

    def number(n: int) -> str:  # a thousand people born each day from 1960 on
        return id_number_from(
            f"{COUNTY}{date(1960, 1, 1) + timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}"
        )

    truncate("enrollment_person, enrollment_accountbatch")
    rows = [
        (COUNTY, number(n), f"参保人{n}", "M", date(1980, 1, 1), "", "", "in_service", "", 0)
        for n in range(total)
    ]
    with transaction.atomic():
        copy_people(rows, created_by_id=None)
    return list(Person.objects.order_by("pk").values_list("pk", flat=True))


def allocate(people: list[int]) -> float:
    from enrollment.models import PostingKind
    from enrollment.services.subledger import PostingSpec, postings_write

    started = time.perf_counter()
    for i in range(0, len(people), CHUNK):
        postings_write(
            specs=[
                PostingSpec(
                    person_id=pk,
                    kind=PostingKind.ALLOCATION,
                    month=MONTH,
                    amount_fen=100_000,
                    key=f"alloc:{pk}:2026-01",
                )
                for pk in people[i : i + CHUNK]
            ],
            actor=bench_actor(),
        )
    return time.perf_counter() - started


def allocate_floor(people: list[int]) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_floor_posting (account_id bigint, county_id varchar(6), kind text,"
            " month date, amount_fen bigint, key text)"
        )
    started = time.perf_counter()
    for i in range(0, len(people), CHUNK):
        text = "".join(
            f"{pk}\t{COUNTY}\tallocation\t2026-01-01\t100000\talloc:{pk}:2026-01\n"
            for pk in people[i : i + CHUNK]
        )
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy("COPY bench_floor_posting FROM STDIN") as copy,
        ):
            copy.write(text)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor_posting")
    return elapsed


def pay(people: list[int], payments: int, threads: int) -> float:
    from django.db import connection

    from enrollment.models import Person
    from enrollment.services import account_pay

    def work(part: int) -> None:
        try:
            mine = people[part::threads]
            for n in range(payments // threads):
                person = Person(pk=mine[n % len(mine)])
                account_pay(
                    person=person,
                    amount_fen=1,
                    month=MONTH,
                    key=f"settle:{threads}:{part}:{n}",
                    actor=bench_actor(),
                )
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(part,)) for part in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started


def pay_floor(people: list[int], payments: int) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_floor_pay (person_id bigint, amount_fen bigint)")
    started = time.perf_counter()
    for n in range(payments):
        pk = people[n % len(people)]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT id FROM enrollment_person WHERE id = %s FOR NO KEY UPDATE", [pk])
            cursor.execute("INSERT INTO bench_floor_pay VALUES (%s, -1)", [pk])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor_pay")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.personal_accounts")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--payments", type=int, default=2_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    people_n, payments = (10_000, 500) if args.quick else (args.people, args.payments)
    setup_django("pooling_bench_accounts")
    from enrollment.services import account_postings_sweep
    from pooling.kernel.regions import regions_load

    regions_load(area_code="320900")
    truncate("funds_entry, funds_line, funds_accounttotal, funds_period")
    people = make_people(people_n)
    floor = allocate_floor(people)
    took = allocate(people)
    print(
        f"month allocation, {len(people):,} people: {len(people) / took:,.0f} postings/s ({took:.1f} s); "
        f"COPY floor {len(people) / floor:,.0f}/s ({floor:.2f} s); ratio {took / floor:.1f}×"
    )
    floor_rate = payments / pay_floor(people, payments)
    print(f"payment floor (lock + one INSERT per transaction): {floor_rate:,.0f}/s")
    for threads in (1, 2):
        took = pay(people, payments, threads)
        rate = payments / took
        print(
            f"payments via account_pay, {threads} thread(s): {rate:,.0f}/s ({took:.1f} s), "
            f"{rate / floor_rate:.2f} of the floor; settlement's 300/s: "
            f"{'met' if rate >= 300 else 'not met here'}"
        )
    started = time.perf_counter()
    batches = account_postings_sweep(county_code=COUNTY, month=MONTH, actor=bench_actor())
    took = time.perf_counter() - started
    print(
        f"sweep of {len(people) + 3 * payments:,} postings into {len(batches)} funds entries: {took:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""CPU per personal-account payment (`account_pay`, the sub-ledger's writer), in process (issue 12).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/pooling_bench_people \\
        .venv/bin/python -m bench._account_pay [--calls 2000]

Pays 1 fen at a time from the accounts of up to 200 people with a balance (bench/_http_people.py
gives the generated employees one), each call under its own key, inside one transaction that is
rolled back at the end: the database is left as found. Printed: CPU ms per new payment, and per
replay (the same keys again: the postings already written). CPU, not wall: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date

from bench.common import setup_django


class _Rollback(Exception):
    pass


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args(argv)
    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="localhost",
    )
    setup_django("pooling_bench_people")
    from django.db import transaction

    from enrollment.models import Person, PersonalAccount
    from enrollment.services.accounts import account_pay
    from pooling.kernel.permissions import HSA_GATEWAY
    from pooling.kernel.scoping import unrestricted

    with unrestricted():
        rich = PersonalAccount.objects.filter(balance_fen__gte=args.calls)
        people = list(Person.objects.filter(pk__in=rich.values("person_id")[:200]))
    if not people:
        raise SystemExit("no account with a balance: run bench.settlement_http --people first")

    def pay(prefix: str, calls: int) -> float:
        began = time.process_time()
        for n in range(calls):
            account_pay(
                person=people[n % len(people)],
                amount_fen=1,
                month=date.today(),
                key=f"bench:{prefix}:{os.getpid()}:{n}",
                actor=HSA_GATEWAY,
            )
        return 1000 * (time.process_time() - began) / calls

    try:
        with transaction.atomic(), unrestricted():
            pay("warm", 50)
            new, replay = pay("pay", args.calls), pay("pay", args.calls)
            raise _Rollback
    except _Rollback:
        pass
    print(f"account_pay: {new:.3f} ms CPU per new payment, {replay:.3f} ms per replay")


if __name__ == "__main__":
    main(sys.argv[1:])

"""The insured people `bench.settlement_http` settles for: the demo city's twenty and N generated.

Why: the demo city has twenty insured people. Twelve connections settling a thousand visits of
twenty people queue on each person's row lock (a settlement holds it from its first read to its
commit, as it must: issue 12's accumulators under a row lock), so the run measured that queue as
much as the server — no city sees fifty settlements of one person in a quarter of a minute. With
N (default 5,000) generated people a person is rarely settled twice at once, as in a real city;
`--people 0` keeps the old run for comparison.

Written set-wise, once per database, with the cycle bench's generators (`bench._cycle_month`,
`bench._cycle_money`): people (60 % in-service employees with employers and an employee
enrolment, 40 % resident adults with a resident one), personal accounts of the employees with an
opening balance (50–2,050 yuan) and its allocation posting, so half the visits pay from the
account as in the demo. The allocations are not swept into the ledger: the settlement bench
checks accumulators against settlements, not the ledger.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from bench import _cycle_money as money
from bench import _cycle_month as month_gen


def ensure(count: int) -> int:
    """At least `count` generated insured people in the database (created on first use)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM enrollment_person WHERE id_number LIKE %s",
            [month_gen.PERSON_ID_PREFIX + "%"],
        )
        (have,) = cursor.fetchone()
    if have >= count or count <= 0:
        return int(have)
    if have:
        raise SystemExit(
            f"{have} generated people already in this database, fewer than --people {count}: "
            "use another database (BENCH_DATABASE_URL) or the same --people"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        month_gen._people(cursor, count)
        money.prepare_people(cursor, month_gen.PERSON_ID_PREFIX)
        money._employers(cursor)
        money._enrolments(cursor)
        money.accounts(cursor, timezone.localdate().replace(day=1))
    return count

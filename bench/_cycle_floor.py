"""The floors `bench.cycle` compares the monthly cycle with (issue 13, "within 3× of the floor").

`issue`: the issue's floor — one GROUP BY of the month's settlements into provider × book totals
(`_cycle_month.floor`).

`work`: the least any correct cycle of this system must do for the month, each part once, as one
statement each, on the same tables (indexes, constraints and guard triggers included), in a
transaction that is rolled back:
1. the provider totals: the issue's GROUP BY (provider × book × the insured's county, since the
   expense is accounted to the insured person's county);
2. the month's money in: one GROUP BY of the month's collections with their declarations' lines
   per county × book, and the resident contributions per county;
3. the personal-account credits of the month: one INSERT … SELECT of a posting per paid
   declaration line into the sub-ledger (its unique key, payload hash and guards), and the
   balances moved by them — what `accounts_allocate_county_setwise` does for every county;
4. the sub-ledger meeting the books: the month's unmatched postings (those credits and the
   payments at providers) matched to a batch per county and kind, one UPDATE (the design: no
   posting reaches the books but through a batch, `enrollment.services.sweep`);
5. the proof the month's settlements agree with their people's accumulators: one GROUP BY of
   the month's settlements per person (what reconcile must do at the least, however it is
   scoped: every person who settled in the month can have a wrong accumulator).
Nothing of it is avoidable by a cleverer cycle: 3 and 4 write a row (and its index entries) per
person and per payment, 5 reads the month per person; the cycle's excess over this floor is
its own overhead (shards, round trips, Python, the ledger's entries and statements).
"""

from __future__ import annotations

import time
from datetime import date

from django.db import connection, transaction

PARTS = ("providers", "money in", "account credits", "matching", "accumulator proof")


class _Rollback(Exception):
    pass


def work_floor(month: date) -> dict[str, float]:
    """Seconds per part (and "total"); nothing stays written."""
    took: dict[str, float] = {}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '256MB'")
            for part, sql in zip(PARTS, _statements(), strict=True):
                start = time.perf_counter()
                cursor.execute(sql, {"m": month})
                took[part] = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    with connection.cursor() as cursor:  # the rolled-back rows are not left for the cycle to skip
        cursor.execute(
            "VACUUM ANALYZE enrollment_accountposting, enrollment_accountbatch, enrollment_personalaccount"
        )
    took["total"] = sum(took.values())
    return took


def _statements() -> list[str]:
    return [
        """SELECT provider_id, fund_book, insured_county_id, count(*), sum(medfee_sumamt), sum(hifp_pay),
                  sum(hifmi_pay), sum(hifob_pay), sum(acct_pay)
           FROM settlement_settlement WHERE month = %(m)s GROUP BY provider_id, fund_book, insured_county_id""",
        """SELECT c.county_id, count(*), sum(c.amount_fen), sum(l.pooled), sum(l.account), sum(l.maternity)
           FROM enrollment_collection c
           LEFT JOIN (SELECT declaration_id, sum(employer_fen + employee_fen - account_fen) AS pooled,
                             sum(account_fen) AS account, sum(maternity_fen) AS maternity
                      FROM enrollment_declarationline WHERE month = %(m)s GROUP BY declaration_id) l
             ON l.declaration_id = c.declaration_id
           WHERE c.received_on >= %(m)s AND c.received_on < %(m)s::date + interval '1 month'
           GROUP BY c.county_id
           UNION ALL
           SELECT county_id, count(*), sum(paid_fen), 0, 0, 0 FROM enrollment_residentcontribution
           WHERE paid_on >= %(m)s AND paid_on < %(m)s::date + interval '1 month' GROUP BY county_id""",
        """WITH ins AS (
               INSERT INTO enrollment_accountposting (county_id, account_id, kind, month, amount_fen, key,
                   payload_hash, memo, created_at)
               SELECT p.county_id, a.id, 'allocation', %(m)s, l.account_fen, 'floor:' || p.id_number,
                      md5(p.id_number), '', now()
               FROM enrollment_declarationline l JOIN enrollment_declaration d ON d.id = l.declaration_id
               JOIN enrollment_person p ON p.id = l.person_id
               JOIN enrollment_personalaccount a ON a.person_id = p.id
               WHERE l.month = %(m)s AND d.status = 'paid' AND l.account_fen > 0
               RETURNING account_id, amount_fen)
           UPDATE enrollment_personalaccount a SET balance_fen = a.balance_fen + s.delta
           FROM (SELECT account_id, sum(amount_fen) AS delta FROM ins GROUP BY account_id) s
           WHERE a.id = s.account_id""",
        """WITH b AS (
               INSERT INTO enrollment_accountbatch (county_id, month, kind, key, posted_at)
               SELECT DISTINCT county_id, month, kind, 'floor:' || county_id || ':' || kind, now()
               FROM enrollment_accountposting WHERE batch_id IS NULL AND month = %(m)s
               RETURNING id, county_id, month, kind)
           UPDATE enrollment_accountposting x SET batch_id = b.id FROM b
           WHERE x.batch_id IS NULL AND x.county_id = b.county_id AND x.month = b.month AND x.kind = b.kind""",
        """SELECT person_id, year, scheme, scope, sum(act_pay_dedc), sum(hifp_pay), sum(hifmi_pay),
                  sum(hifob_pay), sum(admission), count(*)
           FROM settlement_settlement WHERE month = %(m)s GROUP BY person_id, year, scheme, scope""",
    ]

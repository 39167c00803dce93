"""The sub-ledger writer's statements written by hand, for `subledger.postings_write` on
PostgreSQL (issue 12).

Why by hand: a settlement paid from the personal account writes one posting, and the ORM spent
more CPU building the writer's statements — the people's lock, the key lookup, the accounts'
read, `bulk_create` — than the rest of the payment (bench._settlement_profile --people: about
2.5 ms more per 2207). Here they are string joins, each written once per process.

- `lock_people`: the people's rows FOR NO KEY UPDATE in id order, as `locks.lock_people` takes
  them; only their county is needed (where the posting is accounted).
- `existing`, `accounts`: `sqlrows.select` of the postings under the keys and of the people's
  accounts (unrestricted, as the ORM path reads them: keys are unique city-wide and an account
  follows its person).
- `insert`: one statement. The postings are inserted ON CONFLICT (key) DO NOTHING — the unique
  index stays the last word on a key, but a key written meanwhile by another transaction (for
  another person, so not serialised by our locks) skips its row instead of aborting the
  transaction — and the balances of the accounts move by exactly the postings inserted, in the
  same statement. The caller learns which rows went in; the balance's CHECK still refuses
  anything below zero. Values are adapted as `save()` adapts them (`pre_save`,
  `get_db_prep_save`); the rows' county is checked against the caller's scope as
  `bulk_create` checks it (`assert_writable_values`).

Elsewhere (SQLite, `make run`) the writer keeps its ORM statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.db import connection

from enrollment.models import AccountPosting, Person, PersonalAccount
from pooling.kernel import sqlrows
from pooling.kernel.scoping import assert_writable_values, scope_where, unrestricted


def lock_people(ids: Iterable[int]) -> dict[int, str]:
    """Lock these people (ascending id, one statement, across counties) and return each one's
    county by id; an id with no person is absent."""
    wanted = sorted(set(ids))
    with unrestricted():  # locking is not reading (enrollment.services.locks)
        scope, scope_params = scope_where(Person)
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "id", "county_id" FROM {table} WHERE "id" = ANY(%s) AND ({scope}) '
            'ORDER BY "id" FOR NO KEY UPDATE',
            [wanted, *scope_params],
        )
        return dict(cursor.fetchall())


def existing(keys: list[str]) -> dict[str, AccountPosting]:
    """The postings already written under these keys, by key."""
    with unrestricted():  # keys are unique city-wide; a clerk's scope is checked on insert
        return {p.key: p for p in sqlrows.select(AccountPosting, '"key" = ANY(%s)', [keys])}


def accounts(person_ids: list[int]) -> dict[int, PersonalAccount]:
    """The accounts these (locked) people have, by person id."""
    with unrestricted():  # the account belongs to the person wherever they are
        found = sqlrows.select(PersonalAccount, '"person_id" = ANY(%s)', [person_ids])
    return {a.person_id: a for a in found}


def insert(rows: list[AccountPosting]) -> int:
    """Insert `rows` (keys distinct) and move their accounts' balances by them, one statement;
    a row whose key is taken by now is skipped (and moves nothing). Sets the pks of the rows
    inserted and returns how many were."""
    for county in sorted({row.county_id for row in rows}):
        assert_writable_values(AccountPosting, {"county_id": county})
    columns = sqlrows.column_values(AccountPosting, rows)
    with connection.cursor() as cursor:
        cursor.execute(_sql(), columns)
        ids = dict(cursor.fetchall())
    for row in rows:
        if row.key in ids:
            row.pk = ids[row.key]
            row._state.adding, row._state.db = False, connection.alias
    return len(ids)


@lru_cache(maxsize=1)
def _sql() -> str:
    accounts_table = connection.ops.quote_name(PersonalAccount._meta.db_table)
    return (
        f"WITH added AS ({sqlrows.unnest_insert(AccountPosting)} "
        'ON CONFLICT ("key") DO NOTHING RETURNING "key", "id", "account_id", "amount_fen"), '
        f"moved AS (UPDATE {accounts_table} AS a SET balance_fen = a.balance_fen + d.delta "
        'FROM (SELECT "account_id", SUM("amount_fen")::bigint AS delta FROM added '
        'GROUP BY "account_id" HAVING SUM("amount_fen") <> 0) AS d WHERE a."id" = d."account_id") '
        'SELECT "key", "id" FROM added'
    )

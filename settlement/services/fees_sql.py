"""A fee upload's (2204/2301) statements written by hand: the visit under its row lock, and the
lines' insert with the duplicate-serial check folded into it (issue 12).

Why by hand: for an upload of a few lines the ORM spent more CPU building these statements —
the locked read's query, the duplicate check's, `bulk_create`'s — than the rest of the message
(bench._settlement_profile: about two thirds of a 2204). Here they are string joins.

- `lock_visit`: `sqlrows.select_one(…, lock=True)`, the scope's filter added by it, as
  `Visit.objects.select_for_update().filter(month=…, pk=…).first()` reads it.
- `insert`: on PostgreSQL one statement: a CTE finds which of the lines' serial numbers the
  visit already has (in the caller's scope, as the ORM's check read it), and the INSERT — rows as
  typed arrays through UNNEST, as Django 5.2's `bulk_create` builds them — runs only when there is
  none. The visit's row lock, held by the caller, keeps another upload to the visit from slipping
  between the check and the insert, as before; the unique constraint on (month, visit_id,
  feedetl_sn) stays the last word. The rows' county and provider are checked as `bulk_create`
  checks them (`assert_writable_values`). Elsewhere (SQLite, `make run`) the ORM's two statements.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.db import connection

from pooling.kernel import sqlrows
from pooling.kernel.scoping import assert_writable_values, scope_where
from settlement.models import FeeDetail, Visit


def lock_visit(*, month: date, pk: int) -> Visit | None:
    """The caller's own visit (its scope), locked for this transaction; None when not visible."""
    month_value = connection.ops.adapt_datefield_value(month)  # as the ORM passes a date
    return sqlrows.select_one(Visit, '"month" = %s AND "id" = %s', [month_value, pk], lock=True)


def insert(rows: list[FeeDetail]) -> str | None:
    """Store `rows` (one visit's new lines, serials distinct) and set their pks, unless the visit
    has one of their serial numbers already: then nothing is written and the least such serial
    is returned."""
    if connection.vendor != "postgresql":
        return _insert_orm(rows)
    first = rows[0]
    _assert_writable(rows)
    scope, scope_params = scope_where(FeeDetail)
    serials = [row.feedetl_sn for row in rows]
    columns = sqlrows.column_values(FeeDetail, rows)
    with connection.cursor() as cursor:
        cursor.execute(_sql(scope), [first.month, first.visit_id, serials, *scope_params, *columns])
        found = cursor.fetchall()
    taken = [sn for sn, pk in found if pk is None]
    if taken:
        return min(taken)  # Python's order, not the database collation's, as the ORM path's
    ids = dict(found)
    for row in rows:
        row.pk = ids[row.feedetl_sn]
        row._state.adding, row._state.db = False, connection.alias
    return None


def _insert_orm(rows: list[FeeDetail]) -> str | None:
    """The same check and insert through the ORM, one statement each (the path before this one)."""
    first = rows[0]
    taken = FeeDetail.objects.filter(
        month=first.month, visit_id=first.visit_id, feedetl_sn__in=[r.feedetl_sn for r in rows]
    ).values_list("feedetl_sn", flat=True)
    least = min(taken, default=None)
    if least is None:
        FeeDetail.objects.bulk_create(rows)
    return least


def _assert_writable(rows: list[FeeDetail]) -> None:
    """`assert_writable` of each row, as `ScopedQuerySet.bulk_create` does (one visit's lines carry
    the same county and provider, so this is one check)."""
    seen = set()
    for row in rows:
        values = (row.provider_id, row.insured_county_id, row.handling_unit_id)
        if values not in seen:
            seen.add(values)
            assert_writable_values(
                FeeDetail,
                {
                    "provider_id": row.provider_id,
                    "insured_county_id": row.insured_county_id,
                    "handling_unit_id": row.handling_unit_id,
                },
            )


@lru_cache(maxsize=64)
def _sql(scope: str) -> str:
    """The check and the insert for a scope's filter (a few per process: it is compiled once per
    model and scope, and a provider's reads the provider's id as a parameter)."""
    table = connection.ops.quote_name(FeeDetail._meta.db_table)
    return (
        f'WITH taken AS (SELECT {table}."feedetl_sn" FROM {table} '
        f'WHERE {table}."month" = %s AND {table}."visit_id" = %s '
        f'AND {table}."feedetl_sn" = ANY(%s) AND ({scope})), '
        f"added AS ({sqlrows.unnest_insert(FeeDetail)} "
        f'WHERE NOT EXISTS (SELECT 1 FROM taken) RETURNING "feedetl_sn", "id") '
        f'SELECT "feedetl_sn", NULL FROM taken UNION ALL SELECT "feedetl_sn", "id" FROM added'
    )

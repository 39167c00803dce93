"""Settling a visit in few statements: what `settle.settlement_settle` reads under its locks, and
what it writes, each as one statement (the hot path of 2207/2304 and of a file's settlements).

Every statement of a message costs a round trip, PostgreSQL's parse/plan/execute and the ORM's
compilation (bench._settlement_queries: ~0.5 ms each); a settlement took twelve. Here:

- `hold`, after the person's row lock: the visit under its row lock, and — as subqueries of the
  same SELECT — the person's enrolment in force, the year's accumulator and the personal account's
  balance (four statements before). The subqueries are the services' own querysets
  (`eligibility.enrolments_covering`, the accumulator and account by person) compiled to SQL, so
  each rule keeps one implementation. Reading them in the statement that waits for the visit's lock
  is sound: enrolments, accumulators and the account change only under the person's lock, which
  this transaction holds already; the visit row is the one locked (a concurrent change to it is
  re-read by PostgreSQL before we get it). The caller keys the subqueries by the visit as read a
  moment before; if the locked visit says another scheme or date, it reads them again
  (`settle._compute`).
- `write`: the settlement row, its accumulator, its fee lines and its visit's status in one
  statement (four before): INSERT … RETURNING id in a WITH, the UPDATEs beside it. The INSERT is
  Django's own (its compiler adapts every field, as `save()` would); the row's county/provider is
  checked as `save()` checks it (`assert_writable`). The fee lines and visit it updates are those
  the caller read under the visit's lock, in its scope. Accumulator arithmetic is
  `accumulators.counter_deltas/scopes_after`, as `accumulators_add` does it.

Both statements are PostgreSQL's (to_jsonb, data-modifying WITH, `= ANY(array)`). On another
database — SQLite, the embedded default of `make run` and the README's demo — `hold` and `write`
do the same reads and writes through the ORM, one statement each (the path before this module):
the same querysets, the same rows and amounts, the same checks (`save()` asserts the scope).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, JSONField, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery
from django.utils import timezone

from enrollment.models import Enrolment, PersonalAccount
from pooling.kernel.permissions import Actor, staff_user
from pooling.kernel.scoping import assert_writable, unrestricted
from settlement.models import Accumulator, FeeDetail, Settlement, Visit, VisitStatus
from settlement.services.accumulators import accumulators_add, counter_deltas, scopes_after
from settlement.services.eligibility import enrolments_covering
from settlement.services.visits import lock_visit


@dataclass(frozen=True)
class Held:
    visit: Visit  # locked
    enrolment: Enrolment | None  # the one in force for (scheme, on), or None: not enrolled
    acc: Accumulator  # the year's row, or an unsaved empty one
    balance_fen: int  # the personal account's balance (0 without an account)


def hold(*, visit: Visit, person_id: int, scheme: str, on: date) -> Held:
    """Lock the visit and read what settling it needs, in one statement on PostgreSQL (the person
    is locked)."""
    with unrestricted():  # the person's rows wherever they are accounted
        enrolments = enrolments_covering(person_id=person_id, scheme=scheme, on=on)[:1]
        accs = Accumulator.objects.filter(person_id=person_id, year=on.year, scheme=scheme)
        balances = PersonalAccount.objects.filter(person_id=person_id).values("balance_fen")
    if connection.vendor == "postgresql":
        locked, enrolment, found, balance = _hold_one_statement(visit, enrolments, accs, balances)
    else:
        # to_jsonb is PostgreSQL's: elsewhere (SQLite, `make run`) the same querysets, one each,
        # after the visit's lock, as before the one-statement path.
        locked = lock_visit(month=visit.month, pk=visit.pk)
        with unrestricted():
            enrolment, found = enrolments.first(), accs.first()
            balance = balances.values_list("balance_fen", flat=True).first()
    return Held(
        visit=locked,
        enrolment=enrolment,
        acc=found
        or Accumulator(
            person_id=person_id, year=on.year, scheme=scheme, deductible_paid={}, fund_paid={}
        ),
        balance_fen=int(balance or 0),
    )


def _hold_one_statement(
    visit: Visit,
    enrolments: QuerySet[Enrolment],
    accs: QuerySet[Accumulator],
    balances: QuerySet[PersonalAccount, dict[str, Any]],
) -> tuple[Visit, Enrolment | None, Accumulator | None, int | None]:
    """The visit under its lock with the three reads as subqueries (PostgreSQL: to_jsonb)."""
    with unrestricted():  # compiled without the caller's county filter, as they were built
        enrolment, acc, balance = _sql(enrolments), _sql(accs), _sql(balances)
    locked = (
        Visit.objects.select_for_update(of=("self",))
        .annotate(
            held_enrolment=RawSQL(
                f"(SELECT to_jsonb(x) FROM ({enrolment[0]}) x)", enrolment[1], JSONField()
            ),
            held_acc=RawSQL(f"(SELECT to_jsonb(x) FROM ({acc[0]}) x)", acc[1], JSONField()),
            held_balance=RawSQL(f"({balance[0]})", balance[1], BigIntegerField()),
        )
        .get(month=visit.month, pk=visit.pk)
    )
    return (
        locked,
        _instance(Enrolment, locked.held_enrolment),
        _instance(Accumulator, locked.held_acc),
        locked.held_balance,
    )


def _sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _instance(model: type[Model], data: Any) -> Any:
    """A model instance from the row `to_jsonb` gave (None for no row), each field parsed as its own."""
    if data is None:
        return None
    if isinstance(data, str):
        data = json.loads(data)
    fields = model._meta.concrete_fields
    values = [
        data[f.column]
        if data[f.column] is None or isinstance(f, JSONField)
        else f.to_python(data[f.column])
        for f in fields
    ]
    return model.from_db(connection.alias, [f.attname for f in fields], values)


def write(*, row: Settlement, acc: Accumulator, fees: list[FeeDetail], actor: Actor) -> Settlement:
    """Store the settlement, move its accumulator, mark its fee lines and its visit settled: one
    statement on PostgreSQL."""
    if (acc.person_id, acc.year, acc.scheme) != (row.person_id, row.year, row.scheme):
        raise ValueError(f"accumulator {acc} is not the settlement's ({row.person_id} {row.year})")
    row.created_by = staff_user(actor)
    if connection.vendor != "postgresql":
        # WITH … UPDATE and `= ANY(array)` are PostgreSQL's: elsewhere (SQLite, `make run`) the
        # same writes through the ORM, one statement each, as before the one-statement path.
        return _write_each(row=row, acc=acc, fees=fees)
    assert_writable(row)  # as Settlement.save() would
    insert, insert_params = _insert(row)
    moved, moved_params = _accumulator(row, acc)
    fee_table, visit_table = FeeDetail._meta.db_table, Visit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH s AS ({insert}), a AS ({moved}),"
            f" f AS (UPDATE {fee_table} SET settlement_id = (SELECT id FROM s)"
            "  WHERE month = %s AND visit_id = %s AND id = ANY(%s)),"
            f" v AS (UPDATE {visit_table} SET status = %s WHERE month = %s AND id = %s)"
            " SELECT id FROM s",
            [
                *insert_params,
                *moved_params,
                row.visit_month,
                row.visit_id,
                [f.pk for f in fees],
                VisitStatus.SETTLED.value,
                row.visit_month,
                row.visit_id,
            ],
        )
        (row.pk,) = cursor.fetchone()
    row._state.adding, row._state.db = False, connection.alias
    return row


def _write_each(*, row: Settlement, acc: Accumulator, fees: list[FeeDetail]) -> Settlement:
    """`write`'s effects with the ORM: the row saved, its accumulator moved (or created), its fee
    lines and visit marked."""
    row.save()
    with unrestricted():  # the person's accumulator wherever they are accounted
        if acc.pk is None:  # the year's first: nobody else inserts it while we hold the person,
            acc.save()  # so no get_or_create (its savepoint), as the INSERT of `_accumulator`
        accumulators_add(row=row, sign=1, acc=acc)
    FeeDetail.objects.filter(
        month=row.visit_month, visit_id=row.visit_id, pk__in=[f.pk for f in fees]
    ).update(settlement_id=row.pk)
    Visit.objects.filter(month=row.visit_month, pk=row.visit_id).update(status=VisitStatus.SETTLED)
    return row


def _insert(row: Settlement) -> tuple[str, list[Any]]:
    """Django's INSERT … RETURNING id for the row, as `save()` would send it."""
    meta = Settlement._meta
    query = InsertQuery(Settlement)
    fields = [f for f in meta.local_concrete_fields if not f.primary_key and not f.generated]
    query.insert_values(fields, [row])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    ((sql, params),) = compiler.as_sql()
    return sql, list(params)


def _accumulator(row: Settlement, acc: Accumulator) -> tuple[str, list[Any]]:
    """UPDATE the year's row read under the person's lock, or INSERT the first one."""
    table = Accumulator._meta.db_table
    deductible, fund = scopes_after(acc, row=row, sign=1)
    deltas = counter_deltas(row=row, sign=1)
    now = timezone.now()
    as_json = connection.ops.adapt_json_value
    if acc.pk is not None:
        sets = ", ".join(f"{name} = {name} + %s" for name in deltas)
        return (
            f"UPDATE {table} SET {sets}, deductible_paid = %s, fund_paid = %s, updated_at = %s"
            " WHERE id = %s",
            [*deltas.values(), as_json(deductible, None), as_json(fund, None), now, acc.pk],
        )
    names = ", ".join(deltas)
    marks = ", ".join(["%s"] * len(deltas))
    return (
        f"INSERT INTO {table} (person_id, year, scheme, {names}, deductible_paid, fund_paid, updated_at)"
        f" VALUES (%s, %s, %s, {marks}, %s, %s, %s)",
        [
            row.person_id,
            row.year,
            row.scheme,
            *deltas.values(),
            as_json(deductible, None),
            as_json(fund, None),
            now,
        ],
    )

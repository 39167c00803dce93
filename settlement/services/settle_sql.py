"""Settling a visit in few statements: what `settle.settlement_settle` reads under its locks, and
what it writes, each as one statement (the hot path of 2207/2304 and of a file's settlements).

Every statement of a message costs a round trip, PostgreSQL's parse/plan/execute and the ORM's
compilation (bench._settlement_queries: ~0.5 ms each); a settlement took twelve. Here:

- `hold`, after the person's row lock: the visit under its row lock, and — as subqueries of the
  same SELECT — the person's enrolment in force, the year's accumulator and the personal account's
  balance (four statements before). The subqueries are the services' own querysets
  (`eligibility.enrolments_covering`, the accumulator and account by person: `held_querysets`)
  compiled to SQL, so each rule keeps one implementation — compiled once per process
  (`held_template`, proven against a fresh compile when built) and bound per call, and the visit's
  locked read written out with `sqlrows.columns` and `scope_where`: compiling them on every message
  was a third of a settlement's CPU (issue 12). Reading them in the statement that waits for the
  visit's lock is sound: enrolments, accumulators and the account change only under the person's
  lock, which this transaction holds already; the visit row is the one locked (a concurrent change
  to it is re-read by PostgreSQL before we get it). The caller keys the subqueries by the visit as
  read a moment before; if the locked visit says another scheme or date, it reads them again
  (`settle._compute`).
- `write`: the settlement row, its accumulator, its fee lines and its visit's status in one
  statement (four before): INSERT … RETURNING id in a WITH, the UPDATEs beside it. The INSERT is
  Django's own, compiled once (`insert_template`), each field's value adapted per row as its
  compiler and `save()` adapt it; the row's county/provider is checked as `save()` checks it
  (`assert_writable`). The fee lines and visit it updates are those the caller read under the
  visit's lock, in its scope. Accumulator arithmetic is `accumulators.counter_deltas/scopes_after`,
  as `accumulators_add` does it.

Both statements are PostgreSQL's (to_jsonb, data-modifying WITH, `= ANY(array)`). On another
database — SQLite, the embedded default of `make run` and the README's demo — `hold` and `write`
do the same reads and writes through the ORM, one statement each (the path before this module):
the same querysets, the same rows and amounts, the same checks (`save()` asserts the scope).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Field, JSONField, Model, QuerySet
from django.db.models.sql import InsertQuery
from django.utils import timezone

from enrollment.models import Enrolment, Person, PersonalAccount
from pooling.kernel import sqlrows
from pooling.kernel.permissions import Actor, staff_user
from pooling.kernel.scoping import assert_writable, scope_where, unrestricted
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
    if connection.vendor == "postgresql":
        locked, enrolment, found, balance = _hold_one_statement(visit, person_id, scheme, on)
    else:
        # to_jsonb is PostgreSQL's: elsewhere (SQLite, `make run`) the same querysets, one each,
        # after the visit's lock, as before the one-statement path.
        enrolments, accs, balances = held_querysets(person_id=person_id, scheme=scheme, on=on)
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


def held_querysets(
    *, person_id: int, scheme: str, on: date
) -> tuple[QuerySet[Enrolment], QuerySet[Accumulator], QuerySet[PersonalAccount, dict[str, Any]]]:
    """The services' own querysets for what `hold` reads beside the visit: the enrolment in force,
    the year's accumulator, the account's balance (across counties: the person's rows wherever
    they are accounted)."""
    with unrestricted():
        return (
            enrolments_covering(person_id=person_id, scheme=scheme, on=on)[:1],
            Accumulator.objects.filter(person_id=person_id, year=on.year, scheme=scheme),
            PersonalAccount.objects.filter(person_id=person_id).values("balance_fen"),
        )


def _held_values(person_id: int, scheme: str, on: date) -> dict[str, Any]:
    """Every value `held_querysets` may take from its arguments, by name: a compiled parameter
    is one of these or a constant of the queryset."""
    return {
        "person_id": person_id,
        "scheme": scheme,
        "on": on,
        "month_start": on.replace(day=1),
        "year": on.year,
    }


# Two sets of arguments no real message carries, each value distinct from any other and from
# any constant a queryset may hold: compiled with the first, checked with the second.
_PROBE = (-918_273_645, "\x1fprobe-scheme", date(1901, 7, 19))
_CHECK = (-546_372_819, "\x1fcheck-scheme", date(1903, 11, 23))


@dataclass(frozen=True)
class HeldTemplate:
    """`held_querysets` compiled once: their SQL as subqueries of the visit's locked read, and
    where each parameter comes from (a `_held_values` name, or None: the constant kept)."""

    subqueries: tuple[str, str, str]  # enrolment, accumulator, balance
    slots: tuple[tuple[str | None, Any], ...]

    def params(self, person_id: int, scheme: str, on: date) -> list[Any]:
        values = _held_values(person_id, scheme, on)
        return [constant if name is None else values[name] for name, constant in self.slots]


def _compile_held(person_id: int, scheme: str, on: date) -> tuple[tuple[str, str, str], list[Any]]:
    """A fresh compile of `held_querysets`: their SQL texts and parameters in order."""
    sqls: list[str] = []
    params: list[Any] = []
    with unrestricted():  # compiled without the caller's scope filter, as they were built
        for queryset in held_querysets(person_id=person_id, scheme=scheme, on=on):
            sql, found = queryset.query.sql_with_params()
            sqls.append(sql)
            params.extend(found)
    return (sqls[0], sqls[1], sqls[2]), params


@lru_cache(maxsize=4)
def held_template(vendor: str) -> HeldTemplate:
    """Compiled once per process (the ORM compiler cost a third of a settlement's CPU when run on
    every message): each parameter is matched to the argument value it equals, then the
    template is proven on other arguments against a fresh compile — a queryset whose SQL or
    parameters change shape with its arguments is refused here rather than bound wrongly."""
    subqueries, params = _compile_held(*_PROBE)
    names = {value: name for name, value in _held_values(*_PROBE).items()}
    template = HeldTemplate(
        subqueries=subqueries,
        slots=tuple((names.get(p), None if p in names else p) for p in params),
    )
    if _compile_held(*_CHECK) != (subqueries, template.params(*_CHECK)):
        raise ValueError("held_querysets: compiled SQL does not bind as a template; use the ORM")
    return template


def _hold_one_statement(
    visit: Visit, person_id: int, scheme: str, on: date
) -> tuple[Visit, Enrolment | None, Accumulator | None, int | None]:
    """The visit under its lock with the three reads as subqueries (PostgreSQL: to_jsonb), in the
    provider's scope (`scope_where`) as the ORM's read of it was."""
    template = held_template(connection.vendor)
    enrolment, acc, balance = template.subqueries
    table = connection.ops.quote_name(Visit._meta.db_table)
    scope, scope_params = scope_where(Visit)
    sql = (
        f"SELECT {sqlrows.columns(Visit)},"
        f" (SELECT to_jsonb(x) FROM ({enrolment}) x),"
        f" (SELECT to_jsonb(x) FROM ({acc}) x),"
        f" ({balance})"
        f" FROM {table} WHERE {table}.month = %s AND {table}.id = %s AND ({scope})"
        f" FOR UPDATE OF {table}"
    )
    params = [*template.params(person_id, scheme, on), visit.month, visit.pk, *scope_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Visit.DoesNotExist("Visit matching query does not exist.")
    *columns, held_enrolment, held_acc, held_balance = row
    return (
        sqlrows.instance(Visit, columns),
        _instance(Enrolment, held_enrolment),
        _instance(Accumulator, held_acc),
        held_balance,
    )


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


def visit_locking_person(*, month: date, pk: int) -> Visit | None:
    """The provider's own visit with its person (`visit.person`), the person's row lock taken in
    the same statement — a settlement's first lock (the visit itself is not locked here). The
    ORM's `select_related("person").select_for_update(of=("person",))` read, written once: the
    visit's scope from `scope_where`, the person read through the visit as select_related does."""
    visits = connection.ops.quote_name(Visit._meta.db_table)
    people = connection.ops.quote_name(Person._meta.db_table)
    scope, scope_params = scope_where(Visit)
    sql = (
        f"SELECT {sqlrows.columns(Visit)}, {sqlrows.columns(Person)}"
        f" FROM {visits} INNER JOIN {people} ON ({visits}.person_id = {people}.id)"
        f" WHERE {visits}.month = %s AND {visits}.id = %s AND ({scope}) LIMIT 1"
    )
    if connection.features.has_select_for_update_of:
        sql += f" FOR UPDATE OF {people}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [month, pk, *scope_params])
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(Visit._meta.concrete_fields)
    visit = sqlrows.instance(Visit, row[:width])
    Visit.person.field.set_cached_value(visit, sqlrows.instance(Person, row[width:]))
    return visit


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
    """Django's INSERT … RETURNING id for the row, as `save()` would send it: the SQL compiled once
    (`insert_template`), each value adapted per row as the compiler adapts it — the field's
    `pre_save` (add), then `get_db_prep_save` (by `sqlrows`, which shortcuts that chain where it
    provably changes nothing)."""
    sql, _fields = insert_template(connection.vendor)
    values = sqlrows.pre_saved(Settlement, row)
    if any(hasattr(value, "resolve_expression") for value in values):
        return compile_insert(row)  # an expression (a database default…): the compiler's own SQL
    return sql, sqlrows.adapted(Settlement, values)


@lru_cache(maxsize=4)
def insert_template(vendor: str) -> tuple[str, tuple[Field[Any, Any], ...]]:
    """The INSERT's SQL, compiled once per process from an empty row (its text depends only on the
    fields: every value a plain `%s`), and the fields in the order of its parameters."""
    sql, _params = compile_insert(Settlement())
    return sql, sqlrows.insert_fields(Settlement)


def compile_insert(row: Settlement) -> tuple[str, list[Any]]:
    """A fresh compile of the row's INSERT … RETURNING id by Django's InsertQuery."""
    query = InsertQuery(Settlement)
    query.insert_values(list(sqlrows.insert_fields(Settlement)), [row])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [Settlement._meta.pk]
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

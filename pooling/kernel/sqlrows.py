"""Model rows read by hand-written SQL, for the few statements of the settlement interface's hot path.

Why by hand: a provider's message runs a handful of small reads by key, and the ORM spends more
CPU building each one's SQL (query cloning, the scope's filter, compiling every column) than
PostgreSQL spends answering it (bench._settlement_profile: about half of a settlement's server
CPU). Here the column list and the value converters of a model are worked out once per process;
each read is a string join, the driver's execute and `Model.from_db` — the instance the ORM would
have built, with the same converters applied (so SQLite's dates and JSON come back as on
PostgreSQL), so the code after a read does not know how it was read.

Scoping stays in one place: every read of a scoped model gets `scoping.scope_where` (the ORM's own
compiled filter for the current scope) added to its WHERE clause; `select` cannot be called
without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Field

from pooling.kernel.scoping import ScopedModel, scope_where

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]


@lru_cache(maxsize=128)
def _shape(
    model: type[models.Model], vendor: str
) -> tuple[str, list[str], list[tuple[int, list[Converter], Any]]]:
    """`"table"."col", …` for every concrete field, their attnames, and each column's converters."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    columns = ", ".join(f"{quote(table)}.{quote(str(f.column))}" for f in fields)
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((index, found, col))
    return columns, [f.attname for f in fields], converters


def select(
    model: type[M],
    where: str,
    params: Sequence[Any] = (),
    *,
    tail: str = "",
    lock: bool = False,
) -> list[M]:
    """`SELECT <every column> FROM <table> WHERE (<where>) AND (<scope>) <tail> [FOR UPDATE]` as
    model instances. `where` names columns as `"table"."column"` or plainly; `tail`: ORDER BY /
    LIMIT. `lock`: the rows' locks for this transaction (a no-op where the database has none)."""
    table = connection.ops.quote_name(model._meta.db_table)
    scope, scope_params = scope_where(model) if issubclass(model, ScopedModel) else ("TRUE", ())
    sql = f"SELECT {columns(model)} FROM {table} WHERE ({where}) AND ({scope}) {tail}"
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *scope_params])
        rows = cursor.fetchall()
    return [instance(model, raw) for raw in rows]


def columns(model: type[models.Model]) -> str:
    """`"table"."col", …` for every concrete field of `model`, in the order `instance` reads them:
    for a statement that `select` cannot write (a join, a lock `FOR UPDATE OF` another table),
    which must then add `scope_where(model)` itself."""
    return _shape(model, connection.vendor)[0]


def instance(model: type[M], raw: Sequence[Any]) -> M:
    """The instance the ORM would build from `raw`, the values of `columns(model)` as the driver
    gave them: each column through its field's converters, then `Model.from_db`."""
    _columns, names, converters = _shape(model, connection.vendor)
    values = list(raw)
    for index, funcs, col in converters:
        for func in funcs:
            values[index] = func(values[index], col, connection)
    return model.from_db(connection.alias, names, values)


def select_one(
    model: type[M], where: str, params: Sequence[Any] = (), *, lock: bool = False
) -> M | None:
    """The first row of `select` (or None)."""
    rows = select(model, where, params, tail="LIMIT 1", lock=lock)
    return rows[0] if rows else None


# Writing rows by hand: the same fields and value adaptation `save()`/`bulk_create` use, so a
# hand-written INSERT stores exactly what the ORM would. The caller checks the scope
# (`scoping.assert_writable_values`), as a raw write bypasses `ScopedModel.save`.


def insert_fields(model: type[models.Model]) -> tuple[Field[Any, Any], ...]:
    """The fields an INSERT of `model` writes: every concrete one but the id (and generated)."""
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key and not f.generated)


def row_values(model: type[models.Model], row: models.Model) -> list[Any]:
    """`row`'s values for `insert_fields(model)`, adapted as `save()` adapts them for an add
    (`pre_save` stamps auto_now_add, `get_db_prep_save` adapts JSON, dates, decimals)."""
    return [f.get_db_prep_save(f.pre_save(row, True), connection) for f in insert_fields(model)]


def column_values(model: type[models.Model], rows: Sequence[models.Model]) -> list[list[Any]]:
    """`row_values` of several rows, column by column: the arrays `unnest_insert` takes."""
    return [
        [f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows]
        for f in insert_fields(model)
    ]


@lru_cache(maxsize=32)
def _unnest_insert(model: type[models.Model], vendor: str) -> str:
    quote = connection.ops.quote_name
    fields = insert_fields(model)
    names = ", ".join(quote(str(f.column)) for f in fields)
    # Typed arrays without length or precision (varchar[], numeric[]), as Django's UNNEST insert
    # does: the column's own type then checks each value on assignment, as an ordinary INSERT.
    arrays = ", ".join(f"(%s)::{str(f.db_type(connection)).split('(')[0]}[]" for f in fields)
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT * FROM UNNEST({arrays})"


def unnest_insert(model: type[models.Model]) -> str:
    """`INSERT INTO <table> (<insert_fields>) SELECT * FROM UNNEST(<one typed array each>)`
    (PostgreSQL), its parameters `column_values(model, rows)`; the caller appends its WHERE /
    ON CONFLICT / RETURNING."""
    return _unnest_insert(model, connection.vendor)

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
from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    TextField,
)
from django.db.models.fields import AutoFieldMixin

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
    return adapted(model, pre_saved(model, row))


def pre_saved(model: type[models.Model], row: models.Model) -> list[Any]:
    """`field.pre_save(row, add=True)` for each of `insert_fields(model)`: the values before
    adaptation (a caller that must see an expression first looks here, then calls `adapted`)."""
    return [a.attr(row) if a.plain else a.field.pre_save(row, True) for a in _adapters(model)]


def adapted(model: type[models.Model], values: Sequence[Any]) -> list[Any]:
    """`pre_saved` values through each field's `get_db_prep_save`, as `save()` sends them."""
    prep = _prep(connections[DEFAULT_DB_ALIAS])
    return [prep(a, v) for a, v in zip(_adapters(model), values, strict=True)]


def column_values(model: type[models.Model], rows: Sequence[models.Model]) -> list[list[Any]]:
    """`row_values` of several rows, column by column: the arrays `unnest_insert` takes."""
    prep = _prep(connections[DEFAULT_DB_ALIAS])
    return [
        [prep(a, a.attr(row) if a.plain else a.field.pre_save(row, True)) for row in rows]
        for a in _adapters(model)
    ]


# Why not simply `f.get_db_prep_save(f.pre_save(row, True), connection)` per value, as `save()`:
# that chain (get_db_prep_save → get_db_prep_value → get_prep_value → to_python, and
# `connection.ops` through the ConnectionProxy each time) ran 160 times a settlement, a tenth of
# its CPU (issue 12). For the field classes and exact value types below, Django 5.2's chain
# provably returns the value itself, except for its last step, the backend's own `ops` call,
# which is made here just as Django makes it (so it holds on every database):
#   CharField/TextField: str or None     → the value (to_python returns a str as it is)
#   BooleanField: bool or None           → the value (to_python: bool(value))
#   IntegerField & co: int or None       → ops.adapt_integerfield_value(value, internal type)
#   DateField: date (not datetime), None → ops.adapt_datefield_value(value)
#   DateTimeField: None, a datetime aware (or any when USE_TZ is off: no make_aware)
#                                        → ops.adapt_datetimefield_value(value)
#   ForeignKey: None                     → None (its own get_db_prep_save)
#     to an AutoField: int               → ops.validate_autopk_value(value)
#     to a CharField (a region's code): a str but "" → the value (its target's chain, as above)
# A field qualifies only if every class of its MRO that defines a method of that chain is one of
# those Django classes (a subclass overriding one does not); any other field, and any value of
# another type (a bool in an IntegerField, a str date, a lazy string), takes Django's whole chain.
_CHAIN = ("get_db_prep_save", "get_db_prep_value", "get_prep_value", "to_python")
_SLOW, _SAME, _INT, _FK_INT, _FK_STR, _DATE, _DATETIME = range(7)


class _Adapter(NamedTuple):
    field: Field[Any, Any]
    attr: Callable[[Any], Any]  # operator.attrgetter(attname)
    plain: bool  # pre_save is the attribute as it is (not auto_now*, not overridden)
    kind: int
    same: type | None  # _SAME's value type (str or bool)
    internal_type: str  # for ops.adapt_integerfield_value


def _defined_only_by(cls: type, allowed: tuple[type, ...], names: tuple[str, ...]) -> bool:
    return all(k in allowed for k in cls.__mro__ if any(n in vars(k) for n in names))


def _adapter(f: Field[Any, Any]) -> _Adapter:
    """How `f`'s values are adapted: decided once, from its class and options."""
    cls = type(f)
    auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    plain = not auto and _defined_only_by(cls, (Field, DateField, DateTimeField), ("pre_save",))
    kind: int = _SLOW
    same: type | None = None
    if isinstance(f, (CharField, TextField)) and _defined_only_by(
        cls, (Field, CharField, TextField), _CHAIN
    ):
        kind, same = _SAME, str
    elif isinstance(f, BooleanField) and _defined_only_by(cls, (Field, BooleanField), _CHAIN):
        kind, same = _SAME, bool
    elif isinstance(f, IntegerField) and _defined_only_by(cls, (Field, IntegerField), _CHAIN):
        kind = _INT
    elif isinstance(f, DateTimeField) and _defined_only_by(
        cls, (Field, DateField, DateTimeField), _CHAIN
    ):
        kind = _DATETIME
    elif isinstance(f, DateField) and _defined_only_by(cls, (Field, DateField), _CHAIN):
        kind = _DATE
    elif isinstance(f, ForeignKey) and _defined_only_by(cls, (Field, ForeignKey), _CHAIN):
        target, to = f.target_field, type(f.target_field)
        if isinstance(target, AutoFieldMixin) and _defined_only_by(
            to, (Field, IntegerField, AutoFieldMixin), _CHAIN
        ):
            kind = _FK_INT
        elif isinstance(target, CharField) and _defined_only_by(to, (Field, CharField), _CHAIN):
            kind = _FK_STR
    return _Adapter(f, attrgetter(f.attname), plain, kind, same, f.get_internal_type())


@lru_cache(maxsize=32)
def _adapters(model: type[models.Model]) -> tuple[_Adapter, ...]:
    """One `_Adapter` per field of `insert_fields(model)` (nothing in them depends on the database:
    `_prep` takes the connection's functions per batch)."""
    return tuple(_adapter(f) for f in insert_fields(model))


def _prep(conn: Any) -> Callable[[_Adapter, Any], Any]:
    """`field.get_db_prep_save(value, conn)` for an `_Adapter`'s field, its shortcut where one
    applies; the connection's functions looked up once for a batch of values."""
    ops = conn.ops
    adapt_int, autopk = ops.adapt_integerfield_value, ops.validate_autopk_value
    adapt_date, adapt_datetime = ops.adapt_datefield_value, ops.adapt_datetimefield_value
    use_tz = settings.USE_TZ

    def prep(a: _Adapter, value: Any) -> Any:
        kind, t = a.kind, type(value)
        if kind == _SAME:
            if t is a.same or value is None:
                return value
        elif kind == _INT:
            if t is int or value is None:
                return adapt_int(value, a.internal_type)
        elif kind == _FK_INT:
            if value is None:
                return None
            if t is int:
                return autopk(value)
        elif kind == _FK_STR:
            if value is None or (t is str and value):
                return value
        elif kind == _DATE:
            if t is date or value is None:
                return adapt_date(value)
        elif kind == _DATETIME:
            if value is None or (t is datetime and (not use_tz or value.utcoffset() is not None)):
                return adapt_datetime(value)
        return a.field.get_db_prep_save(value, conn)

    return prep


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

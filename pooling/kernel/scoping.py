"""County scoping, in one place.

Every model whose rows belong to a county subclasses `ScopedModel` and names the
path(s) to its county in `scope_paths`. The county filter is added to the SQL
when a query is *compiled*, not when a queryset is built, so querysets built at
import time (DRF `queryset = ...`, form `ModelChoiceField(queryset=...)`) are
still filtered by whoever is asking when they run. Views, the API, the admin,
exports and imports therefore cannot forget it.

A provider's system (the settlement interface) is scoped the same way, by provider:
its scope names one provider, and a model says which of its fields leads to the
provider in `provider_scope_path`; a model without one shows such a scope nothing.

Who is asking comes from a context variable set by `ScopeMiddleware` for each
request (or by `acting_as(user)` in a Celery task run on a user's behalf). Code
outside any request — migrations, management commands, Celery's monthly run —
runs with the system scope. Services that must look across counties on a
clerk's behalf (is this ID number enrolled anywhere?) say so with
`unrestricted()`, which is greppable and reviewed.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from typing import Any, ClassVar, cast

from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection, models
from django.db.models.sql import Query
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import Role

OTHER_COUNTY = _("无权访问其他经办单位的数据")
READ_ONLY = _("当前角色为只读，不能修改数据")
OTHER_PROVIDER = _("无权访问其他定点机构的数据")


@dataclass(frozen=True)
class Scope:
    """What one actor may see: every region, or a fixed set of region codes."""

    all_regions: bool
    region_codes: frozenset[str] = field(default_factory=frozenset)
    read_only: bool = False
    label: str = ""
    provider_id: int | None = None  # a provider's system: only that provider's rows

    def allows(self, region_code: str | None) -> bool:
        return self.all_regions or (region_code is not None and region_code in self.region_codes)


SYSTEM = Scope(all_regions=True, label="system")
NOBODY = Scope(all_regions=False, label="anonymous")
CITY_ROLES = {Role.CITY_AGENCY, Role.BUREAU_ADMIN, Role.FINANCE, Role.AUDITOR}


def scope_for_user(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    if user.is_superuser:
        return Scope(all_regions=True, label=f"superuser:{user.pk}")
    if user.role in CITY_ROLES:
        return Scope(
            all_regions=True, read_only=user.role == Role.AUDITOR, label=f"{user.role}:{user.pk}"
        )
    if user.role == Role.COUNTY_CLERK and user.region_id:
        return Scope(
            all_regions=False, region_codes=frozenset({user.region_id}), label=f"clerk:{user.pk}"
        )
    return NOBODY


def scope_for_provider(provider_id: int) -> Scope:
    """What a provider's system sees: its own visits, fee details and settlements, nothing else."""
    return Scope(all_regions=False, provider_id=provider_id, label=f"provider:{provider_id}")


class _Holder:
    """Resolves the scope lazily: DRF authenticates inside the view, after middleware."""

    def __init__(self, *, request: Any = None, scope: Scope | None = None) -> None:
        self._request = request
        self._scope = scope

    def resolve(self) -> Scope:
        if self._scope is not None:
            return self._scope
        return scope_for_user(getattr(self._request, "user", None))


_current: ContextVar[_Holder | None] = ContextVar("pooling_scope", default=None)


def current_scope() -> Scope:
    holder = _current.get()
    return SYSTEM if holder is None else holder.resolve()


@contextmanager
def acting_as(user: Any) -> Iterator[Scope]:
    """Run a block (e.g. a Celery import) with the scope of the user who asked for it."""
    token = _current.set(_Holder(scope=scope_for_user(user)))
    try:
        yield current_scope()
    finally:
        _current.reset(token)


@contextmanager
def acting_for_provider(provider_id: int) -> Iterator[Scope]:
    """Run a block (a message of the settlement interface) with a provider's scope."""
    token = _current.set(_Holder(scope=scope_for_provider(provider_id)))
    try:
        yield current_scope()
    finally:
        _current.reset(token)


@contextmanager
def unrestricted() -> Iterator[None]:
    """Look across counties inside a service. Never hand what you read to the caller unfiltered."""
    token = _current.set(_Holder(scope=SYSTEM))
    try:
        yield
    finally:
        _current.reset(token)


def scope_q(model: type[models.Model], scope: Scope) -> models.Q:
    if scope.provider_id is not None:
        path = getattr(model, "provider_scope_path", None)
        return models.Q(**{path: scope.provider_id}) if path else models.Q(pk__in=[])
    paths: tuple[str, ...] = model.scope_paths  # type: ignore[attr-defined]
    codes = sorted(scope.region_codes)
    return reduce(operator.or_, (models.Q(**{f"{p}__in": codes}) for p in paths))


def scope_where(model: type[models.Model]) -> tuple[str, tuple[Any, ...]]:
    """The current scope's filter on `model` as a WHERE fragment over its own table, for the few
    statements written by hand on the settlement interface's hot path ("TRUE" when unrestricted,
    "FALSE" when the scope sees nothing). It is `scope_q` compiled by the ORM, as `ScopedQuery`
    adds it, so the rule stays here; compiled once per model and scope (a provider's scope is
    fixed), as compiling it on every message costs what the message's own work does."""
    scope = current_scope()
    if scope.all_regions:
        return "TRUE", ()
    return _where_sql(model, scope, connection.vendor)


@lru_cache(maxsize=4096)
def _where_sql(model: type[models.Model], scope: Scope, vendor: str) -> tuple[str, tuple[Any, ...]]:
    query = Query(model)  # a plain Query: no scope of its own to add
    query.add_q(scope_q(model, scope))
    if len([a for a, n in query.alias_refcount.items() if n]) > 1:
        raise ValueError(f"{model.__name__}: its scope needs a join; use the ORM")
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = query.where.as_sql(compiler, connection)
    except EmptyResultSet:
        return "FALSE", ()
    return sql or "TRUE", tuple(params)


def assert_writable_values(model: type[models.Model], values: dict[str, Any]) -> None:
    """`assert_writable` for a row written by hand from plain column values (`<field>_id` keys)
    rather than an instance; only scope paths of one hop (a column of the row itself)."""
    scope = current_scope()
    if scope.read_only:
        raise PermissionDenied(READ_ONLY)
    if scope.all_regions:
        return
    if scope.provider_id is not None:
        path = getattr(model, "provider_scope_path", None)
        if path is None or values.get(f"{path}_id") != scope.provider_id:
            raise PermissionDenied(OTHER_PROVIDER)
        return
    paths: tuple[str, ...] = model.scope_paths  # type: ignore[attr-defined]
    if any("__" in p for p in paths):
        raise ValueError(f"{model.__name__}: its scope needs a join; use assert_writable")
    if not any(scope.allows(values.get(f"{p}_id")) for p in paths):
        raise PermissionDenied(OTHER_COUNTY)


class ScopedQuery(Query):
    """Adds the county filter when the SQL is compiled (also inside subqueries)."""

    _scope_applied = False

    def get_compiler(
        self, using: Any = None, connection: Any = None, elide_empty: bool = True
    ) -> Any:
        scope = current_scope()
        if scope.all_regions or self._scope_applied:
            return super().get_compiler(using, connection, elide_empty)
        query = cast(ScopedQuery, self.clone())
        query.apply_scope(scope)
        return query.get_compiler(using, connection, elide_empty)

    def apply_scope(self, scope: Scope) -> None:
        if not scope.all_regions and not self._scope_applied:
            self.add_q(scope_q(cast(type[models.Model], self.model), scope))
        self._scope_applied = True


class ScopedQuerySet(models.QuerySet):
    def __init__(
        self, model: Any = None, query: Any = None, using: Any = None, hints: Any = None
    ) -> None:
        super().__init__(model, query or ScopedQuery(model), using, hints)

    def _with_scope(self) -> ScopedQuerySet:
        # UPDATE and DELETE change the query's class, which would drop the
        # compile-time filter: put the filter into the WHERE clause first.
        clone: ScopedQuerySet = self._chain()  # type: ignore[attr-defined]
        if isinstance(clone.query, ScopedQuery):
            clone.query.apply_scope(current_scope())
        return clone

    def update(self, **kwargs: Any) -> int:
        return models.QuerySet.update(self._with_scope(), **kwargs)

    def _update(self, values: Any) -> Any:
        return models.QuerySet._update(self._with_scope(), values)  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        return models.QuerySet.delete(self._with_scope())

    def _raw_delete(self, using: Any) -> int:
        return models.QuerySet._raw_delete(self._with_scope(), using)

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        for obj in objs:
            assert_writable(obj)
        return super().bulk_create(objs, *args, **kwargs)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def region_codes_of(obj: models.Model) -> list[str | None]:
    """The county code(s) a row belongs to, following each of its scope paths."""
    codes: list[str | None] = []
    for path in obj.scope_paths:  # type: ignore[attr-defined]
        *hops, last = path.split("__")
        target: Any = obj
        for hop in hops:
            target = getattr(target, hop) if target is not None else None
        codes.append(getattr(target, f"{last}_id", None) if target is not None else None)
    return codes


def assert_writable(obj: models.Model) -> None:
    scope = current_scope()
    if scope.read_only:
        raise PermissionDenied(READ_ONLY)
    if scope.all_regions:
        return
    if scope.provider_id is not None:
        path = getattr(obj, "provider_scope_path", None)
        if path is None or getattr(obj, f"{path}_id", None) != scope.provider_id:
            raise PermissionDenied(OTHER_PROVIDER)
        return
    if not any(scope.allows(code) for code in region_codes_of(obj)):
        raise PermissionDenied(OTHER_COUNTY)


class ScopedModel(models.Model):
    """Base for every row that belongs to a county (分级核算)."""

    scope_paths: ClassVar[tuple[str, ...]] = ("county",)

    objects = ScopedManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        assert_writable(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        assert_writable(self)
        return super().delete(*args, **kwargs)


def scoped_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, ScopedModel)]


class ScopeMiddleware:
    """Binds the requesting user's scope to everything done while serving the request."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        holder = _Holder(request=request)
        token = _current.set(holder)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if getattr(response, "streaming", False):
            # Streaming exports run their queries after we return: keep the scope.
            response.streaming_content = _scoped_stream(holder, response.streaming_content)
        return response


def _scoped_stream(holder: _Holder, chunks: Iterable[Any]) -> Iterator[Any]:
    iterator = iter(chunks)
    while True:
        token = _current.set(holder)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _current.reset(token)
        yield chunk

"""A per-process memo, with a short time to live, of the lookups every settlement repeats: the
credential a bearer key names and the day's sign-in (services/credentials.py), the provider row, is
it in performance on the date, which policy and which catalogue version are in force, and the
catalogue's entry for a code in a version (each fee line of a 2204 is classified by one).

`HSA_LOOKUP_TTL_SECONDS` (default 5; 0 turns the memo off). The staleness bound: a change made in
this process clears the memo at once (model signals); a change made in another process — a
credential revoked, a 9002 sign-out, a suspension recorded by a clerk, a policy published — is
seen by this one after at most the TTL, as its entry expires (tests/settlement/test_memo.py holds
both). Only a "yes" of the credential and sign-in lookups is kept, so a key just issued or a sign-in
just made works at once in every process. What it saves: these lookups are ~a third of a message's
queries and ORM work (bench.settlement_http, `--lookup-ttl 0` against the default).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from pooling.benefits.catalogue.models import CatalogueVersion
from pooling.benefits.catalogue.selectors import catalogue_in_force, catalogue_lookup
from pooling.benefits.types import CatalogueEntry
from pooling.kernel.scoping import unrestricted
from pooling.policy.document import Policy, policy_in_force
from providers.models import Provider
from providers.selectors import provider_is_settleable

T = TypeVar("T")
_MEMO: dict[Hashable, tuple[float, Any]] = {}
_LIMIT = 10_000  # dates × providers seen by one process in a few seconds: far below this
# (version, code) → entry or None: apart, as a city's catalogue has tens of thousands of codes and
# filling it must not push the credentials out of `_MEMO`.
_ITEMS: dict[tuple[int, str], tuple[float, CatalogueEntry | None]] = {}
_ITEMS_LIMIT = 200_000


def _remembered(key: Hashable, compute: Callable[[], T]) -> T:
    ttl = settings.HSA_LOOKUP_TTL_SECONDS
    if ttl <= 0:
        return compute()
    now = time.monotonic()
    hit = _MEMO.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    if len(_MEMO) >= _LIMIT:
        _MEMO.clear()
    _MEMO[key] = (now + ttl, value)
    return value


def remembered_if(key: Hashable, compute: Callable[[], T], keep: Callable[[T], bool]) -> T:
    """Like `_remembered`, but only a value `keep` accepts is kept (a refusal is asked again next time,
    so a key just issued or a sign-in just made works at once)."""
    ttl = settings.HSA_LOOKUP_TTL_SECONDS
    now = time.monotonic()
    hit = _MEMO.get(key) if ttl > 0 else None
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    if ttl > 0 and keep(value):
        if len(_MEMO) >= _LIMIT:
            _MEMO.clear()
        _MEMO[key] = (now + ttl, value)
    return value


def settleable(*, provider_code: str, on: date) -> bool:
    return _remembered(
        ("settleable", provider_code, on),
        lambda: provider_is_settleable(provider_code=provider_code, on=on),
    )


def provider(*, pk: int) -> Provider:
    """The provider row (kind, level, code) a settlement reads; whether it may settle is `settleable`."""

    def read() -> Provider:
        with unrestricted():
            return Provider.objects.get(pk=pk)

    return _remembered(("provider", pk), read)


def policy(*, on: date) -> Policy:
    return _remembered(("policy", on), lambda: policy_in_force(on=on))


def catalogue(*, on: date) -> CatalogueVersion | None:
    return _remembered(("catalogue", on), lambda: catalogue_in_force(on=on))


def catalogue_entries(*, on: date, codes: Iterable[str]) -> dict[str, CatalogueEntry]:
    """`catalogue_lookup(on=…, codes=…)`, each (version in force, code) remembered — a code's
    absence too, as it is an answer as well (丙类). Only the codes not remembered are looked up,
    in one query, from the version `catalogue(on=…)` names, so every entry is keyed by the
    version it was read from."""
    ttl = settings.HSA_LOOKUP_TTL_SECONDS
    if ttl <= 0:
        return catalogue_lookup(on=on, codes=codes)
    version = catalogue(on=on)
    if version is None:
        return {}
    now = time.monotonic()
    found: dict[str, CatalogueEntry] = {}
    missing = []
    for code in {c.strip().upper() for c in codes if c}:
        hit = _ITEMS.get((version.pk, code))
        if hit is None or hit[0] <= now:
            missing.append(code)
        elif hit[1] is not None:
            found[code] = hit[1]
    if missing:
        read = catalogue_lookup(on=on, codes=missing, version_id=version.pk)
        if len(_ITEMS) + len(missing) > _ITEMS_LIMIT:
            _ITEMS.clear()
        for code in missing:
            _ITEMS[(version.pk, code)] = (now + ttl, read.get(code))
        found.update(read)
    return found


def forget(**_kwargs: Any) -> None:
    _MEMO.clear()
    _ITEMS.clear()


# What the memo depends on: any save or delete of these in this process clears it.
for _model in (
    "settlement.Credential",
    "settlement.SignIn",
    "providers.Provider",
    "providers.ProviderEvent",
    "providers.Agreement",
    "pooling.PolicyVersion",
    "pooling.CatalogueVersion",
    "pooling.CatalogueItem",
):
    post_save.connect(forget, sender=_model, dispatch_uid=f"settlement.memo.save.{_model}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"settlement.memo.delete.{_model}")

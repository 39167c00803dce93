"""Running one batch of requests through a batch service or its single-row twin, then undoing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from pooling.kernel.errors import BusinessRuleError
from tests.actors import SETUP


def outcome(
    requests: list[Any],
    *,
    batch: Callable[..., int] | None = None,
    one: Callable[[Any], object] | None = None,
    state: Callable[[], Any],
) -> tuple[list, Any]:
    """The refusals (index, code) and `state()` after the run; everything rolled back after.
    Pass `batch` (a service taking requests= and refuse=) or `one` (called per request)."""
    refused: list[tuple[int, str]] = []
    sid = transaction.savepoint()
    if batch is not None:
        batch(requests=requests, refuse=lambda i, exc: refused.append((i, exc.code)), actor=SETUP)
    else:
        assert one is not None
        for i, request in enumerate(requests):
            try:
                one(request)
            except BusinessRuleError as exc:
                refused.append((i, exc.code))
    result = state()
    transaction.savepoint_rollback(sid)
    return refused, result

"""A unique-index clash becomes the business message, never a 500.

A service checks "is this ID already registered?" and then inserts. Between the two,
another transaction may insert the same key: the unique index refuses the second
insert, and without care the clerk sees a server error. `unique_clash` runs the write
in a savepoint and turns that refusal into the message the check would have given —
asked again *after* the clash, so it can name what the other transaction wrote
(the unique index waits for that transaction to commit before it refuses, so the row
is visible by then).

Only unique violations are translated: a foreign-key or check violation is a bug or
tampering and still surfaces as one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction

from pooling.kernel.errors import BusinessRuleError

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for unique_violation


def is_unique_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(
        getattr(cause, "diag", None), "sqlstate", None
    )
    if sqlstate is not None:
        return bool(sqlstate == UNIQUE_VIOLATION)
    return "UNIQUE constraint failed" in str(exc)  # SQLite, the embedded demo database


@contextmanager
def unique_clash(error: BusinessRuleError | Callable[[], object]) -> Iterator[None]:
    """Run the block atomically (a transaction, or a savepoint inside the caller's); if a
    unique index refuses it, raise `error` instead.

    `error` may be the service's own check (a callable): asked again after the clash, it
    raises the precise message; if it finds nothing to object to, the clash is re-raised.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        if isinstance(error, BusinessRuleError):
            raise error from exc
        error()
        raise

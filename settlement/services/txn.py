"""The hot-path services' transaction: a savepoint of their own, except inside one interface message.

A national-interface message (hsa/dispatch.py `_once`) is one transaction rolled back whole on
any error — nothing the message wrote survives it — so a service's own savepoint there buys
nothing and costs two round trips (SAVEPOINT, RELEASE) on each of a settlement's messages.
Everywhere else (a file import that refuses one visit and goes on, a page, a test) the service
keeps its savepoint, so a caller that catches its error can still use the transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")
_WHOLE_MESSAGE: ContextVar[bool] = ContextVar("settlement_whole_message", default=False)


@contextmanager
def whole_message() -> Iterator[None]:
    """Inside the message's own atomic block: any error ends the whole transaction."""
    token = _WHOLE_MESSAGE.set(True)
    try:
        yield
    finally:
        _WHOLE_MESSAGE.reset(token)


def atomic(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(savepoint=not _WHOLE_MESSAGE.get()):
            return func(*args, **kwargs)

    return run

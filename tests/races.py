"""Races: replayed deterministically (the other transaction's row arrives between a service's
check and its insert), or run for real (`race`: threads on their own connections, released
together)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection


def race(work: Callable[[int], Any], threads: int, *, timeout: float = 60) -> list[Any]:
    """`work(i)` in `threads` threads released at the same moment, each on its own database
    connection (closed after): each thread's value, or the exception it raised."""
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * threads

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — the outcome is what the caller asserts on
            results[i] = exc
        finally:
            connection.close()

    started = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in started:
        t.start()
    for t in started:
        t.join(timeout)
    return results


def blind_once(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, blind: Any = None) -> None:
    """The service's check misses its first look (as if the other clerk's row were not
    committed yet, returning `blind`); the insert then meets the unique index, and the
    check, asked again, sees the row."""
    real = getattr(module, name)
    calls = []

    def once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return blind if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(module, name, once)

"""Replaying a race deterministically: the other transaction's row arrives between a
service's check and its insert."""

from __future__ import annotations

from typing import Any

import pytest


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

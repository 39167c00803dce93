"""Hooks: lists every app adds to from a module of its own, found by Django's autodiscovery.

An app offers home-page widgets in `<app>/home.py`, demo data in `<app>/demo.py` and
import kinds in `<app>/imports/kinds.py` by registering them on the hook; nothing
shared is edited when an app adds one. Apps are visited in `INSTALLED_APPS` order,
so the demo loads the kernel before the apps that build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from django.utils.module_loading import autodiscover_modules

T = TypeVar("T")


class Hook(Generic[T]):
    def __init__(self, module: str) -> None:
        self.module = module
        self._items: list[T] = []
        self._discovered = False

    def register(self, item: T) -> T:
        """Add an item (usable as a decorator); registering the same item twice keeps one."""
        if item not in self._items:
            self._items.append(item)
        return item

    def items(self) -> list[T]:
        if not self._discovered:
            autodiscover_modules(self.module)
            self._discovered = True
        return list(self._items)


Loader = Callable[[Callable[[str], None]], None]

# `<app>/demo.py`: @DEMO_LOADERS.register def load(echo) — idempotent demo data.
DEMO_LOADERS: Hook[Loader] = Hook("demo")

# `<app>/panels.py`: @PERSON_PANELS.register def panel(request, person) -> dict | None — a section of
# the person's page ({"template": …, …}); other apps add what they know about the person.
PERSON_PANELS: Hook[Callable[..., dict | None]] = Hook("panels")

# `<app>/reconcile.py`: RECONCILE_CHECKS.register({"名称 / name": sql or callable}) — invariants
# `manage.py reconcile` proves; an SQL check selects the offending rows, a callable returns them.
RECONCILE_CHECKS: Hook[dict[str, object]] = Hook("reconcile")

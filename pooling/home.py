"""The home page gathers small widgets from each app.

An app offers widgets by defining `<app>/home.py: widgets(request) -> list[Widget]`;
nothing here needs editing when an app adds one.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

WIDGET_APPS = ("pooling", "enrollment", "providers", "funds", "settlement")


@dataclass(frozen=True)
class Widget:
    title: Any
    value: Any
    url: str | None = None
    note: Any = ""
    level: str = "info"  # info | warn | danger


def collect_widgets(request: HttpRequest) -> list[Widget]:
    found: list[Widget] = []
    for app in WIDGET_APPS:
        try:
            module = importlib.import_module(f"{app}.home")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.home":
                raise
            continue
        if module.__name__ == __name__:
            continue
        found.extend(module.widgets(request))
    return found

"""The home page gathers small widgets from each app.

An app offers widgets in `<app>/home.py` with
`@HOME_WIDGETS.register def widgets(request) -> list[Widget]`; nothing here needs
editing when an app adds one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from pooling.kernel.hooks import Hook


@dataclass(frozen=True)
class Widget:
    title: Any
    value: Any
    url: str | None = None
    note: Any = ""
    level: str = "info"  # info | warn | danger


HOME_WIDGETS: Hook[Callable[[HttpRequest], list[Widget]]] = Hook("home")


def collect_widgets(request: HttpRequest) -> list[Widget]:
    return [widget for source in HOME_WIDGETS.items() for widget in source(request)]

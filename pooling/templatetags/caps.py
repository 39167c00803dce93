"""Templates ask the capability table: `{% load caps %}{% if user|can:"person.register" %}…{% endif %}`.

The same `can()` as services, pages and the API, so a button a role cannot use is not shown.
An unknown capability name fails loudly (ImproperlyConfigured), never silently hides a button.
"""

from __future__ import annotations

from typing import Any

from django import template

from pooling.kernel.permissions import can as _can

register = template.Library()


@register.filter
def can(user: Any, capability: str) -> bool:
    return _can(user, capability)

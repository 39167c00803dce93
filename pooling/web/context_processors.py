from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from pooling.kernel.regions import pooling_area
from pooling.web.navigation import navigation


def pooling(request: HttpRequest) -> dict[str, Any]:
    return {
        "pooling_area": pooling_area(),
        "nav_items": navigation(request.user) if request.user.is_authenticated else [],
        "DEBUG": settings.DEBUG,
    }

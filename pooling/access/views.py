"""The login page, as a locked-out visitor sees it (axes' AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pooling.access.services import lockout_error, lockout_until, seconds_left


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The login form again, with the Chinese message saying when to try again (429)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = lockout_until(attempt_time=getattr(request, "axes_attempt_time", None))
    response = render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request, initial={"username": username}),
            "lockout": lockout_error(username=username, until=until).text(),
            "next": request.POST.get("next", ""),
        },
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )
    response["Retry-After"] = str(seconds_left(until=until))
    return response

"""Middleware every request passes: the read-only role cannot change anything."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from pooling.kernel.permissions import NOT_ALLOWED, READ_ONLY_ROLES

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# Paths an auditor may still POST to: signing in and out, switching language.
_READ_ONLY_EXEMPT = ("/accounts/login/", "/accounts/logout/", "/i18n/")


class ReadOnlyRoleMiddleware:
    """Auditors read everything and change nothing, whatever page they post to."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.method not in SAFE_METHODS
            and user is not None
            and user.is_authenticated
            and not user.is_superuser
            and user.role in READ_ONLY_ROLES
            and not request.path.startswith(_READ_ONLY_EXEMPT)
        ):
            raise PermissionDenied(NOT_ALLOWED)
        return self.get_response(request)

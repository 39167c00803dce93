"""Middleware every request passes: the read-only role cannot change anything, and
the demo shows the product's own error pages."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse

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


class ProductErrorPagesMiddleware:
    """With DEBUG on (the embedded demo), show the product's own 404 and 500 pages instead
    of Django's debug pages, which a clerk at the demo must never meet; the traceback goes
    to the console log. Without DEBUG Django calls the same handlers itself, so this
    stands aside. PRODUCT_ERROR_PAGES=false gives a developer the debug pages back.
    403 and 400 already use the product's handlers in both modes."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    @staticmethod
    def _active() -> bool:
        return settings.DEBUG and settings.PRODUCT_ERROR_PAGES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No route matched: Django answered with its debug 404 before any view ran.
        if response.status_code == 404 and request.resolver_match is None and self._active():
            from pooling.web.errorviews import page_not_found

            return page_not_found(request, None)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not self._active() or isinstance(
            exception, PermissionDenied | BadRequest | SuspiciousOperation
        ):
            return None
        from pooling.web.errorviews import page_not_found, server_error

        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        return server_error(request)

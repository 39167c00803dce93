"""The national interface's own request path: `/api/hsa/` served without the site's middleware.

A provider's machine message needs none of what a clerk's page needs: no session, no CSRF
token (it authenticates by its bearer credential on every message), no flash messages, no
language negotiation (the answer is always Chinese, `view.endpoint`), no auth user and so no
per-request audit actor (entries name the interface's system job, `dispatch.handle`), no
axes lockout page, no read-only-role check (no staff user). Passing through those eleven
middleware costs about as much CPU as the cheapest message itself (bench.settlement_http's
floor), so `pooling.wsgi` hands `/api/hsa/…` to `HsaHandler` and everything else to Django's
usual handler.

What is kept: Django's request/response cycle and its signals (connections are closed or
reused exactly as for a page), `SecurityMiddleware` (an HTTPS redirect or HSTS a deployment
asks for applies here too), the ALLOWED_HOSTS check, the audit correlation id of the
request, and every check the view and dispatcher make (credential, sign_no, msgid once,
errors as `infcode -1`). Only the interface's URLs resolve here (`settlement.hsa.root_urls`).
Tests with Django's test client go through the full stack; tests/settlement/test_hsa_wsgi.py
drives this path through the WSGI callable itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from auditlog.cid import set_cid
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import set_urlconf
from django.utils.module_loading import import_string

from pooling.kernel.scoping import acting_as
from settlement.hsa.view import not_found

PREFIX = "/api/hsa/"
URLCONF = "settlement.hsa.root_urls"
# The only site middleware a machine message keeps: HTTPS redirect and security headers.
MIDDLEWARE = ("django.middleware.security.SecurityMiddleware",)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class HsaHandler(WSGIHandler):
    """Django's WSGI handler with the interface's short middleware chain and its own URLs."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._serve)
        for path in reversed(MIDDLEWARE):
            handler = convert_exception_to_response(import_string(path)(handler))
        self._middleware_chain = handler

    def _serve(self, request: HttpRequest) -> HttpResponseBase:
        # Its handler400…500 answer in the interface's form (set_urlconf: where Django looks for
        # them when an exception ends the request before the URL is resolved).
        request.urlconf = URLCONF
        set_urlconf(URLCONF)
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it for pages
        set_cid(request)  # the audit correlation id (AuditlogMiddleware does this for pages)
        try:
            # No user: the scope is nobody's until the dispatcher takes the provider's, exactly
            # as ScopeMiddleware leaves an anonymous request on the full stack (never SYSTEM).
            with acting_as(None):
                return self._get_response(request)  # type: ignore[attr-defined]  # BaseHandler: resolve, view
        except Http404:  # with DEBUG on too: a machine reads JSON, never the debug page
            return not_found(request)


def split(site: WSGIApp, interface: WSGIApp) -> WSGIApp:
    """One WSGI callable: `/api/hsa/…` to `interface`, every other path to `site`."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        app = interface if path.startswith(PREFIX) or path == PREFIX[:-1] else site
        return app(environ, start_response)

    return application

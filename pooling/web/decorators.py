"""Page decorator: which capability a page needs (the table is in pooling.kernel.permissions)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from pooling.kernel.permissions import NOT_ALLOWED, can, denied_message

if TYPE_CHECKING:
    from rest_framework.request import Request

    from pooling.kernel.regions import User


def acting(request: HttpRequest | Request) -> User:
    """The signed-in member of staff acting on a request: the actor a page or API view
    hands to a service (both sit behind login, so an anonymous user here is refused)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied(NOT_ALLOWED)
    return cast("User", user)


def capability_required(
    capability: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Only users holding `capability` may open the page; others get 403 naming it."""
    can(None, capability)  # an unknown name fails at import, not on the first request

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                raise PermissionDenied(denied_message(capability))
            return view(request, *args, **kwargs)

        wrapped.capability = capability  # type: ignore[attr-defined]  # read by the capability tests
        return wrapped

    return decorator

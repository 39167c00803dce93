"""DRF permissions, asking the same table as pages and services (pooling.kernel.permissions)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from pooling.kernel.permissions import NOT_ALLOWED, READ_ONLY_ROLES, can, denied_message


class HasCapability(BasePermission):
    """DRF permission: `permission_classes = [HasCapability.of("fund.view")]`.

    `writes_only=True` lets every signed-in user read (GET/HEAD/OPTIONS) and asks the
    capability of the methods that change something.
    """

    capability: str = ""
    writes_only: bool = False

    @classmethod
    def of(cls, capability: str, *, writes_only: bool = False) -> type[HasCapability]:
        can(None, capability)  # an unknown name fails at import
        name = "HasCapability_" + capability.replace(".", "_")
        return type(name, (cls,), {"capability": capability, "writes_only": writes_only})

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401/403 "not signed in"
        if (self.writes_only and request.method in SAFE_METHODS) or can(
            request.user, self.capability
        ):
            return True
        # Django's exception keeps the lazy message, so the API answers in both languages.
        raise DjangoPermissionDenied(denied_message(self.capability))


class ActionCapabilities(BasePermission):
    """For a viewset: every signed-in user reads (county-scoped); each writing action needs
    the capability the view names for it, `write_capabilities = {"create": "person.register"}`.
    A writing action the map forgets is refused, never open."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        capability = getattr(view, "write_capabilities", {}).get(getattr(view, "action", None))
        if capability is None:
            raise DjangoPermissionDenied(NOT_ALLOWED)
        if can(request.user, capability):
            return True
        raise DjangoPermissionDenied(denied_message(capability))


class ReadOnlyRolePermission(BasePermission):
    """The auditor's read-only rule for the API, where authentication happens inside the view."""

    message = NOT_ALLOWED

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if request.method in SAFE_METHODS or not user.is_authenticated or user.is_superuser:
            return True
        return user.role not in READ_ONLY_ROLES


# The OpenAPI schema and its docs (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]): roles that use the API.
ApiDocsReader = HasCapability.of("api.docs")

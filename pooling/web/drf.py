"""DRF permissions, asking the same table as pages and services (pooling.kernel.permissions)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from pooling.kernel.choices import Role
from pooling.kernel.permissions import NOT_ALLOWED, user_has_role


class HasRole(BasePermission):
    """DRF permission: `permission_classes = [HasRole.of(Role.FINANCE, ...)]`."""

    roles: tuple[str, ...] = ()
    message = NOT_ALLOWED

    @classmethod
    def of(cls, *roles: str) -> type[HasRole]:
        return type("HasRole_" + "_".join(roles), (cls,), {"roles": roles})

    def has_permission(self, request: Any, view: Any) -> bool:
        return user_has_role(request.user, *self.roles)


class ReadOnlyRolePermission(BasePermission):
    """The same rule for the API, where authentication happens inside the view."""

    message = NOT_ALLOWED

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if request.method in SAFE_METHODS or not user.is_authenticated or user.is_superuser:
            return True
        return user.role != Role.AUDITOR

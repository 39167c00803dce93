"""Roles and what each may do, in one table.

Model permissions are derived from the role and the app a model lives in, so a
model added tomorrow is covered without anyone remembering to grant anything.
County scoping (which rows) lives in `pooling.kernel.scoping`; this file says which
actions. Nobody but a superuser deletes: money, people and providers are
corrected by new records, never erased.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import Role

VIEW = frozenset({"view"})
EDIT = frozenset({"view", "add", "change"})

# role -> app label -> actions. "*" stands for every app.
ROLE_ACTIONS: dict[str, dict[str, frozenset[str]]] = {
    Role.COUNTY_CLERK: {"enrollment": EDIT, "providers": EDIT, "settlement": VIEW,
                        "pooling": VIEW, "funds": VIEW},
    Role.CITY_AGENCY: {"enrollment": EDIT, "providers": EDIT, "settlement": EDIT,
                       "pooling": VIEW, "funds": VIEW, "django_celery_beat": VIEW},
    Role.BUREAU_ADMIN: {"pooling": EDIT, "funds": EDIT, "enrollment": VIEW, "providers": EDIT,
                        "settlement": EDIT, "django_celery_beat": EDIT, "auditlog": VIEW,
                        "axes": VIEW},  # sign-in lockouts; lifting them: pooling.access.admin
    Role.FINANCE: {"funds": EDIT, "settlement": VIEW, "pooling": VIEW, "enrollment": VIEW,
                   "providers": VIEW},
    Role.AUDITOR: {"*": VIEW},
}
# Staff accounts are managed by superusers only; the auditor may read them.
PRIVATE_MODELS: dict[tuple[str, str], dict[str, frozenset[str]]] = {("pooling", "user"): {Role.AUDITOR: VIEW}}

NOT_ALLOWED = _("您的角色无权执行此操作")


def role_allows(role: str, app_label: str, model: str, action: str) -> bool:
    private = PRIVATE_MODELS.get((app_label, model))
    if private is not None:
        return action in private.get(role, frozenset())
    table = ROLE_ACTIONS.get(role, {})
    return action in table.get(app_label, table.get("*", frozenset()))


class RoleBackend(ModelBackend):
    """Django auth backend: passwords as usual, permissions from ROLE_ACTIONS."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        cache = "_role_perm_cache"
        if not hasattr(user_obj, cache):
            from django.contrib.auth.models import Permission

            perms = set()
            for app_label, codename in Permission.objects.values_list(
                "content_type__app_label", "codename"
            ):
                action, _sep, model = codename.partition("_")
                if role_allows(user_obj.role, app_label, model, action):
                    perms.add(f"{app_label}.{codename}")
            setattr(user_obj, cache, perms)
        return getattr(user_obj, cache)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return user_obj.is_active and any(
            p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj)
        )


def user_has_role(user: Any, *roles: str) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in roles))

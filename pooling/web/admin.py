"""Admin helpers every app's admin shares; the admin asks the capability table too.

Every registered ModelAdmin — ours and those of installed packages — is given
`TableMixin` at start-up (`ask_the_table`, from PoolingConfig.ready), so a model added
tomorrow is read-only unless `pooling.kernel.permissions.MODEL_RULES` names a capability
for writing it, and even a superuser cannot edit rule data around its service. An admin
whose model the table lets a role write saves through the service (`save_model`), never
`obj.save()` of a form's fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pooling.kernel.permissions import model_permission


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here: such rows change only through services."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class TableMixin:
    opts: Any

    def _may(self, request: HttpRequest, action: str) -> bool:
        return model_permission(request.user, self.opts.app_label, self.opts.model_name, action)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, "view")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, "change")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, "delete")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "view")


def ask_the_table(site: admin.AdminSite) -> None:
    """Give every registered admin the table's permissions (run once, after autodiscovery)."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if issubclass(cls, TableMixin):
            continue
        site.unregister(model)
        site.register(model, type(cls.__name__, (TableMixin, cls), {"__module__": cls.__module__}))

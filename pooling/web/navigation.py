"""The main navigation: the six unifications, shown to the roles that may use them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import Role


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    roles: tuple[str, ...] | None = None  # None: every signed-in role

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


ALL_CITY = (Role.CITY_AGENCY, Role.BUREAU_ADMIN, Role.FINANCE, Role.AUDITOR)

# The six unifications (六统一) plus the monthly cycle and the audit trail.
NAV = [
    NavItem(_("首页"), "home"),
    NavItem(_("基本政策与待遇"), "pooling:policy_index"),
    NavItem(_("经办管理"), "enrollment:index"),
    NavItem(_("定点管理"), "providers:index"),
    NavItem(_("基金管理"), "funds:index"),
    NavItem(_("结算与月度清算"), "settlement:index"),
    NavItem(_("审计日志"), "pooling:audit_log", (Role.AUDITOR, Role.BUREAU_ADMIN)),
    NavItem(_("接口文档"), "api_docs"),
]


def navigation(user: Any) -> list[dict[str, Any]]:
    items = []
    for item in NAV:
        if item.roles is not None and not (user.is_superuser or user.role in item.roles):
            continue
        url = item.url()
        if url:
            items.append({"label": item.label, "url": url, "name": item.url_name})
    return items

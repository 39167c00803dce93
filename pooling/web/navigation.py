"""The main navigation: the six unifications, each shown to whoever holds its capability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from pooling.kernel.permissions import can


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    capability: str | None = None  # None: every signed-in user
    unless: str | None = None  # hidden from holders of this one (they reach it another way)

    def shown_to(self, user: Any) -> bool:
        if self.unless is not None and can(user, self.unless):
            return False
        return self.capability is None or can(user, self.capability)

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


# The six unifications (六统一) plus the monthly cycle and the audit trail.
NAV = [
    NavItem(_("首页"), "home"),
    NavItem(_("基本政策与待遇"), "pooling:policy_index"),
    NavItem(_("经办管理"), "enrollment:index"),
    NavItem(_("定点管理"), "providers:index"),
    NavItem(_("基金管理"), "funds:index", "fund.view"),
    # A county compiles its budget and monthly plan without seeing the city's books.
    NavItem(_("预算编报"), "funds:budgets", "budget.submit", unless="fund.view"),
    NavItem(_("结算与月度清算"), "settlement:index", "settlement.view"),
    NavItem(_("月度清算"), "settlement:cycle_runs", "settlement.view"),
    NavItem(_("审计日志"), "pooling:audit_log", "audit.view"),
    NavItem(_("接口文档"), "api_docs", "api.docs"),
]


def navigation(user: Any) -> list[dict[str, Any]]:
    items = []
    for item in NAV:
        if not item.shown_to(user):
            continue
        url = item.url()
        if url:
            items.append({"label": item.label, "url": url, "name": item.url_name})
    return items

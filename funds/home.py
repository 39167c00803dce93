"""Home-page widgets: each book's balance and months of payment capacity, with warnings."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from funds.selectors import book_overview
from pooling.kernel.money import format_yuan
from pooling.kernel.permissions import can
from pooling.web.home import HOME_WIDGETS, Widget


@HOME_WIDGETS.register
def widgets(request: HttpRequest) -> list[Widget]:
    if not can(request.user, "fund.view"):
        return []
    found = []
    for c in book_overview():
        if c.balance_fen == 0 and c.average_expense_fen == 0:
            continue  # an empty book says nothing worth a tile
        months = "—" if c.months is None else _("%(m)s 个月") % {"m": c.months}
        found.append(
            Widget(
                title=c.book.name,
                value=months,
                url=reverse("funds:book", args=[c.book.code]),
                note=_("结余 %(balance)s 元 · %(note)s")
                % {"balance": format_yuan(c.balance_fen), "note": c.note},
                level={"danger": "danger", "warn": "warn"}.get(c.level, "info"),
            )
        )
    return found

"""Home-page widgets of the handling app, for the clerk's own county (scoped like everything)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enrollment import selectors
from enrollment.models import Enrolment, EnrolmentStatus, Person
from pooling.kernel.money import format_yuan
from pooling.kernel.permissions import can
from pooling.web.home import HOME_WIDGETS, Widget


@HOME_WIDGETS.register
def widgets(request: HttpRequest) -> list[Widget]:
    user = request.user
    if not user.is_authenticated:
        return []
    region = getattr(user, "region_id", None)
    arrears = selectors.arrears_total()
    found = [
        Widget(_("参保人员"), Person.objects.count(), reverse("enrollment:people")),
        Widget(
            _("参保缴费中"),
            Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE).count(),
            reverse("enrollment:people") + "?status=active",
        ),
        Widget(
            _("欠费申报"),
            arrears["count"],
            reverse("enrollment:arrears"),
            note=_("欠费 %(owed)s 元") % {"owed": format_yuan(arrears["owed_fen"])},
            level="warn" if arrears["count"] else "info",
        ),
    ]
    transfers = reverse("enrollment:transfers")
    if can(user, "transfer.release"):  # the sending county's to-do: release or object
        waiting = selectors.pending_transfers_out(county_code=region)
        found.append(
            Widget(
                _("待转出确认"),
                waiting,
                transfers + ("?direction=out&status=pending" if region else "?status=pending"),
                note=_("逾期未确认也未提出异议的自动办结"),
                level="warn" if waiting else "info",
            )
        )
    if region and can(user, "transfer.request"):  # the receiving county's: asked, not yet released
        pending = selectors.pending_transfers_in(county_code=region)
        found.append(
            Widget(
                _("转入待转出地确认"),
                pending,
                transfers + "?direction=in&status=pending",
                level="info",
            )
        )
    return found

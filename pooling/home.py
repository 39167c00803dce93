"""Home-page widgets of the kernel app: versions waiting for the checker's review."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from pooling.policy.selectors import awaiting_review
from pooling.web.home import HOME_WIDGETS, Widget


@HOME_WIDGETS.register
def widgets(request: HttpRequest) -> list[Widget]:
    found = []
    for w in awaiting_review(request.user):
        title = _("待复核政策版本") if w.kind == "policy" else _("待复核医保目录版本")
        when = timezone.localtime(w.submitted_at).strftime("%Y-%m-%d") if w.submitted_at else ""
        note = (
            _("本人提交，等待另一位管理员复核")
            if w.own
            else _("%(maker)s 于 %(when)s 提交：%(title)s")
            % {"maker": w.maker or "—", "when": when, "title": w.title}
        )
        found.append(
            Widget(
                title=title, value=w.code, url=w.url, note=note, level="info" if w.own else "warn"
            )
        )
    return found

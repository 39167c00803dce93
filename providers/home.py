"""Home-page widgets: the lifecycle deadlines in the user's scope."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pooling.web.home import HOME_WIDGETS, Widget
from providers.selectors import deadline_counts


@HOME_WIDGETS.register
def widgets(request: HttpRequest) -> list[Widget]:
    counts = deadline_counts()
    url = reverse("providers:deadlines")
    rows = [
        (_("定点评估临近3个月期限"), counts["evaluation"]),
        (_("定点暂停临近180天"), counts["suspension"]),
        (_("恢复申请待审核"), counts["resume_review"]),
        (_("定点协议3个月内到期"), counts["agreement"]),
    ]
    return [Widget(title=t, value=n, url=url, level="warn" if n else "info") for t, n in rows]

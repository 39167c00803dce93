from __future__ import annotations

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pooling.heartbeat import heartbeat_status
from pooling.kernel.choices import Role
from pooling.kernel.regions import handling_units
from pooling.web.decorators import role_required
from pooling.web.home import collect_widgets


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "pooling/home.html", {
        "widgets": collect_widgets(request),
        "role_label": user.get_role_display() if user.role else ("系统管理员" if user.is_superuser else ""),
        "units": handling_units() if user.role != Role.COUNTY_CLERK else [],
        # Tasks run eagerly in the embedded demo: there is no worker to miss.
        "heartbeat": None if settings.CELERY_TASK_ALWAYS_EAGER else heartbeat_status(),
    })


FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico of every page that names no icon (the admin, the API docs)."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@role_required(Role.AUDITOR, Role.BUREAU_ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    model = request.GET.get("model", "").strip()
    actor = request.GET.get("actor", "").strip()
    if model:
        entries = entries.filter(content_type__model=model.lower())
    if actor:
        entries = entries.filter(actor__username=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "pooling/audit_log.html", {"page": page, "model": model, "actor": actor})


def regions(request: HttpRequest) -> HttpResponse:
    return render(request, "pooling/regions.html", {"units": handling_units()})

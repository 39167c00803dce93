"""Lockouts in the admin (登录锁定): who is locked, until when, and an action to lift them.

Bureau administrators and superusers see and lift them; the auditor sees them. Nobody
edits or deletes an attempt by hand: lifting goes through the service, which audits it.
"""

from __future__ import annotations

from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.access.services import lockout_until, lockouts_lift
from pooling.kernel.permissions import can
from pooling.web.admin import ReadOnlyAdmin
from pooling.web.decorators import acting

AccessAttempt._meta.verbose_name = _("登录锁定")
AccessAttempt._meta.verbose_name_plural = _("登录锁定")
AccessLog._meta.verbose_name = _("登录记录")
AccessLog._meta.verbose_name_plural = _("登录记录")


@admin.register(AccessAttempt)
class LockoutAdmin(ReadOnlyAdmin):
    list_display = ("username", "ip_address", "failures_since_start", "attempt_time", "state")
    list_filter = ("attempt_time",)
    search_fields = ("username", "ip_address")
    readonly_fields = (
        "username",
        "ip_address",
        "user_agent",
        "path_info",
        "failures_since_start",
        "attempt_time",
    )
    fields = readonly_fields
    actions = ["lift"]

    @admin.display(description=_("状态"))
    def state(self, obj: AccessAttempt) -> str:
        until = lockout_until(attempt_time=obj.attempt_time)
        if obj.failures_since_start >= settings.AXES_FAILURE_LIMIT and until > timezone.now():
            return _("锁定至 %(until)s") % {
                "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
            }
        return _("未锁定（失败 %(n)s 次）") % {"n": obj.failures_since_start}

    def has_lift_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "access.lift")

    @admin.action(description=_("解除所选账号的登录锁定"), permissions=["lift"])
    def lift(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        count = lockouts_lift(attempts=list(queryset), actor=acting(request))
        self.message_user(request, _("已解除 %(n)s 个登录锁定") % {"n": count}, messages.SUCCESS)


@admin.register(AccessLog)
class SignInLogAdmin(ReadOnlyAdmin):
    list_display = ("username", "ip_address", "attempt_time", "logout_time", "path_info")
    list_filter = ("attempt_time",)
    search_fields = ("username", "ip_address")
    fields = ("username", "ip_address", "user_agent", "path_info", "attempt_time", "logout_time")
    readonly_fields = fields

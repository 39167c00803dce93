from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolingConfig(AppConfig):
    name = "pooling"
    verbose_name = _("统筹区与基本政策")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from pooling.models import CountyBaselineItem, PolicyVersion, Region, User

        auditlog.register(Region)
        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(PolicyVersion)
        auditlog.register(CountyBaselineItem)

        from pooling.policy import guards as policy_guards

        policy_guards.connect()

        from django.contrib import admin

        from pooling.web.adminbase import ask_the_table

        ask_the_table(admin.site)

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

        from pooling.web.admin import ask_the_table

        ask_the_table(admin.site)

        from django.db.models.signals import post_migrate

        import pooling.access.receivers  # noqa: F401  (lockouts audited; 429 in the API)
        from pooling.dbroles import after_migrate

        # Once per migrate (sender: this app), after every app's tables exist.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="pooling.dbroles")
        from pooling.schedules import after_migrate as schedules_after_migrate

        # Every periodic task of the system, from its one declaration (pooling/schedules.py).
        post_migrate.connect(schedules_after_migrate, sender=self, dispatch_uid="pooling.schedules")

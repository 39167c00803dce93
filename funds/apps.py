from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("基金管理")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from funds import models

        # Entries and lines are their own audit trail (immutable, with created_by);
        # what can change — accounts' settings, periods, plans — is logged here.
        auditlog.register(models.Book)
        auditlog.register(models.Account, exclude_fields=["balance_fen"])
        auditlog.register(models.Period)
        for model in models.AUDITED_PLAN_MODELS:
            auditlog.register(model)

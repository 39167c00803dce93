from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = _("定点管理")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from providers import models

        for model in (
            models.Provider,
            models.Agreement,
            models.AgreementTemplate,
            models.Violation,
            models.AssessmentResult,
            models.AssessmentTemplate,
            models.AssessmentIndicator,
            models.DepositReleaseBand,
            models.HandlingRule,
            models.HandlingException,
        ):
            auditlog.register(model)

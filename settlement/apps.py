from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

PARTITIONED_TABLES = [
    "settlement_visit",
    "settlement_feedetail",
    "settlement_settlement",
    "settlement_message",
]


def _ensure_partitions(sender: AppConfig, **kwargs: object) -> None:
    # migrate runs as the owner role: the only moment DDL is allowed (see settlement/partitioning.py).
    from django.db import connections
    from django.utils import timezone

    from settlement.partitioning import ensure_partitions

    using = str(kwargs.get("using", "default"))
    if connections[using].vendor == "postgresql":
        if ensure_partitions(PARTITIONED_TABLES, around=timezone.localdate()):
            # New partitions got the default grants: give the runtime role its due on them too.
            from pooling.dbroles import after_migrate

            after_migrate(using=using)


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = _("结算与月度清算")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from settlement import models

        # Credentials are who may settle: every issue, rotation and revocation is audited.
        auditlog.register(models.Credential, exclude_fields=["secret_sha256"])
        # Claims a clerk enters and another decides: money, so every change is audited.
        auditlog.register(models.Reimbursement)
        auditlog.register(models.MaternityAllowance)
        # Who started, resumed or adjusted which month: the cycle moves the whole fund's money.
        auditlog.register(models.CycleRun)
        # What a provider is paid each month: a recomputation (adjustment run) is on the record.
        auditlog.register(models.ProviderMonthStatement)
        # A provider's clearing application (3203) and its cancellation (3204): which month it
        # asked to be cleared, with which figures, and when it took that back.
        auditlog.register(models.ClearingApplication)
        post_migrate.connect(_ensure_partitions, sender=self)

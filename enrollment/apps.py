from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = _("经办管理")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from enrollment import models as m

        # Everything here touches people or money: every change is in the audit trail.
        for model in (
            m.Employer,
            m.Person,
            m.Enrolment,
            m.Declaration,
            m.DeclarationLine,
            m.Collection,
            m.ResidentContribution,
            m.PersonalAccount,
            m.AccountPosting,
            m.Transfer,
            m.Referral,
            m.DiseaseRegistration,
        ):
            auditlog.register(model)

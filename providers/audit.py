"""Designated providers as parties of the audit trail: found by name or by code."""

from __future__ import annotations

from django.db.models import Q

from pooling.kernel.audit_selectors import AUDIT_SUBJECTS, SUBJECT_MATCHES, AuditSubject
from providers.models import Provider


def _providers(text: str) -> list[int]:
    code = text.upper()
    rows = Provider.objects.filter(
        Q(name__contains=text) | Q(national_code=code) | Q(credit_code=code)
    )
    return list(rows.values_list("pk", flat=True)[:SUBJECT_MATCHES])


AUDIT_SUBJECTS.register(AuditSubject(Provider, _providers))

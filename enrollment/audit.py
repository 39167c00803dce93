"""The parties of this app the audit trail can be searched by: people (by name or ID
number, through the indexed prefix search) and employers (by name or credit code)."""

from __future__ import annotations

from django.db.models import Q

from enrollment.models import Employer, Person
from enrollment.selectors import person_search
from pooling.kernel.audit_selectors import AUDIT_SUBJECTS, SUBJECT_MATCHES, AuditSubject


def _people(text: str) -> list[int]:
    return [p.pk for p in person_search(q=text, limit=SUBJECT_MATCHES)]


def _employers(text: str) -> list[int]:
    rows = Employer.objects.filter(Q(name__contains=text) | Q(credit_code=text.upper()))
    return list(rows.values_list("pk", flat=True)[:SUBJECT_MATCHES])


AUDIT_SUBJECTS.register(AuditSubject(Person, _people))
AUDIT_SUBJECTS.register(AuditSubject(Employer, _employers))

"""The unified policy as one typed, immutable value read from a policy document.

A policy version is one JSON document (see `pooling/policy/documents/*.json` and the JSON
Schema that validates it). `policy_from_document` is the one parser: every reader — the
contribution terms, the benefit calculator, the policy pages, version comparison and the
待遇不降 check — reads the `Policy` it builds, never the JSON. Other apps get it through
`policy_in_force(on=date)`: a contribution, enrolment or claim is judged by the version in
force on its date. Money in the document is yuan as strings ("7500.00"), rates are
percents as strings ("7.0"); here they become integer fen and Decimal fractions.

A policy is made of sections, each parsed in one place (its dataclass's `from_document`):
`pooling.policy.funding` (employee, resident) and `pooling.policy.benefit_rules`
(benefits). Adding a section is a dataclass there, a field here and a line in
`policy_from_document` (and the schema, its words in `pooling.policy.labels`, the page,
the comparison items).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.policy.benefit_rules import BenefitRules
from pooling.policy.funding import EmployeePolicy, ProviderPaymentPolicy, ResidentPolicy

NO_POLICY = _("%(on)s 没有生效的已发布政策版本")


@dataclass(frozen=True)
class Policy:
    code: str
    title: str
    effective_from: date
    demo: bool
    note: str
    employee: EmployeePolicy
    resident: ResidentPolicy
    benefits: BenefitRules
    provider_payment: ProviderPaymentPolicy


def policy_from_document(doc: dict[str, Any]) -> Policy:
    """Build the typed policy from a document that passed validation (`document_problems`)."""
    return Policy(
        code=doc["code"],
        title=doc["title"],
        effective_from=date.fromisoformat(doc["effective_from"]),
        demo=bool(doc.get("demo", False)),  # optional in the schema: a real policy says nothing
        note=doc.get("note", ""),
        employee=EmployeePolicy.from_document(doc["employee"]),
        resident=ResidentPolicy.from_document(doc["resident"]),
        benefits=BenefitRules.from_document(doc["benefits"]),
        provider_payment=ProviderPaymentPolicy.from_document(doc.get("provider_payment")),
    )


_memo: ContextVar[dict[date, Policy] | None] = ContextVar("policy_memo", default=None)


@contextmanager
def policy_memo() -> Iterator[None]:
    """Within the block, each date's policy is looked up once: a batch of a million rows
    spans a few months, not a million lookups. (Published versions never change; one
    published meanwhile is seen by the next batch.)"""
    token = _memo.set({}) if _memo.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _memo.reset(token)


def policy_in_force(*, on: date) -> Policy:
    """The published policy version in force on this date (the latest effective_from <= on)."""
    memo = _memo.get()
    if memo is not None:
        if on not in memo:
            memo[on] = _lookup(on)
        return memo[on]
    return _lookup(on)


def _lookup(on: date) -> Policy:
    from pooling.models import PolicyStatus, PolicyVersion

    version = (
        PolicyVersion.objects.filter(status=PolicyStatus.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from", "-published_at")
        .only("pk", "document")
        .first()
    )
    if version is None:
        raise BusinessRuleError(NO_POLICY, code="no_policy", params={"on": on.isoformat()})
    return _parsed(version.pk, version.document)


def policy_of(version: Any) -> Policy:
    """The typed policy of any version (a draft under review, or one to compare)."""
    from pooling.models import PolicyStatus

    if version.status == PolicyStatus.PUBLISHED:
        return _parsed(version.pk, version.document)
    return policy_from_document(version.document)  # a draft may still change: never kept


_cache: dict[int, Policy] = {}


def _parsed(pk: int, document: dict[str, Any]) -> Policy:
    # Published versions are immutable, so a parse per version id is safe to keep.
    policy = _cache.get(pk)
    if policy is None:
        policy = _cache[pk] = policy_from_document(document)
    return policy

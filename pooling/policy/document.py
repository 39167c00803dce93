"""The unified policy as typed, immutable values read from a policy document.

A policy version is one JSON document (see `pooling/policy/documents/*.json` and the JSON
Schema that validates it). Every other app reads policy only through
`policy_in_force(on=date)` — a contribution, enrolment or claim is judged by the
version in force on its date. Money in the document is yuan as strings
("7500.00"), rates are percents as strings ("7.0"); here they become integer fen
and Decimal fractions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import round_fen, yuan_to_fen

NO_POLICY = _("%(on)s 没有生效的已发布政策版本")


def _pct(value: str) -> Decimal:
    return Decimal(value) / 100


@dataclass(frozen=True)
class RetireeAllocation:
    min_age: int
    monthly_fen: int


@dataclass(frozen=True)
class EmployeePolicy:
    average_monthly_wage_fen: int
    base_floor_rate: Decimal  # fraction of the average wage
    base_ceiling_rate: Decimal
    employer_rate: Decimal
    employee_rate: Decimal
    maternity_merged: bool
    maternity_rate: Decimal
    account_share_of_base: Decimal  # in-service: the employee's own share goes to the account
    retiree_allocations: tuple[RetireeAllocation, ...]
    retiree_years_men: int
    retiree_years_women: int
    retiree_actual_years_min: int

    @property
    def base_floor_fen(self) -> int:
        return round_fen(self.average_monthly_wage_fen * self.base_floor_rate)

    @property
    def base_ceiling_fen(self) -> int:
        return round_fen(self.average_monthly_wage_fen * self.base_ceiling_rate)

    def clamp_base(self, base_fen: int) -> int:
        """The contribution base clamped to 60 %–300 % (as configured) of the average wage."""
        return min(max(base_fen, self.base_floor_fen), self.base_ceiling_fen)

    def retiree_monthly_fen(self, age: int) -> int:
        eligible = [a for a in self.retiree_allocations if age >= a.min_age]
        return max(eligible, key=lambda a: a.min_age).monthly_fen if eligible else 0

    def required_years(self, sex: str) -> int:
        """Cumulative contribution years a retiree needs ("M"/"F")."""
        return self.retiree_years_men if sex == "M" else self.retiree_years_women


@dataclass(frozen=True)
class WaitingRules:
    base_months: int
    per_gap_year_months: int
    per_continuous_year_reduction_months: int
    newborn_exempt: bool
    from_employee_within_months: int


@dataclass(frozen=True)
class ResidentPolicy:
    year: int
    individual_fen: dict[str, int]  # by person category
    subsidy_per_head_fen: int
    subsidy_split: dict[str, Decimal]  # central/province/city/county -> fraction
    special_group_subsidy_fen: dict[str, int]  # dibao/tekun -> fen paid for the person
    waiting: WaitingRules

    def individual_contribution_fen(self, category: str) -> int:
        return self.individual_fen[category]


@dataclass(frozen=True)
class Policy:
    code: str
    title: str
    effective_from: date
    demo: bool
    employee: EmployeePolicy
    resident: ResidentPolicy
    benefits: dict[str, Any] = field(default_factory=dict)  # parsed by the benefits module
    document: dict[str, Any] = field(default_factory=dict, repr=False)


def policy_from_document(doc: dict[str, Any]) -> Policy:
    """Build the typed policy from a document already validated against the schema."""
    emp, res = doc["employee"], doc["resident"]
    acct = emp["personal_account"]
    wait = res["waiting_period"]
    return Policy(
        code=doc["code"],
        title=doc["title"],
        effective_from=date.fromisoformat(doc["effective_from"]),
        demo=bool(doc.get("demo", False)),
        employee=EmployeePolicy(
            average_monthly_wage_fen=yuan_to_fen(emp["average_monthly_wage"]),
            base_floor_rate=_pct(emp["base_floor_pct"]),
            base_ceiling_rate=_pct(emp["base_ceiling_pct"]),
            employer_rate=_pct(emp["employer_rate_pct"]),
            employee_rate=_pct(emp["employee_rate_pct"]),
            maternity_merged=bool(emp["maternity"]["merged"]),
            maternity_rate=_pct(emp["maternity"]["rate_pct"]),
            account_share_of_base=_pct(acct["in_service_share_of_base_pct"]),
            retiree_allocations=tuple(
                RetireeAllocation(min_age=int(a["min_age"]), monthly_fen=yuan_to_fen(a["amount"]))
                for a in acct["retiree_monthly"]
            ),
            retiree_years_men=int(emp["retiree_years"]["men_total"]),
            retiree_years_women=int(emp["retiree_years"]["women_total"]),
            retiree_actual_years_min=int(emp["retiree_years"]["min_actual"]),
        ),
        resident=ResidentPolicy(
            year=int(res["year"]),
            individual_fen={k: yuan_to_fen(v) for k, v in res["individual_contribution"].items()},
            subsidy_per_head_fen=yuan_to_fen(res["subsidy_per_head"]),
            subsidy_split={k: _pct(v) for k, v in res["subsidy_split_pct"].items()},
            special_group_subsidy_fen={k: yuan_to_fen(v) for k, v in res["special_group_subsidy"].items()},
            waiting=WaitingRules(
                base_months=int(wait["base_months"]),
                per_gap_year_months=int(wait["per_gap_year_months"]),
                per_continuous_year_reduction_months=int(wait["per_continuous_year_reduction_months"]),
                newborn_exempt=bool(wait["newborn_exempt"]),
                from_employee_within_months=int(wait["from_employee_within_months"]),
            ),
        ),
        benefits=doc.get("benefits", {}),
        document=doc,
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


_cache: dict[int, Policy] = {}


def _parsed(pk: int, document: dict[str, Any]) -> Policy:
    # Published versions are immutable, so a parse per version id is safe to keep.
    policy = _cache.get(pk)
    if policy is None:
        policy = _cache[pk] = policy_from_document(document)
    return policy

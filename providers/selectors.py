"""Reads of designated-provider management, including what settlement will call.

Mutual recognition (定点互认, Yancheng art. 13): a provider designated anywhere in the
city serves every insured person of the city, so the settlement-facing selectors read
across handling units (`unrestricted()`) and return only public facts or plain numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from pooling.scoping import unrestricted
from providers.choices import DESIGNATED, State
from providers.dates import first_of_month
from providers.models import (
    Agreement,
    AssessmentResult,
    DepositReleaseBand,
    Provider,
    ProviderEvent,
    Violation,
)
from providers.services.lifecycle import (
    SUSPENSION_MAX_DAYS,
    evaluation_due,
    resume_review_due,
)

DEADLINE_WINDOW_DAYS = 30
EXPIRY_WINDOW_DAYS = 92  # a provider must give 3 months' notice: warn that early


def provider_state_on(*, provider: Provider, on: date) -> str | None:
    """The lifecycle state in force on a date, from the event log (effective dates)."""
    last = (ProviderEvent.objects.filter(provider=provider, effective_on__lte=on)
            .order_by("-effective_on", "-id").values_list("to_state", flat=True).first())
    return last


def provider_is_settleable(*, provider_code: str, on: date) -> bool:
    """May a claim of this provider for care on `on` be settled? Only in performance under an agreement.

    False when unknown, suspended, terminated, expired or not yet performing (令第2号: nothing
    is settled while suspended).
    """
    with unrestricted():
        provider = Provider.objects.filter(national_code=provider_code).first()
        if provider is None or provider_state_on(provider=provider, on=on) != State.PERFORMING:
            return False
        return Agreement.objects.filter(provider=provider, term_start__lte=on, term_end__gte=on).exclude(
            ended_on__lte=on).exists()


@dataclass(frozen=True)
class Deductions:
    total_fen: int
    recover_fen: int
    violation_ids: list[int]


def deductions_for(*, provider_id: int, month: date) -> Deductions:
    """What the monthly settlement deducts from this provider's payment for `month`."""
    with unrestricted():
        rows = Violation.objects.filter(provider_id=provider_id, deduction_month=first_of_month(month))
        sums = rows.aggregate(d=Sum("deduct_fen"), r=Sum("recover_fen"))
        ids = list(rows.order_by("id").values_list("id", flat=True))
    return Deductions(total_fen=int(sums["d"] or 0), recover_fen=int(sums["r"] or 0), violation_ids=ids)


def deposit_release_ratio(*, provider_id: int, year: int) -> Decimal | None:
    """Share of the withheld quality deposit released for `year` (None: not assessed yet)."""
    with unrestricted():
        result = AssessmentResult.objects.filter(provider_id=provider_id, year=year).first()
        if result is None:
            return None
        band = (DepositReleaseBand.objects.filter(template=result.template, min_score__lte=result.total)
                .order_by("-min_score").first())
    return band.release_ratio if band else Decimal(0)


PUBLIC_FIELDS = ("national_code", "name", "kind", "level", "grade", "ownership",
                 "location_region__name", "address", "handling_region__agency_name", "state", "filed_on")


def public_designated_list() -> list[dict[str, Any]]:
    """The public list of designated providers, city-wide, public facts only."""
    with unrestricted():
        return list(Provider.objects.filter(state__in=DESIGNATED).order_by("national_code")
                    .values(*PUBLIC_FIELDS))


def providers_visible() -> QuerySet[Provider]:
    """The register as the current user may see it (scoped by handling unit)."""
    return Provider.objects.select_related("location_region", "handling_region")


@dataclass(frozen=True)
class Deadline:
    provider: Provider
    kind: str
    due: date
    days_left: int


def deadlines(*, on: date | None = None, window: int = DEADLINE_WINDOW_DAYS) -> list[Deadline]:
    """Evaluations near 3 months, suspensions near 180 days, resumptions near 10 working days,
    agreements near their end; in the current user's scope, soonest first."""
    on = on or date.today()
    found: list[Deadline] = []
    base = providers_visible()
    for p in base.filter(state__in=(State.EVALUATING, State.SUPPLEMENTING)):
        due = evaluation_due(p)
        if due is not None and (due - on).days <= window:
            found.append(Deadline(p, "evaluation", due, (due - on).days))
    for p in base.filter(state__in=(State.SUSPENDED, State.RESUME_REVIEW), suspended_on__isnull=False):
        end = _suspension_end(p)
        if end is not None and (end - on).days <= window:
            found.append(Deadline(p, "suspension", end, (end - on).days))
    for p in base.filter(state=State.RESUME_REVIEW):
        due = resume_review_due(p)
        if due is not None:
            found.append(Deadline(p, "resume_review", due, (due - on).days))
    found.extend(_expiring(on))
    return sorted(found, key=lambda d: d.due)


def _suspension_end(provider: Provider) -> date | None:
    since = provider.suspended_on
    return since + timedelta(days=SUSPENSION_MAX_DAYS) if since is not None else None


def _expiring(on: date) -> list[Deadline]:
    # The head of each renewal chain: an agreement that no renewal follows.
    heads = (Agreement.objects.filter(provider__state=State.PERFORMING, ended_on__isnull=True,
                                      renewed_by__isnull=True,
                                      term_end__lte=on + timedelta(days=EXPIRY_WINDOW_DAYS))
             .select_related("provider", "provider__handling_region", "provider__location_region"))
    return [Deadline(a.provider, "agreement", a.term_end, (a.term_end - on).days) for a in heads]


def deadline_counts(*, on: date | None = None) -> dict[str, int]:
    counts = {"evaluation": 0, "suspension": 0, "resume_review": 0, "agreement": 0}
    for d in deadlines(on=on):
        counts[d.kind] += 1
    return counts

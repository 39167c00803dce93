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

from django.db.models import Exists, OuterRef, QuerySet, Subquery, Sum

from pooling.kernel.dates import first_of_month
from pooling.kernel.scoping import unrestricted
from providers.choices import DESIGNATED, State
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
    last = (
        ProviderEvent.objects.filter(provider=provider, effective_on__lte=on)
        .order_by("-effective_on", "-id")
        .values_list("to_state", flat=True)
        .first()
    )
    return last


def provider_is_settleable(*, provider_code: str, on: date) -> bool:
    """May a claim of this provider for care on `on` be settled? Only in performance under an agreement.

    False when unknown, suspended, terminated, expired or not yet performing (令第2号: nothing
    is settled while suspended). One query: settlement asks this for every claim.
    """
    state_then = (
        ProviderEvent.objects.filter(provider=OuterRef("pk"), effective_on__lte=on)
        .order_by("-effective_on", "-id")
        .values("to_state")[:1]
    )
    covered = Agreement.objects.filter(
        provider=OuterRef("pk"), term_start__lte=on, term_end__gte=on
    ).exclude(ended_on__lte=on)
    with unrestricted():
        return (
            Provider.objects.filter(national_code=provider_code)
            .annotate(state_then=Subquery(state_then), covered=Exists(covered))
            .filter(state_then=State.PERFORMING, covered=True)
            .exists()
        )


@dataclass(frozen=True)
class Deductions:
    total_fen: int
    recover_fen: int
    violation_ids: list[int]


def deductions_for(*, provider_id: int, month: date) -> Deductions:
    """What the monthly settlement deducts from this provider's payment for `month`."""
    with unrestricted():
        rows = Violation.objects.filter(
            provider_id=provider_id, deduction_month=first_of_month(month)
        )
        sums = rows.aggregate(d=Sum("deduct_fen"), r=Sum("recover_fen"))
        ids = list(rows.order_by("id").values_list("id", flat=True))
    return Deductions(
        total_fen=int(sums["d"] or 0), recover_fen=int(sums["r"] or 0), violation_ids=ids
    )


def deposit_release_ratio(*, provider_id: int, year: int) -> Decimal | None:
    """Share of the withheld quality deposit released for `year` (None: not assessed yet)."""
    with unrestricted():
        result = AssessmentResult.objects.filter(provider_id=provider_id, year=year).first()
        if result is None:
            return None
        band = (
            DepositReleaseBand.objects.filter(template=result.template, min_score__lte=result.total)
            .order_by("-min_score")
            .first()
        )
    return band.release_ratio if band else Decimal(0)


PUBLIC_FIELDS = (
    "national_code",
    "name",
    "kind",
    "level",
    "grade",
    "ownership",
    "location_region__name",
    "address",
    "handling_region__agency_name",
    "state",
    "filed_on",
)


def public_designated_list() -> list[dict[str, Any]]:
    """The public list of designated providers, city-wide, public facts only."""
    with unrestricted():
        return list(
            Provider.objects.filter(state__in=DESIGNATED)
            .order_by("national_code")
            .values(*PUBLIC_FIELDS)
        )


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
    horizon = on + timedelta(days=window)
    # 3 months are at least 89 days and paused days only add: rows accepted later than
    # this cannot be due inside the window (keeps the scan small at city scale).
    evaluating = base.filter(
        state__in=(State.EVALUATING, State.SUPPLEMENTING),
        accepted_on__lte=horizon - timedelta(days=89),
    )
    for p in evaluating:
        due = evaluation_due(p)
        if due is not None and due <= horizon:
            found.append(Deadline(p, "evaluation", due, (due - on).days))
    suspended = base.filter(
        state__in=(State.SUSPENDED, State.RESUME_REVIEW),
        suspended_on__lte=horizon - timedelta(days=SUSPENSION_MAX_DAYS),
    )
    for p in suspended:
        end = _suspension_end(p)
        if end is not None:
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


def _expiring_agreements(on: date) -> QuerySet[Agreement]:
    # The head of each renewal chain: an agreement that no renewal follows.
    return Agreement.objects.filter(
        provider__state=State.PERFORMING,
        ended_on__isnull=True,
        renewed_by__isnull=True,
        term_end__lte=on + timedelta(days=EXPIRY_WINDOW_DAYS),
    )


def _expiring(on: date) -> list[Deadline]:
    heads = _expiring_agreements(on).select_related(
        "provider", "provider__handling_region", "provider__location_region"
    )
    return [Deadline(a.provider, "agreement", a.term_end, (a.term_end - on).days) for a in heads]


def deadline_counts(
    *, on: date | None = None, window: int = DEADLINE_WINDOW_DAYS
) -> dict[str, int]:
    """The same four counts as `deadlines()`, counted in SQL where the rule allows (home page)."""
    on = on or date.today()
    horizon = on + timedelta(days=window)
    base = Provider.objects.all()
    evaluating = base.filter(
        state__in=(State.EVALUATING, State.SUPPLEMENTING),
        accepted_on__lte=horizon - timedelta(days=89),
    ).only("state", "accepted_on", "paused_days", "supplement_since")
    dues = (evaluation_due(p) for p in evaluating)
    return {
        "evaluation": sum(1 for due in dues if due is not None and due <= horizon),
        "suspension": base.filter(
            state__in=(State.SUSPENDED, State.RESUME_REVIEW),
            suspended_on__lte=horizon - timedelta(days=SUSPENSION_MAX_DAYS),
        ).count(),
        "resume_review": base.filter(state=State.RESUME_REVIEW).count(),
        "agreement": _expiring_agreements(on).count(),
    }


def provider_states_on(*, provider_ids: list[int], on: date) -> dict[int, str]:
    """Each provider's lifecycle state in force on a date (one query for a batch): the last
    event effective by then, or the register's state for a provider with no event log."""
    state_then = (
        ProviderEvent.objects.filter(provider=OuterRef("pk"), effective_on__lte=on)
        .order_by("-effective_on", "-id")
        .values("to_state")[:1]
    )
    with unrestricted():
        rows = (
            Provider.objects.filter(pk__in=provider_ids)
            .annotate(state_then=Subquery(state_then))
            .values_list("pk", "state_then", "state")
        )
        return {pk: then or now for pk, then, now in rows}


def deductions_by_provider(*, provider_ids: list[int], month: date) -> dict[int, Deductions]:
    """`deductions_for` for a batch of providers, in one query (providers without any are left out)."""
    found: dict[int, Deductions] = {}
    with unrestricted():
        rows = (
            Violation.objects.filter(
                provider_id__in=provider_ids, deduction_month=first_of_month(month)
            )
            .order_by("provider_id", "id")
            .values_list("provider_id", "id", "deduct_fen", "recover_fen")
        )
        for provider_id, pk, deduct, recover in rows:
            old = found.get(provider_id, Deductions(0, 0, []))
            found[provider_id] = Deductions(
                total_fen=old.total_fen + deduct,
                recover_fen=old.recover_fen + recover,
                violation_ids=[*old.violation_ids, pk],
            )
    return found


def deposit_release_ratios(*, provider_ids: list[int], year: int) -> dict[int, Decimal]:
    """`deposit_release_ratio` for a batch: only the providers assessed for `year`."""
    with unrestricted():
        results = list(
            AssessmentResult.objects.filter(provider_id__in=provider_ids, year=year).values_list(
                "provider_id", "template_id", "total"
            )
        )
        bands: dict[int, list[tuple[Decimal, Decimal]]] = {}
        for template_id, min_score, ratio in (
            DepositReleaseBand.objects.filter(template_id__in={t for _p, t, _s in results})
            .order_by("-min_score")
            .values_list("template_id", "min_score", "release_ratio")
        ):
            bands.setdefault(template_id, []).append((min_score, ratio))
    return {
        provider_id: next(
            (ratio for floor, ratio in bands.get(template_id, []) if total >= floor), Decimal(0)
        )
        for provider_id, template_id, total in results
    }

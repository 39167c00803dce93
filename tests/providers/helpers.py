"""Walking a provider through the lifecycle in tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from providers.models import Provider
from providers.services.lifecycle import transition

TO_PERFORMING = [
    ("apply", date(2026, 1, 5), {}),
    ("accept", date(2026, 1, 6), {}),
    ("evaluate_pass", date(2026, 2, 2), {}),
    (
        "sign",
        date(2026, 2, 10),
        {
            "term_start": date(2026, 3, 1),
            "agency_signatory": "陈静",
            "provider_signatory": "张院长",
        },
    ),
    ("publish", date(2026, 2, 16), {}),
    ("start_performance", date(2026, 3, 1), {}),
]


def walk(
    provider: Provider,
    actor: Any,
    steps: list[tuple[str, date, dict[str, Any]]] = TO_PERFORMING,
    reason: str = "",
) -> Provider:
    for action, on, params in steps:
        provider = transition(
            provider_id=provider.pk, action=action, actor=actor, on=on, reason=reason, params=params
        )
    return provider

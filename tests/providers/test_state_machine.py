"""Random walks over the transition table: whatever clerks click, the log and the state agree."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pooling.kernel.errors import BusinessRuleError
from providers.choices import State
from providers.models import Provider, ProviderEvent
from providers.services.lifecycle import TRANSITIONS, transition
from tests.providers.factories import make_provider

pytestmark = pytest.mark.django_db

PARAMS = {"agency_signatory": "陈静", "provider_signatory": "张院长"}


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_it_keeps_state_and_log_in_step(county_a, clerk_a, templates, data):
    provider = make_provider(county_a)
    on = date(2025, 1, 1)
    for _ in range(data.draw(st.integers(1, 20))):
        state = Provider.objects.get(pk=provider.pk).state
        allowed = sorted(a for a, t in TRANSITIONS.items() if state in t.sources)
        # Mostly an action the table offers now (to reach deep states), sometimes any action.
        pool = allowed if allowed and data.draw(st.integers(0, 4)) else sorted(TRANSITIONS)
        action = data.draw(st.sampled_from(pool))
        on += timedelta(days=data.draw(st.integers(0, 120)))
        with_reason = data.draw(st.booleans())
        before = ProviderEvent.objects.filter(provider=provider).count()
        try:
            transition(
                provider_id=provider.pk,
                action=action,
                actor=clerk_a,
                on=on,
                reason="说明" if with_reason else "",
                params=PARAMS,
            )
        except BusinessRuleError:
            assert ProviderEvent.objects.filter(provider=provider).count() == before
            continue
        spec = TRANSITIONS[action]
        event = ProviderEvent.objects.filter(provider=provider).latest("id")
        assert event.from_state in spec.sources and event.to_state == (
            spec.target or event.from_state
        )
    provider = Provider.objects.get(pk=provider.pk)
    chain = list(ProviderEvent.objects.filter(provider=provider).order_by("id"))
    state = State.REGISTERED
    for event in chain:
        assert event.from_state == state
        state = event.to_state
    assert provider.state == state
    # Settlement-relevant clocks are set exactly in the states that need them.
    assert (provider.suspended_on is not None) == (
        provider.state in (State.SUSPENDED, State.RESUME_REVIEW)
    )

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import acting_as
from providers import selectors as sel
from providers.choices import State, ViolationAction, ViolationKind
from providers.models import Violation
from providers.services import assessment as asm
from providers.services import violations as vio
from providers.services.handling import NOT_THE_HANDLING_AGENCY
from providers.services.lifecycle import transition
from tests.actors import SETUP
from tests.providers.factories import make_provider
from tests.providers.helpers import walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def performing(county_a, clerk_a, templates):
    return walk(make_provider(county_a), clerk_a)


def test_it_settles_only_a_provider_in_performance_under_an_agreement(performing, clerk_a):
    code = performing.national_code
    assert not sel.provider_is_settleable(
        provider_code=code, on=date(2026, 2, 28)
    )  # published only
    assert sel.provider_is_settleable(provider_code=code, on=date(2026, 3, 1))
    transition(
        provider_id=performing.pk,
        action="suspend",
        actor=clerk_a,
        on=date(2026, 5, 1),
        reason="违约",
    )
    assert sel.provider_is_settleable(
        provider_code=code, on=date(2026, 4, 30)
    )  # before: still settled
    assert not sel.provider_is_settleable(provider_code=code, on=date(2026, 5, 1))
    assert not sel.provider_is_settleable(provider_code="H32090299999", on=date(2026, 5, 1))


def test_it_settles_city_wide_whoever_asks(performing, clerk_b):
    # Mutual recognition: 盐都区's settlement may settle a 亭湖区 provider.
    with acting_as(clerk_b):
        assert sel.provider_is_settleable(
            provider_code=performing.national_code, on=date(2026, 3, 2)
        )


def test_it_stops_settling_after_the_term(performing):
    assert not sel.provider_is_settleable(
        provider_code=performing.national_code, on=date(2027, 3, 1)
    )


def _violation(provider, actor, **kw):
    spec = vio.ViolationSpec(
        kind=ViolationKind.OVERCHARGE,
        found_on=date(2026, 4, 10),
        finding="超标准收费",
        recover_fen=12345,
        deduct_fen=50000,
        deduction_month=date(2026, 5, 17),
        **kw,
    )
    return vio.violation_record(actor=actor, provider_id=provider.pk, spec=spec)


def test_it_hands_the_months_deductions_to_settlement(performing, clerk_a):
    _violation(performing, clerk_a)
    _violation(performing, clerk_a)
    found = sel.deductions_for(provider_id=performing.pk, month=date(2026, 5, 1))
    assert (found.total_fen, found.recover_fen, len(found.violation_ids)) == (100000, 24690, 2)
    assert sel.deductions_for(provider_id=performing.pk, month=date(2026, 4, 1)).total_fen == 0


def test_it_suspends_through_the_lifecycle_for_a_violation(performing, clerk_a):
    _violation(performing, clerk_a, action=ViolationAction.SUSPEND)
    performing.refresh_from_db()
    assert performing.state == State.SUSPENDED and performing.suspended_on == date(2026, 4, 10)


def test_it_refuses_a_deduction_before_the_finding(performing, clerk_a):
    spec = vio.ViolationSpec(
        kind=ViolationKind.SWAP,
        found_on=date(2026, 4, 10),
        finding="串换",
        recover_fen=0,
        deduct_fen=1,
        deduction_month=date(2026, 3, 1),
    )
    with pytest.raises(BusinessRuleError) as err:
        vio.violation_record(actor=clerk_a, provider_id=performing.pk, spec=spec)
    assert err.value.message == vio.DEDUCT_MONTH_EARLY
    assert not Violation.objects.exists()


def test_it_weighs_the_annual_assessment(performing, clerk_a, assessment_template):
    result = asm.assessment_enter(
        actor=clerk_a,
        provider_id=performing.pk,
        year=2026,
        scores={"A1": Decimal("90"), "A2": Decimal("85.5"), "A3": Decimal("70")},
    )
    assert result.total == Decimal("81.75")  # 18 + 42.75 + 21
    assert sel.deposit_release_ratio(provider_id=performing.pk, year=2026) == Decimal("0.8")
    assert sel.deposit_release_ratio(provider_id=performing.pk, year=2025) is None
    asm.assessment_enter(
        actor=clerk_a,
        provider_id=performing.pk,
        year=2026,
        scores={"A1": Decimal("50"), "A2": Decimal("50"), "A3": Decimal("50")},
    )
    assert sel.deposit_release_ratio(provider_id=performing.pk, year=2026) == Decimal("0")


def test_it_wants_weights_that_sum_to_100(db):
    with pytest.raises(BusinessRuleError) as err:
        asm.assessment_template_create(
            name="x",
            from_year=2030,
            indicators=[("A", "a", 60), ("B", "b", 30)],
            bands=[],
            actor=SETUP,
        )
    assert err.value.message == asm.WEIGHTS_NOT_100


def test_it_wants_every_indicator_scored_by_the_handling_agency(
    performing, clerk_a, city_agent, assessment_template
):
    with pytest.raises(BusinessRuleError) as err:
        asm.assessment_enter(
            actor=clerk_a, provider_id=performing.pk, year=2026, scores={"A1": Decimal(1)}
        )
    assert err.value.message == asm.MISSING_SCORES
    with pytest.raises(BusinessRuleError) as err:
        asm.assessment_enter(
            actor=city_agent,
            provider_id=performing.pk,
            year=2026,
            scores={"A1": Decimal(1), "A2": Decimal(1), "A3": Decimal(1)},
        )
    assert err.value.message == NOT_THE_HANDLING_AGENCY


def test_it_lists_deadlines_in_the_users_scope(county_a, county_b, clerk_a, clerk_b):
    p = walk(
        make_provider(county_a),
        clerk_a,
        [("apply", date(2026, 1, 5), {}), ("accept", date(2026, 1, 6), {})],
    )
    found = sel.deadlines(on=date(2026, 3, 20))
    assert [(d.provider.pk, d.kind, d.due) for d in found] == [
        (p.pk, "evaluation", date(2026, 4, 6))
    ]
    assert sel.deadlines(on=date(2026, 2, 1)) == []  # more than 30 days left
    with acting_as(clerk_b):
        assert sel.deadline_counts(on=date(2026, 3, 20))["evaluation"] == 0
    with acting_as(clerk_a):
        assert sel.deadline_counts(on=date(2026, 3, 20))["evaluation"] == 1


def test_it_warns_of_suspensions_and_agreements_ending(performing, clerk_a):
    transition(
        provider_id=performing.pk, action="suspend", actor=clerk_a, on=date(2026, 4, 1), reason="x"
    )
    kinds = {d.kind: d.due for d in sel.deadlines(on=date(2026, 9, 1))}
    assert kinds == {"suspension": date(2026, 9, 28)}
    transition(provider_id=performing.pk, action="apply_resume", actor=clerk_a, on=date(2026, 9, 1))
    transition(provider_id=performing.pk, action="resume", actor=clerk_a, on=date(2026, 9, 2))
    assert {d.kind for d in sel.deadlines(on=date(2026, 12, 1))} == {"agreement"}


def test_it_publishes_designated_providers_city_wide_with_public_facts(
    performing, county_b, clerk_b
):
    make_provider(county_b, "未定点")
    with acting_as(clerk_b):
        rows = sel.public_designated_list()
    assert [r["national_code"] for r in rows] == [performing.national_code]
    assert "credit_code" not in rows[0]


def test_it_counts_what_it_lists(performing, county_a, clerk_a):
    walk(
        make_provider(county_a),
        clerk_a,
        [("apply", date(2026, 1, 5), {}), ("accept", date(2026, 1, 6), {})],
    )
    suspended = walk(make_provider(county_a), clerk_a)
    transition(
        provider_id=suspended.pk, action="suspend", actor=clerk_a, on=date(2026, 3, 5), reason="x"
    )
    transition(provider_id=suspended.pk, action="apply_resume", actor=clerk_a, on=date(2026, 3, 6))
    for on in (date(2026, 3, 20), date(2026, 8, 20), date(2026, 12, 20)):
        listed: dict[str, int] = {}
        for d in sel.deadlines(on=on):
            listed[d.kind] = listed.get(d.kind, 0) + 1
        counts = sel.deadline_counts(on=on)
        assert {k: v for k, v in counts.items() if v} == listed, on

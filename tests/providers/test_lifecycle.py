from __future__ import annotations

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import SUSPENSIONS_JOB
from pooling.kernel.scoping import acting_as
from providers.choices import Initiator, Ownership, State
from providers.models import Agreement, AgreementTemplate, Provider, ProviderEvent
from providers.services import agreements as agr
from providers.services import lifecycle as lc
from providers.services.handling import NOT_THE_HANDLING_AGENCY
from providers.tasks import expire_suspensions
from tests.providers.factories import make_provider, make_template
from tests.providers.helpers import walk

pytestmark = pytest.mark.django_db
T = lc.transition


def refused(message, **kwargs):
    with pytest.raises(BusinessRuleError) as err:
        T(**kwargs)
    assert err.value.message == message, err.value.text()
    return err.value


@pytest.fixture
def performing(county_a, clerk_a, templates):
    return walk(make_provider(county_a), clerk_a)


def test_it_carries_an_application_to_performance_and_audits_each_step(performing, clerk_a):
    assert performing.state == State.PERFORMING
    events = list(
        ProviderEvent.objects.filter(provider=performing).values_list(
            "from_state", "to_state", "created_by"
        )
    )
    assert events == [
        (State.REGISTERED, State.APPLIED, clerk_a.pk),
        (State.APPLIED, State.EVALUATING, clerk_a.pk),
        (State.EVALUATING, State.NEGOTIATING, clerk_a.pk),
        (State.NEGOTIATING, State.SIGNED, clerk_a.pk),
        (State.SIGNED, State.PUBLISHED, clerk_a.pk),
        (State.PUBLISHED, State.PERFORMING, clerk_a.pk),
    ]
    assert performing.filed_on == date(2026, 2, 16)  # 备案 with the city on publication


def test_it_records_template_version_term_and_signatories(performing, templates):
    agreement = Agreement.objects.get(provider=performing)
    assert agreement.template == templates["hospital"]
    assert (agreement.term_start, agreement.term_end) == (date(2026, 3, 1), date(2027, 2, 28))
    assert (agreement.agency_signatory, agreement.provider_signatory) == ("陈静", "张院长")


def test_it_signs_on_the_latest_template_version(county_a, clerk_a, city_agent, templates):
    v2 = agr.template_publish(
        actor=city_agent,
        provider_kind="hospital",
        title="第二版",
        body="…",
        effective_from=date(2026, 1, 1),
    )
    assert v2.version == 2
    provider = walk(make_provider(county_a), clerk_a)
    assert Agreement.objects.get(provider=provider).template == v2


def test_it_lets_only_the_city_maintain_templates(clerk_a, templates):
    with pytest.raises(PermissionDenied, match="发布全市统一协议范本"):
        agr.template_publish(
            actor=clerk_a,
            provider_kind="hospital",
            title="x",
            body="x",
            effective_from=date(2026, 1, 1),
        )
    assert AgreementTemplate.objects.filter(provider_kind="hospital").count() == 1


def test_it_renews_once_from_the_day_after_the_term(performing, clerk_a):
    T(
        provider_id=performing.pk,
        action="renew",
        actor=clerk_a,
        on=date(2026, 12, 1),
        params={"agency_signatory": "陈静", "provider_signatory": "张院长"},
    )
    renewal = Agreement.objects.get(renewal_of__provider=performing)
    assert (renewal.term_start, renewal.term_end) == (date(2027, 3, 1), date(2028, 2, 29))
    refused(
        agr.ALREADY_RENEWED,
        provider_id=performing.pk,
        action="renew",
        actor=clerk_a,
        on=date(2026, 12, 2),
        params={"agency_signatory": "a", "provider_signatory": "b"},
    )


def test_it_refuses_an_action_from_the_wrong_state(county_a, clerk_a, templates):
    provider = make_provider(county_a)
    err = refused(lc.WRONG_STATE, provider_id=provider.pk, action="sign", actor=clerk_a)
    assert "协商谈判中" in err.text()


def test_it_refuses_an_applicant_open_less_than_three_months(county_a, clerk_a):
    provider = make_provider(county_a, opened_on=date(2025, 11, 1))
    refused(
        lc.OPERATED_TOO_SHORT,
        provider_id=provider.pk,
        action="apply",
        actor=clerk_a,
        on=date(2026, 1, 31),
    )
    assert (
        T(provider_id=provider.pk, action="apply", actor=clerk_a, on=date(2026, 2, 1)).state
        == State.APPLIED
    )


def test_it_refuses_an_applicant_terminated_in_the_last_three_years(performing, clerk_a):
    T(
        provider_id=performing.pk,
        action="terminate",
        actor=clerk_a,
        on=date(2026, 4, 1),
        reason="违约",
    )
    refused(
        lc.TERMINATED_RECENTLY,
        provider_id=performing.pk,
        action="apply",
        actor=clerk_a,
        on=date(2029, 3, 31),
    )
    assert (
        T(provider_id=performing.pk, action="apply", actor=clerk_a, on=date(2029, 4, 1)).state
        == State.APPLIED
    )


def test_it_receives_applications_at_the_handling_agency_only(county_a, city_agent):
    provider = make_provider(county_a)
    refused(NOT_THE_HANDLING_AGENCY, provider_id=provider.pk, action="apply", actor=city_agent)


def test_it_keeps_another_countys_provider_out_of_reach(county_a, clerk_b):
    provider = make_provider(county_a)
    with acting_as(clerk_b), pytest.raises(Provider.DoesNotExist):
        T(provider_id=provider.pk, action="apply", actor=clerk_b)


def test_it_refuses_roles_that_do_not_manage_providers(county_a, finance):
    provider = make_provider(county_a)
    with pytest.raises(PermissionDenied, match="定点协议办理"):
        T(provider_id=provider.pk, action="apply", actor=finance)
    provider.refresh_from_db()
    assert provider.state == State.REGISTERED


def _accepted(county_a, clerk_a):
    return walk(
        make_provider(county_a),
        clerk_a,
        [("apply", date(2026, 1, 5), {}), ("accept", date(2026, 1, 6), {})],
    )


def test_it_requires_evaluation_within_three_months_of_acceptance(county_a, clerk_a):
    provider = _accepted(county_a, clerk_a)
    assert lc.evaluation_due(provider) == date(2026, 4, 6)
    refused(
        lc.EVALUATION_LATE,
        provider_id=provider.pk,
        action="evaluate_pass",
        actor=clerk_a,
        on=date(2026, 4, 7),
    )
    late = T(
        provider_id=provider.pk,
        action="evaluate_pass",
        actor=clerk_a,
        on=date(2026, 4, 7),
        reason="专家评审延期",
    )
    assert late.state == State.NEGOTIATING


def test_it_does_not_count_time_spent_supplying_documents(county_a, clerk_a):
    provider = _accepted(county_a, clerk_a)
    provider = walk(
        provider,
        clerk_a,
        [
            ("request_documents", date(2026, 2, 1), {}),
            ("documents_received", date(2026, 2, 21), {}),
        ],
        reason="缺执业许可证",
    )
    assert provider.paused_days == 20
    assert lc.evaluation_due(provider) == date(2026, 4, 26)
    assert (
        T(
            provider_id=provider.pk, action="evaluate_pass", actor=clerk_a, on=date(2026, 4, 26)
        ).state
        == State.NEGOTIATING
    )


def test_it_refuses_a_public_hospital_asking_to_suspend_or_end(county_a, clerk_a, templates):
    provider = walk(make_provider(county_a, ownership=Ownership.PUBLIC), clerk_a)
    ask = {"initiator": Initiator.PROVIDER, "requested_on": date(2026, 3, 2)}
    for action in ("suspend", "terminate"):
        refused(
            lc.PUBLIC_HOSPITAL_MAY_NOT_ASK,
            provider_id=provider.pk,
            action=action,
            actor=clerk_a,
            on=date(2026, 7, 1),
            reason="院方申请",
            params=ask,
        )
    # The agency may still suspend a public hospital (e.g. for a violation).
    assert (
        T(
            provider_id=provider.pk,
            action="suspend",
            actor=clerk_a,
            on=date(2026, 7, 1),
            reason="违约",
        ).state
        == State.SUSPENDED
    )


def test_it_wants_three_months_notice_from_a_provider(performing, clerk_a):
    ask = {"initiator": Initiator.PROVIDER, "requested_on": date(2026, 4, 2)}
    refused(
        lc.NOTICE_TOO_SHORT,
        provider_id=performing.pk,
        action="suspend",
        actor=clerk_a,
        on=date(2026, 7, 1),
        reason="装修",
        params=ask,
    )
    assert (
        T(
            provider_id=performing.pk,
            action="suspend",
            actor=clerk_a,
            on=date(2026, 7, 2),
            reason="装修",
            params=ask,
        ).state
        == State.SUSPENDED
    )


def test_it_wants_notice_before_the_term_ends_not_to_renew(performing, clerk_a):
    ask = {"initiator": Initiator.PROVIDER, "requested_on": date(2026, 12, 1)}
    refused(
        lc.NOT_RENEW_AFTER_TERM,
        provider_id=performing.pk,
        action="not_renew",
        actor=clerk_a,
        on=date(2027, 2, 28),
        params=ask,
    )
    refused(
        lc.NOTICE_TOO_SHORT,
        provider_id=performing.pk,
        action="not_renew",
        actor=clerk_a,
        on=date(2027, 3, 1),
        params=ask,
    )
    ask["requested_on"] = date(2026, 11, 28)
    assert (
        T(
            provider_id=performing.pk,
            action="not_renew",
            actor=clerk_a,
            on=date(2027, 3, 1),
            params=ask,
        ).state
        == State.EXPIRED
    )


def _suspended(provider, clerk, on=date(2026, 4, 1)):
    return T(provider_id=provider.pk, action="suspend", actor=clerk, on=on, reason="违规收费")


def test_it_ends_a_suspension_after_180_days_unless_resumed(performing, clerk_a):
    _suspended(performing, clerk_a)
    assert lc.suspensions_expire(on=date(2026, 9, 28), actor=SUSPENSIONS_JOB) == []  # day 180
    refused(
        lc.SUSPENSION_NOT_OVER,
        provider_id=performing.pk,
        action="expire_suspension",
        actor=SUSPENSIONS_JOB,
        on=date(2026, 9, 28),
    )
    assert expire_suspensions.delay("2026-09-29").get() == [
        performing.pk
    ]  # the daily task, as its job
    performing.refresh_from_db()
    assert performing.state == State.TERMINATED
    assert Agreement.objects.get(provider=performing).ended_on == date(2026, 9, 29)
    event = performing.events.get(action="expire_suspension")
    assert event.created_by is None and event.data["system_actor"] == "providers.expire_suspensions"
    entry = LogEntry.objects.get_for_object(performing).latest("timestamp")
    assert (
        entry.actor is None
        and entry.additional_data["system_actor"] == "providers.expire_suspensions"
    )
    assert lc.suspensions_expire(on=date(2026, 9, 30), actor=SUSPENSIONS_JOB) == []


def test_it_refuses_to_resume_after_180_days(performing, clerk_a):
    _suspended(performing, clerk_a)
    T(provider_id=performing.pk, action="apply_resume", actor=clerk_a, on=date(2026, 9, 20))
    refused(
        lc.SUSPENSION_OVER,
        provider_id=performing.pk,
        action="resume",
        actor=clerk_a,
        on=date(2026, 9, 29),
        reason="逾期审核",
    )


def test_it_reviews_a_resumption_within_ten_working_days(performing, clerk_a):
    _suspended(performing, clerk_a)
    # Applied on Friday 2026-05-01: ten working days later is Friday 2026-05-15.
    provider = T(
        provider_id=performing.pk, action="apply_resume", actor=clerk_a, on=date(2026, 5, 1)
    )
    assert lc.resume_review_due(provider) == date(2026, 5, 15)
    refused(
        lc.RESUME_REVIEW_LATE,
        provider_id=performing.pk,
        action="resume",
        actor=clerk_a,
        on=date(2026, 5, 18),
    )
    assert (
        T(provider_id=performing.pk, action="resume", actor=clerk_a, on=date(2026, 5, 15)).state
        == State.PERFORMING
    )


def test_it_refuses_a_date_before_the_last_step(performing, clerk_a):
    refused(
        lc.DATE_BEFORE_LAST,
        provider_id=performing.pk,
        action="suspend",
        actor=clerk_a,
        on=date(2026, 2, 1),
        reason="x",
    )


def test_it_wants_a_reason_to_suspend(performing, clerk_a):
    refused(
        lc.REASON_REQUIRED,
        provider_id=performing.pk,
        action="suspend",
        actor=clerk_a,
        on=date(2026, 4, 1),
    )


def test_it_records_a_change_with_old_and_new_values(performing, clerk_a):
    T(
        provider_id=performing.pk,
        action="change",
        actor=clerk_a,
        on=date(2026, 5, 1),
        reason="搬迁",
        params={"changes": {"address": "新址路8号", "national_code": "H32090299999"}},
    )
    performing.refresh_from_db()
    assert performing.address == "新址路8号" and performing.national_code != "H32090299999"
    event = ProviderEvent.objects.filter(provider=performing).last()
    assert event.data["changes"]["address"][1] == "新址路8号"


def test_it_has_no_template_yet(county_a, clerk_a):
    provider = walk(
        make_provider(county_a),
        clerk_a,
        [
            ("apply", date(2026, 1, 5), {}),
            ("accept", date(2026, 1, 6), {}),
            ("evaluate_pass", date(2026, 2, 2), {}),
        ],
    )
    make_template(effective_from=date(2027, 1, 1))
    refused(
        agr.NO_TEMPLATE,
        provider_id=provider.pk,
        action="sign",
        actor=clerk_a,
        on=date(2026, 2, 3),
        params={"agency_signatory": "a", "provider_signatory": "b"},
    )


def test_it_lists_the_actions_the_table_allows(performing):
    actions = {t.action for t in lc.available_actions(performing)}
    assert {"suspend", "terminate", "renew", "change", "not_renew"} == actions
    assert date.today() - timedelta(days=1) < date.today()


def test_it_runs_the_daily_expiry_task_idempotently(performing, clerk_a):
    from providers.tasks import expire_suspensions

    _suspended(performing, clerk_a)
    assert expire_suspensions("2026-09-29") == [performing.pk]
    assert expire_suspensions("2026-09-29") == []

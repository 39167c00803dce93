"""The per-process lookup memo (settlement/services/memo.py): off by default; with a TTL it
reuses an answer, and a change made in this process is seen at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.test.utils import CaptureQueriesContext

from providers.choices import State
from providers.models import ProviderEvent
from settlement.services import memo

ON = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _empty_memo():
    memo.forget()
    yield
    memo.forget()


def _queries(fn) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as seen:
        fn()
    return len(seen.captured_queries)


def test_off_by_default_every_lookup_reads(hospital, settings):
    assert settings.HSA_LOOKUP_TTL_SECONDS == 0
    assert memo.settleable(provider_code=hospital.national_code, on=ON) is True
    assert _queries(lambda: memo.settleable(provider_code=hospital.national_code, on=ON)) == 1


def test_with_a_ttl_the_answer_is_reused(hospital, demo_policy, settings):
    settings.HSA_LOOKUP_TTL_SECONDS = 30
    assert memo.settleable(provider_code=hospital.national_code, on=ON) is True
    first = memo.policy(on=ON)
    assert _queries(lambda: memo.settleable(provider_code=hospital.national_code, on=ON)) == 0
    assert _queries(lambda: memo.policy(on=ON)) == 0
    assert memo.policy(on=ON) is first
    # Another date is another question.
    assert memo.settleable(provider_code=hospital.national_code, on=date(2024, 6, 1)) is False


def test_a_suspension_recorded_in_this_process_is_seen_at_once(hospital, settings):
    settings.HSA_LOOKUP_TTL_SECONDS = 30
    assert memo.settleable(provider_code=hospital.national_code, on=ON) is True
    ProviderEvent.objects.create(
        provider=hospital,
        action="suspend",
        from_state=State.PERFORMING,
        to_state=State.SUSPENDED,
        effective_on=date(2026, 3, 1),
        reason="违规暂停",
    )
    assert memo.settleable(provider_code=hospital.national_code, on=ON) is False


def test_credential_and_sign_in_are_remembered_and_a_revocation_or_sign_out_here_is_seen_at_once(
    hospital, city_agent, settings
):
    from settlement.services.credentials import (
        credential_authenticate,
        credential_issue,
        credential_revoke,
        sign_in,
        sign_out,
        signed_in,
    )

    settings.HSA_LOOKUP_TTL_SECONDS = 30
    issued = credential_issue(provider=hospital, label="HIS", actor=city_agent)
    assert credential_authenticate(token=issued.token) == issued.credential
    assert _queries(lambda: credential_authenticate(token=issued.token)) == 0
    # The memo holds the row, not the secret's verdict: a wrong secret is still refused.
    assert credential_authenticate(token=issued.credential.key_id + ".wrong") is None
    record = sign_in(credential=issued.credential, opter_no="001")
    assert signed_in(provider_id=hospital.pk, sign_no=record.sign_no) is True
    assert _queries(lambda: signed_in(provider_id=hospital.pk, sign_no=record.sign_no)) == 0
    # A refusal is not remembered: it is asked again each time.
    assert _queries(lambda: signed_in(provider_id=hospital.pk, sign_no="X")) == 1
    assert _queries(lambda: signed_in(provider_id=hospital.pk, sign_no="X")) == 1
    sign_out(provider_id=hospital.pk, sign_no=record.sign_no)
    assert signed_in(provider_id=hospital.pk, sign_no=record.sign_no) is False
    credential_revoke(credential=issued.credential, reason="密钥泄露", actor=city_agent)
    assert credential_authenticate(token=issued.token) is None

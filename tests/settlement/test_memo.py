"""The per-process lookup memo (settlement/services/memo.py): on by default for 5 s (tests turn it
off, tests/conftest.py); with a TTL it reuses an answer, a change made in this process is seen at
once, and one made in another process after at most the TTL."""

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


def test_production_default_is_five_seconds(monkeypatch):
    import importlib

    import pooling.settings

    monkeypatch.delenv("HSA_LOOKUP_TTL_SECONDS", raising=False)
    fresh = importlib.reload(pooling.settings)
    try:
        assert fresh.HSA_LOOKUP_TTL_SECONDS == 5
    finally:
        importlib.reload(pooling.settings)


def test_off_every_lookup_reads(hospital, settings):
    assert settings.HSA_LOOKUP_TTL_SECONDS == 0  # tests/conftest.py
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


def test_a_revocation_or_sign_out_made_in_another_process_stops_the_key_within_the_ttl(
    hospital, city_agent, settings, monkeypatch
):
    """Another process's change sends no signal here: written with update(), as that process's
    commit looks from this one. The memo answers from before it until its entry expires."""
    from settlement.models import Credential, CredentialStatus, SignIn
    from settlement.services.credentials import (
        credential_authenticate,
        credential_issue,
        sign_in,
        signed_in,
    )

    settings.HSA_LOOKUP_TTL_SECONDS = 5
    clock = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    issued = credential_issue(provider=hospital, label="HIS", actor=city_agent)
    record = sign_in(credential=issued.credential, opter_no="001")
    assert credential_authenticate(token=issued.token) == issued.credential
    assert signed_in(provider_id=hospital.pk, sign_no=record.sign_no) is True

    Credential.objects.filter(pk=issued.credential.pk).update(status=CredentialStatus.REVOKED)
    SignIn.objects.filter(pk=record.pk).update(signed_out_at=record.signed_in_at)
    clock[0] += 4.9  # within the TTL: still the remembered answer
    assert credential_authenticate(token=issued.token) == issued.credential
    assert signed_in(provider_id=hospital.pk, sign_no=record.sign_no) is True
    clock[0] += 0.2  # 5.1 s after the lookup: the bound
    assert credential_authenticate(token=issued.token) is None
    assert signed_in(provider_id=hospital.pk, sign_no=record.sign_no) is False

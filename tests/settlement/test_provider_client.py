"""`manage.py provider_client` (issue 12, 10. "a real client"): a provider's system signing in and
settling over HTTP against a running server, and its refusals said as errors, not tracebacks."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from pooling.kernel.scoping import unrestricted
from settlement.models import Credential, Settlement

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_settles_visits_over_http_with_a_credential_it_had_issued(
    live_server, hospital, people, demo_policy, clerk_a
):
    out = io.StringIO()
    call_command(
        "provider_client",
        "--url",
        live_server.url,
        "--provider",
        hospital.national_code,
        "--issue-by",
        clerk_a.username,  # 亭湖区's clerk manages this 亭湖区 hospital
        "--visits",
        "6",
        "--threads",
        "2",
        stdout=out,
    )
    assert "settled 6, refused 0" in out.getvalue()
    with unrestricted():
        assert Settlement.objects.filter(provider=hospital, kind="settle").count() == 6
        assert Credential.objects.filter(provider=hospital, label="provider_client").count() == 1


def test_it_refuses_an_issuer_without_the_capability_and_an_unknown_provider(
    hospital, people, auditor
):
    with pytest.raises(CommandError, match="auditor 不能为 .* 签发密钥"):
        call_command(
            "provider_client", "--provider", hospital.national_code, "--issue-by", "auditor"
        )
    with pytest.raises(CommandError, match="unknown provider"):
        call_command("provider_client", "--provider", "H00000000000", "--issue-by", "auditor")
    with unrestricted():
        assert not Credential.objects.filter(provider=hospital).exists()

"""Providers' system credentials (接口密钥) and daily sign-ins (9001/9002).

Issued, rotated and revoked by the handling agency that manages the provider (county
scoping keeps a clerk to the providers of their own unit); every change is audited. The
secret is 256 random bits shown once; only its SHA-256 digest is kept. A rotated key keeps
working for a grace period so a provider can switch without downtime.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.kernel.scoping import unrestricted
from providers.models import Provider
from settlement.models import Credential, CredentialStatus, SignIn
from settlement.services import memo

NOT_ACTIVE = _("该接口密钥已吊销")
REASON_REQUIRED = _("请填写吊销原因")
ALREADY_SIGNED_OUT = _("签到编号 %(sign_no)s 已签退")


@dataclass(frozen=True)
class Issued:
    credential: Credential
    token: str  # shown once: "<key_id>.<secret>"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def credential_issue(
    *, provider: Provider, label: str, actor: Actor, replaces: Credential | None = None
) -> Issued:
    """A new key for the provider's system, by its handling agency. The token is returned once and never stored."""
    require(actor, "provider.credentials", county=provider.handling_region_id)
    key_id = "K" + secrets.token_hex(8).upper()
    secret = secrets.token_urlsafe(32)
    credential = Credential(
        provider=provider,
        key_id=key_id,
        secret_sha256=_digest(secret),
        label=label.strip(),
        issued_by=staff_user(actor),
        replaces=replaces,
    )
    credential.full_clean(exclude=["replaces"])
    credential.save()
    return Issued(credential=credential, token=f"{key_id}.{secret}")


@transaction.atomic
def credential_rotate(*, credential: Credential, actor: Actor) -> Issued:
    """Issue a successor; the old key keeps working for `HSA_ROTATION_GRACE_HOURS`, then stops."""
    require(actor, "provider.credentials", county=credential.provider.handling_region_id)
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if credential.status != CredentialStatus.ACTIVE:
        raise BusinessRuleError(NOT_ACTIVE, code="revoked")
    return credential_issue(
        provider=credential.provider, label=credential.label, actor=actor, replaces=credential
    )


@transaction.atomic
def credential_revoke(*, credential: Credential, reason: str, actor: Actor) -> Credential:
    """Stop a key at once (a leaked token): its system can no longer settle."""
    require(actor, "provider.credentials", county=credential.provider.handling_region_id)
    if not reason.strip():
        raise BusinessRuleError(REASON_REQUIRED, code="reason", field="reason")
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if credential.status != CredentialStatus.ACTIVE:
        raise BusinessRuleError(NOT_ACTIVE, code="revoked")
    credential.status, credential.revoked_at, credential.revoked_by = (
        CredentialStatus.REVOKED,
        timezone.now(),
        staff_user(actor),
    )
    credential.revoke_reason = reason.strip()[:200]
    credential.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
    # Its sign-ins end with it: a sign_no taken with a leaked key is not a session the provider's
    # next key may carry on (the save above clears this process's memo; others' within the TTL).
    SignIn.objects.filter(credential=credential, signed_out_at__isnull=True).update(
        signed_out_at=credential.revoked_at
    )
    return credential


def credential_authenticate(*, token: str) -> Credential | None:
    """The active credential a bearer token names, or None (constant-time comparison of digests)."""
    key_id, _sep, secret = token.strip().partition(".")
    if not key_id or not secret or len(token) > 200:
        return None
    credential = memo.remembered_if(
        ("credential", key_id), lambda: _active(key_id), lambda found: found is not None
    )
    if credential is None or not hmac.compare_digest(credential.secret_sha256, _digest(secret)):
        return None
    successor = getattr(credential, "replaced_by", None)
    grace = timedelta(hours=settings.HSA_ROTATION_GRACE_HOURS)
    if successor is not None and successor.issued_at + grace < timezone.now():
        return None
    return credential


def _active(key_id: str) -> Credential | None:
    with unrestricted():
        return (
            Credential.objects.select_related("provider", "replaced_by")
            .filter(key_id=key_id, status=CredentialStatus.ACTIVE)
            .first()
        )


@transaction.atomic
def sign_in(*, credential: Credential, opter_no: str, mac: str = "", ip: str = "") -> SignIn:
    """9001: a sign_no valid for today until 9002."""
    now = timezone.now()
    record = SignIn(
        provider_id=credential.provider_id,
        credential=credential,
        sign_no=f"{timezone.localtime(now):%Y%m%d}{secrets.token_hex(6).upper()}",
        day=timezone.localdate(),
        opter_no=opter_no,
        mac=mac,
        ip=ip,
        signed_in_at=now,
    )
    record.save()
    return record


@transaction.atomic
def sign_out(*, provider_id: int, sign_no: str) -> SignIn:
    record = (
        SignIn.objects.select_for_update().filter(provider_id=provider_id, sign_no=sign_no).first()
    )
    if record is None or record.signed_out_at is not None:
        raise BusinessRuleError(
            ALREADY_SIGNED_OUT, code="signed_out", field="sign_no", params={"sign_no": sign_no}
        )
    record.signed_out_at = timezone.now()
    record.save(update_fields=["signed_out_at"])
    return record


def signed_in(*, provider_id: int, sign_no: str) -> bool:
    """Is this sign_no the provider's, from today, and not signed out? (A yes is remembered for the
    lookup TTL; the day is part of the key, so yesterday's sign_no stops at midnight regardless.)"""
    today = timezone.localdate()
    return memo.remembered_if(
        ("signed_in", provider_id, sign_no, today),
        lambda: SignIn.objects.filter(
            provider_id=provider_id, sign_no=sign_no, day=today, signed_out_at__isnull=True
        ).exists(),
        bool,
    )

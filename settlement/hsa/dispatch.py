"""infno → transaction, and what every message goes through before and after it.

1. the credential's provider is the envelope's `fixmedins_code`, the `msgid` is the
   provider's and well formed, the `sign_no` is today's (except for 9001);
2. the transaction runs with the provider's scope (`acting_for_provider`), so whatever it
   reads is the provider's own;
3. a transaction that writes claims its `msgid` in the message log first, in the same
   database transaction as its work: a repeat (even a concurrent one, which waits on the
   unique index) gets the stored answer; another payload under the same id is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from pooling.kernel.scoping import acting_for_provider
from providers.models import Provider
from settlement.hsa.envelope import Envelope, check_msgid
from settlement.hsa.errors import (
    MSGID_REUSED,
    NOT_SIGNED_IN,
    UNKNOWN_INFNO,
    WRONG_PROVIDER,
    HsaError,
)
from settlement.models import Credential, Message
from settlement.services.credentials import signed_in


@dataclass(frozen=True)
class Context:
    env: Envelope
    credential: Credential
    provider: Provider

    @property
    def data(self) -> dict[str, Any]:
        return self.env.data

    @property
    def input(self) -> dict[str, Any]:
        return self.env.input


Handler = Callable[[Context], dict[str, Any]]


@dataclass(frozen=True)
class Transaction:
    infno: str
    name: str
    handler: Handler
    writes: bool
    needs_sign_in: bool


TRANSACTIONS: dict[str, Transaction] = {}


def register(infno: str, name: str, *, writes: bool, needs_sign_in: bool = True) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        TRANSACTIONS[infno] = Transaction(infno, name, handler, writes, needs_sign_in)
        return handler

    return decorate


def _load() -> None:
    # The transaction modules register themselves on import.
    from settlement.hsa.transactions import (  # noqa: F401
        inpatient,
        outpatient,
        person,
        queries,
        reconciliation,
        reversal,
        signin,
    )


def handle(env: Envelope, credential: Credential) -> dict[str, Any]:
    """Run one message; returns its `output` (errors are raised as HsaError/BusinessRuleError)."""
    _load()
    provider = credential.provider
    if env.fixmedins_code != provider.national_code:
        raise HsaError(WRONG_PROVIDER, field="fixmedins_code", code="wrong_provider",
                       given=env.fixmedins_code, own=provider.national_code)
    check_msgid(env)
    tx = TRANSACTIONS.get(env.infno)
    if tx is None:
        raise HsaError(UNKNOWN_INFNO, field="infno", code="unknown_infno", value=env.infno)
    context = Context(env=env, credential=credential, provider=provider)
    with acting_for_provider(provider.pk):
        if tx.needs_sign_in and not signed_in(provider_id=provider.pk, sign_no=env.sign_no):
            raise HsaError(NOT_SIGNED_IN, field="sign_no", code="not_signed_in")
        if not tx.writes:
            return tx.handler(context)
        return _once(context, tx)


def _once(context: Context, tx: Transaction) -> dict[str, Any]:
    env = context.env
    digest = env.payload_sha256
    stored = _stored(env, digest)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            # Claim the msgid first: a concurrent repeat waits here until we commit or roll back.
            claim = Message.objects.create(month=env.month, msgid=env.msgid, provider_id=context.provider.pk,
                                           infno=env.infno, payload_sha256=digest, response={},
                                           received_at=timezone.now())
            output = tx.handler(context)
            Message.objects.filter(month=env.month, pk=claim.pk).update(response=output)
            return output
    except IntegrityError:
        stored = _stored(env, digest)
        if stored is None:
            raise
        return stored


def _stored(env: Envelope, digest: str) -> dict[str, Any] | None:
    found = (Message.objects.filter(month=env.month, msgid=env.msgid)
             .values_list("payload_sha256", "response").first())
    if found is None:
        return None
    if found[0] != digest:
        raise HsaError(MSGID_REUSED, field="msgid", code="msgid_reused", msgid=env.msgid)
    return dict(found[1])

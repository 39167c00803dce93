"""infno → transaction, and what every message goes through before and after it.

1. the credential's provider is the envelope's `fixmedins_code`, the `msgid` is the
   provider's and well formed, the `sign_no` is today's (except for 9001);
2. the transaction runs with the provider's scope (`acting_for_provider`), so whatever it
   reads is the provider's own;
3. a transaction that writes claims its `msgid` in the message log first (one INSERT … ON
   CONFLICT DO NOTHING), in the same database transaction as its work: a repeat (even a
   concurrent one, which waits on the unique index) gets the stored answer; another payload
   under the same id is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from pooling.kernel.audit import system_job
from pooling.kernel.permissions import HSA_GATEWAY
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
from settlement.services.txn import whole_message


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


def register(
    infno: str, name: str, *, writes: bool, needs_sign_in: bool = True
) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        TRANSACTIONS[infno] = Transaction(infno, name, handler, writes, needs_sign_in)
        return handler

    return decorate


def _load() -> None:
    # The transaction modules register themselves on import.
    from settlement.hsa.transactions import (  # noqa: F401
        clearing,
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
        raise HsaError(
            WRONG_PROVIDER,
            field="fixmedins_code",
            code="wrong_provider",
            given=env.fixmedins_code,
            own=provider.national_code,
        )
    tx = TRANSACTIONS.get(env.infno)
    stale = _check_msgid(env, replayable=tx is not None and tx.writes)
    if tx is None:
        raise HsaError(UNKNOWN_INFNO, field="infno", code="unknown_infno", value=env.infno)
    context = Context(env=env, credential=credential, provider=provider)
    # Rows scoped to the provider; money moves and audit entries are in the interface's name.
    with acting_for_provider(provider.pk), system_job(HSA_GATEWAY):
        if tx.needs_sign_in and not signed_in(provider_id=provider.pk, sign_no=env.sign_no):
            raise HsaError(NOT_SIGNED_IN, field="sign_no", code="not_signed_in")
        if not tx.writes:
            return tx.handler(context)
        if stale is not None:
            return _replayed(env, stale)
        return _once(context, tx)


def _check_msgid(env: Envelope, *, replayable: bool) -> HsaError | None:
    """`check_msgid`, except that a writing message's id outside the time window is returned, not
    raised: it may be a repeat of a message we answered (then it gets that answer, `_replayed`)."""
    try:
        check_msgid(env)
    except HsaError as exc:
        if exc.code == "msgid_time" and replayable:
            return exc
        raise
    return None


def _replayed(env: Envelope, stale: HsaError) -> dict[str, Any]:
    """A repeat is answered as the first time however late it comes (exactly once); an id outside
    the window we never answered is refused for its time, and nothing is written."""
    stored = _stored(env, env.payload_sha256)
    if stored is None:
        raise stale
    return stored


def _once(context: Context, tx: Transaction) -> dict[str, Any]:
    env = context.env
    digest = env.payload_sha256
    with transaction.atomic(), whole_message():
        # Claim the msgid first, in one statement: a concurrent repeat waits on the unique index
        # until we commit or roll back, then finds the row and gets the stored answer.
        claim = _claim(env, digest, context.provider.pk)
        if claim is None:
            stored = _stored(env, digest)
            if stored is None:  # the row we collided with is gone again: let the client retry
                raise IntegrityError(f"msgid {env.msgid} claimed and released concurrently")
            return stored
        output = tx.handler(context)
        _answered(env, claim, output)
        return output


def _claim(env: Envelope, digest: str, provider_id: int) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None if the msgid is taken."""
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (month, msgid, provider_id, infno, payload_sha256, response, received_at)"
            " VALUES (%s, %s, %s, %s, %s, '{}', %s) ON CONFLICT (msgid, month) DO NOTHING RETURNING id",
            [env.month, env.msgid, provider_id, env.infno, digest, timezone.now()],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _answered(env: Envelope, claim: int, output: dict[str, Any]) -> None:
    """Store the answer on the claimed row: one plain UPDATE by primary key (and partition), written
    by hand like the claim, as it runs on every message; the JSON is adapted as the model field would."""
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET response = %s WHERE month = %s AND id = %s",
            [connection.ops.adapt_json_value(output, None), env.month, claim],
        )


def _stored(env: Envelope, digest: str) -> dict[str, Any] | None:
    found = (
        Message.objects.filter(month=env.month, msgid=env.msgid)
        .values_list("payload_sha256", "response")
        .first()
    )
    if found is None:
        return None
    if found[0] != digest:
        raise HsaError(MSGID_REUSED, field="msgid", code="msgid_reused", msgid=env.msgid)
    return dict(found[1])

"""The message envelope: parse a request, render an answer.

Request: `infno`, `msgid`, `fixmedins_code`, `sign_no`, `opter*`, `inf_time`, … and
`input` (`{"data": {…}}`, some transactions add lists beside `data`). Unknown fields are
ignored. Answer: `infcode` (0 / −1), `inf_refmsgid`, `refmsg_time`, `respond_time`,
`err_msg`, `output`. Amounts leave as JSON numbers with two decimals, written from
Decimal text (never through a float).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from pooling.kernel.errors import BusinessRuleError, bilingual
from pooling.kernel.errors import render as render_message
from pooling.kernel.money import fen_to_yuan
from settlement.hsa import fields, known
from settlement.hsa.body import body_json, kind
from settlement.hsa.errors import (
    BAD_FORMAT,
    MISSING,
    MSGID_PROVIDER,
    MSGID_SHAPE,
    MSGID_TIME,
    NAMED,
    HsaError,
)

MSGID_RE = re.compile(r"^[HP][0-9]{11}[0-9]{14}[0-9]{4}$")
# An amount in an answer is kept as text between two placeholders until `render` writes it as a
# JSON number. The placeholder differs per process, but `render` takes any of that shape (the same
# one on both sides): an answer is stored in the message log as built and replayed to a repeat by
# whichever worker gets it — another process, or this one after a restart.
_TOKEN = "@@" + secrets.token_hex(8) + "@@"
_NUMBER = re.compile(r'"(@@[0-9a-f]{16}@@)(-?[0-9]+\.[0-9]+)\1"')


@dataclass(frozen=True)
class Envelope:
    infno: str
    msgid: str
    fixmedins_code: str
    sign_no: str
    opter: str
    opter_name: str
    mdtrtarea_admvs: str
    input: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        value = self.input.get("data")
        return value if isinstance(value, dict) else {}

    @property
    def payload_sha256(self) -> str:
        """What a msgid stands for: the transaction and its input (not the envelope's clock or sign_no)."""
        body = json.dumps(
            [self.infno, self.input],
            sort_keys=True,
            ensure_ascii=False,
            default=str,
            separators=(",", ":"),
        )
        return hashlib.sha256(body.encode()).hexdigest()

    @property
    def month(self) -> date:
        """The month of the time inside the msgid (its partition in the message log)."""
        return date(int(self.msgid[12:16]), int(self.msgid[16:18]), 1)


# Envelope fields: (name, required, longest). A msgid may be longer than 30 here so that its
# own rule (check_msgid) says what a msgid looks like.
ENVELOPE_FIELDS = (
    ("infno", True, 10),  # four digits; the bench adds W2204/W2207 (bench/_write_floor.py)
    ("msgid", True, 100),
    ("fixmedins_code", True, 30),
    ("sign_no", False, 50),
    ("opter", False, 30),
    ("opter_name", False, 50),
    ("mdtrtarea_admvs", False, 10),
)


def parse(body: bytes) -> Envelope:
    raw = body_json(body)
    payload = raw.get("input")
    if payload is None:
        raise HsaError(MISSING, field="input", code="missing")
    if not isinstance(payload, dict):
        raise HsaError(
            BAD_FORMAT, field="input", code="bad_format", rule="对象", value=kind(payload)
        )
    # `data` is an object wherever a transaction reads it; a list or text there would otherwise
    # read as an empty object and be refused for a field it does contain.
    if payload.get("data") is not None and not isinstance(payload["data"], dict):
        raise HsaError(
            BAD_FORMAT, field="data", code="bad_format", rule="对象", value=kind(payload["data"])
        )
    known.check(payload, infno=raw.get("infno"))
    known.check_envelope(raw)
    values = {
        name: fields.text(raw, name, required=required, max_len=longest)
        for name, required, longest in ENVELOPE_FIELDS
    }
    return Envelope(**values, input=payload)


def check_msgid(env: Envelope) -> None:
    """30 characters: the provider's code, yyyyMMddHHmmss, a 4-digit sequence; time within 7 days."""
    msgid_shape(env.msgid, own=env.fixmedins_code, field="msgid")
    stamp = env.msgid[12:26]
    sent = timezone.make_aware(datetime.strptime(stamp, "%Y%m%d%H%M%S"))
    now = timezone.now()
    if not (now - timedelta(days=7) <= sent <= now + timedelta(days=1)):
        raise HsaError(MSGID_TIME, field="msgid", code="msgid_time", time=stamp)


def msgid_shape(value: str, *, own: str, field: str) -> None:
    """A message id of this provider's: its code, a real yyyyMMddHHmmss, 4 digits (a msgid, or the
    omsgid a reversal names)."""
    if not MSGID_RE.match(value):
        raise HsaError(MSGID_SHAPE, field=field, code="msgid", value=value[:40])
    if not value.startswith(own):
        raise HsaError(MSGID_PROVIDER, field=field, code="msgid_provider", value=value, own=own)
    try:
        datetime.strptime(value[12:26], "%Y%m%d%H%M%S")
    except ValueError:
        raise HsaError(MSGID_SHAPE, field=field, code="msgid", value=value) from None


def money(fen: int) -> str:
    """An amount for the answer: rendered as a JSON number with two decimals."""
    return f"{_TOKEN}{fen_to_yuan(fen)}{_TOKEN}"


def ratio(value: Decimal) -> str:
    return f"{_TOKEN}{value.quantize(Decimal('0.0001'))}{_TOKEN}"


def answer(
    env: Envelope | None, *, output: Any = None, error: BusinessRuleError | None = None
) -> dict[str, Any]:
    now = timezone.localtime()
    body: dict[str, Any] = {
        "infcode": 0 if error is None else -1,
        "inf_refmsgid": f"{settings.POOLING_AREA_CODE}{now:%Y%m%d%H%M%S}{secrets.randbelow(10**10):010d}",
        "refmsg_time": now.strftime("%Y%m%d%H%M%S%f")[:17],
        "respond_time": now.strftime("%Y%m%d%H%M%S%f")[:17],
        "err_msg": "" if error is None else _named(error, "zh-hans"),
        "output": output if error is None else {},
    }
    if error is not None:
        body["err_msg_en"] = _named(error, "en")
        body["err_field"] = error.field or ""
    if env is not None:
        body["msgid"] = env.msgid
        body["infno"] = env.infno
    return body


def _named(error: BusinessRuleError, lang: str) -> str:
    """The error's text, led by the field it is about when the text does not name it already:
    every refusal names its field, whichever layer (interface, service) raised it."""
    if lang == "zh-hans" or error.params:
        text = error.text(lang)
    else:  # a plain-string message is looked up in the catalogue (text() would not translate it)
        text = bilingual(error.message)["en"]
    if error.field and error.field not in text:
        return render_message(NAMED, {"field": error.field, "message": text}, lang)
    return text


def render(body: dict[str, Any]) -> bytes:
    """JSON text with amounts as numbers (see `money`)."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
    return _NUMBER.sub(_amount, text).encode("utf-8")


def _amount(match: re.Match[str]) -> str:
    return match[2]  # a function, not a template: re expands a template in Python on every match

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
from pooling.kernel.money import fen_to_yuan
from settlement.hsa.errors import (
    MALFORMED,
    MISSING,
    MSGID_PROVIDER,
    MSGID_SHAPE,
    MSGID_TIME,
    HsaError,
)

MAX_BODY = 2 * 1024 * 1024
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


def parse(body: bytes) -> Envelope:
    if len(body) > MAX_BODY:
        raise HsaError(MALFORMED, code="malformed", detail=f"报文超过 {MAX_BODY // 1024} KB")
    try:
        raw = json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HsaError(MALFORMED, code="malformed", detail=str(exc)[:100]) from None
    if not isinstance(raw, dict):
        raise HsaError(MALFORMED, code="malformed", detail="顶层应为对象")

    def field(name: str, required: bool = True) -> str:
        value = raw.get(name)
        if value is None or value == "":
            if required:
                raise HsaError(MISSING, field=name, code="missing")
            return ""
        return str(value).strip()[:100]

    payload = raw.get("input")
    if not isinstance(payload, dict):
        raise HsaError(MISSING, field="input", code="missing")
    return Envelope(
        infno=field("infno"),
        msgid=field("msgid"),
        fixmedins_code=field("fixmedins_code"),
        sign_no=field("sign_no", required=False),
        opter=field("opter", required=False),
        opter_name=field("opter_name", required=False),
        mdtrtarea_admvs=field("mdtrtarea_admvs", required=False),
        input=payload,
    )


def check_msgid(env: Envelope) -> None:
    """30 characters: the provider's code, yyyyMMddHHmmss, a 4-digit sequence; time within 7 days."""
    if not MSGID_RE.match(env.msgid):
        raise HsaError(MSGID_SHAPE, field="msgid", code="msgid", value=env.msgid[:40])
    if not env.msgid.startswith(env.fixmedins_code):
        raise HsaError(
            MSGID_PROVIDER,
            field="msgid",
            code="msgid_provider",
            value=env.msgid,
            own=env.fixmedins_code,
        )
    stamp = env.msgid[12:26]
    try:
        sent = timezone.make_aware(datetime.strptime(stamp, "%Y%m%d%H%M%S"))
    except ValueError:
        raise HsaError(MSGID_SHAPE, field="msgid", code="msgid", value=env.msgid) from None
    now = timezone.now()
    if not (now - timedelta(days=7) <= sent <= now + timedelta(days=1)):
        raise HsaError(MSGID_TIME, field="msgid", code="msgid_time", time=stamp)


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
        "err_msg": "" if error is None else error.text("zh-hans"),
        "output": output if error is None else {},
    }
    if error is not None:
        both = bilingual(error.message)
        body["err_msg_en"] = error.text("en") if error.params else both["en"]
        body["err_field"] = error.field or ""
    if env is not None:
        body["msgid"] = env.msgid
        body["infno"] = env.infno
    return body


def render(body: dict[str, Any]) -> bytes:
    """JSON text with amounts as numbers (see `money`)."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
    return _NUMBER.sub(_amount, text).encode("utf-8")


def _amount(match: re.Match[str]) -> str:
    return match[2]  # a function, not a template: re expands a template in Python on every match

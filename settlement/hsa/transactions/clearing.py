"""3203 clearing application for a month (清算申请) and 3204 its cancellation (清算申请撤销).

3203 in (`data`): `clr_type` (required, codes.CLR_TYPES), `setlym` (required, yyyyMM, a month
before the current one), `clr_way` (optional, kept as sent), `psntime` (person-times:
settlements net of cancellations), `medfee_sumamt`, `med_sumfee` (kept as sent, not
compared), `fund_appy_sum` (compared with the settlements' `fund_pay_sumamt`, as this
deployment defines it), `cash_payamt`, `acct_pay` — amounts in yuan, negative allowed as in
3201 (a month with more cancellations than settlements) — and `begndate`/`enddate`
(optional; when given, the month's first and last day).
3203 out: `{"clr_appy_evt_id": "<id>"}` — the application's id, as text; the interface table
we hold names no output field, and this is the name public HIS integrations read.
A figure that differs from ours refuses the application (infcode −1) naming each differing
field with both amounts; nothing is kept.

3204 in (`data`): `clr_appy_evt_id` (required), and, as some HIS systems send them,
`setlym` and `clr_type` (optional: when given, they must be the application's).
3204 out: `{"clr_appy_evt_id": "<id>", "clr_stas": "cancelled"}`.
The rules themselves are in `settlement.services.clearing`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pooling.kernel.dates import month_end
from pooling.kernel.permissions import HSA_GATEWAY
from settlement.hsa import fields
from settlement.hsa.codes import CLR_TYPES
from settlement.hsa.dispatch import Context, register
from settlement.hsa.errors import HsaError
from settlement.services.clearing import (
    FIRST_DAY,
    LAST_DAY,
    WRONG_BOUNDS,
    Stated,
    clearing_apply,
    clearing_cancel,
)

ID_RULE = "本系统签发的清算申请事件ID（数字）"
_ID = re.compile(r"[1-9][0-9]{0,17}")


@register("3203", "医药机构清算申请", writes=True)
def apply(ctx: Context) -> dict[str, Any]:
    data = ctx.data
    clr_type = fields.choice(data, "clr_type", CLR_TYPES)
    month = fields.year_month(data, "setlym")
    assert month is not None
    _bounds(data, month)
    stated = Stated(
        month=month,
        clr_type=clr_type,
        clr_way=fields.text(data, "clr_way", required=False, max_len=30),
        psntime=fields.integer(data, "psntime", minimum=-(10**9)),
        medfee_sumamt=fields.signed_money_fen(data, "medfee_sumamt"),
        med_sumfee=fields.signed_money_fen(data, "med_sumfee", required=False),
        fund_appy_sum=fields.signed_money_fen(data, "fund_appy_sum"),
        acct_pay=fields.signed_money_fen(data, "acct_pay"),
        cash_payamt=fields.signed_money_fen(data, "cash_payamt"),
    )
    row = clearing_apply(
        provider=ctx.provider,
        stated=stated,
        msgid=ctx.env.msgid,
        opter=_opter(ctx),
        actor=HSA_GATEWAY,
    )
    return {"clr_appy_evt_id": row.event_id}


def _bounds(data: dict[str, Any], month: date) -> None:
    for field, expected, which in (
        ("begndate", month, FIRST_DAY),
        ("enddate", month_end(month), LAST_DAY),
    ):
        given = fields.day(data, field, required=False)
        if given is not None and given != expected:
            raise HsaError(
                WRONG_BOUNDS,
                field=field,
                code="clearing_bounds",
                month=f"{month:%Y%m}",
                which=str(which),
                expected=f"{expected:%Y-%m-%d}",
                given=f"{given:%Y-%m-%d}",
            )


@register("3204", "医药机构清算申请撤销", writes=True)
def cancel(ctx: Context) -> dict[str, Any]:
    data = ctx.data
    text = fields.text(data, "clr_appy_evt_id", max_len=30)
    if not _ID.fullmatch(text):
        raise fields.bad("clr_appy_evt_id", ID_RULE, text)
    row = clearing_cancel(
        provider=ctx.provider,
        event_id=int(text),
        month=fields.year_month(data, "setlym", required=False),
        clr_type=fields.choice(data, "clr_type", CLR_TYPES, required=False),
        msgid=ctx.env.msgid,
        opter=_opter(ctx),
        actor=HSA_GATEWAY,
    )
    return {"clr_appy_evt_id": row.event_id, "clr_stas": row.status}


def _opter(ctx: Context) -> str:
    env = ctx.env
    return " ".join(part for part in (env.opter, env.opter_name) if part)[:60]

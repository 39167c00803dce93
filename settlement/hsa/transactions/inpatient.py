"""Inpatient: 2401 admission, 2402 discharge, 2404/2405 their cancellation, 2301/2302 fee details,
2303 pre-settlement, 2304 settlement, 2305 cancellation."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.kernel.permissions import HSA_GATEWAY
from settlement.hsa import fields
from settlement.hsa.dispatch import Context, register
from settlement.hsa.errors import HsaError
from settlement.hsa.people import person_from, psn_no
from settlement.hsa.shapes import settlement_from, visit_from
from settlement.hsa.transactions import common
from settlement.services.reverse import settlement_reverse
from settlement.services.visits import (
    fees_cancel,
    visit_cancel,
    visit_discharge,
    visit_discharge_cancel,
    visit_open,
)

NOT_INPATIENT_TYPE = _(
    "入院办理的医疗类别应为 21 普通住院或 52 生育住院（收到 med_type=%(value)s）"
)


def _block(ctx: Context, name: str) -> dict[str, Any]:
    value = ctx.input.get(name)
    return value if isinstance(value, dict) else ctx.data


@register("2401", "入院办理", writes=True)
def admit(ctx: Context) -> dict[str, Any]:
    data = _block(ctx, "mdtrtinfo")
    person = person_from(data)
    med_type = common.med_type(data, required=False) or "21"
    if med_type not in ("21", "52"):
        raise HsaError(
            NOT_INPATIENT_TYPE, field="med_type", code="not_inpatient_type", value=med_type
        )
    begntime = fields.timestamp(data, "begntime")
    assert begntime is not None
    visit = visit_open(
        provider=ctx.provider,
        person=person,
        insutype=common.insutype(data),
        med_type=med_type,
        begntime=begntime,
        msgid=ctx.env.msgid,
        info=common.visit_info(data, ctx),
    )
    return {
        "result": {
            "mdtrt_id": visit.mdtrt_id,
            "psn_no": psn_no(person),
            "ipt_otp_no": visit.ipt_otp_no,
        }
    }


@register("2402", "出院办理", writes=True)
def discharge(ctx: Context) -> dict[str, Any]:
    data = _block(ctx, "dscginfo")
    visit = visit_from(data)
    common.check_kind(visit, inpatient=True)
    endtime = fields.timestamp(data, "endtime")
    assert endtime is not None
    visit_discharge(visit=visit, endtime=endtime, info=common.visit_info(data, ctx))
    return {}


@register("2404", "入院办理撤销", writes=True)
def cancel_admission(ctx: Context) -> dict[str, Any]:
    visit = visit_from(ctx.data)
    common.check_kind(visit, inpatient=True)
    visit_cancel(visit=visit)
    return {}


@register("2405", "出院办理撤销", writes=True)
def cancel_discharge(ctx: Context) -> dict[str, Any]:
    visit = visit_from(ctx.data)
    common.check_kind(visit, inpatient=True)
    visit_discharge_cancel(visit=visit)
    return {}


@register("2301", "住院费用明细上传", writes=True)
def upload_fees(ctx: Context) -> dict[str, Any]:
    return common.upload_fees(ctx, inpatient=True)


@register("2302", "住院费用明细撤销", writes=True)
def cancel_fees(ctx: Context) -> dict[str, Any]:
    visit = visit_from(ctx.data)
    common.check_kind(visit, inpatient=True)
    fees_cancel(
        visit=visit, feedetl_sn=fields.text(ctx.data, "feedetl_sn", required=False, max_len=30)
    )
    return {}


@register("2303", "住院预结算", writes=False)
def presettle(ctx: Context) -> dict[str, Any]:
    return common.quote(ctx, inpatient=True)


@register("2304", "住院结算", writes=True)
def settle(ctx: Context) -> dict[str, Any]:
    return common.settle(ctx, inpatient=True)


@register("2305", "住院结算撤销", writes=True)
def cancel_settlement(ctx: Context) -> dict[str, Any]:
    row = settlement_from(ctx.data)
    common.check_settlement_kind(row, inpatient=True)
    reversal = settlement_reverse(
        settlement=row,
        reason="住院结算撤销（2305）",
        msgid=ctx.env.msgid,
        operator=ctx.env.opter_name or ctx.env.opter,
        actor=HSA_GATEWAY,
    )
    return common.answer_settlement(reversal, row.person_id)

"""Outpatient and pharmacy: 2201/2202 registration, 2203 visit information, 2204/2205 fee details,
2206 pre-settlement, 2207 settlement, 2208 cancellation."""

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
from settlement.services.visits import fees_cancel, visit_cancel, visit_describe, visit_open

INPATIENT_TYPE = _("med_type=%(value)s 是住院类别，请使用入院办理（2401）")


@register("2201", "门诊挂号", writes=True)
def register_visit(ctx: Context) -> dict[str, Any]:
    data = ctx.data
    person = person_from(data)
    med_type = common.med_type(data, required=False) or "11"
    if med_type in ("21", "52"):
        raise HsaError(INPATIENT_TYPE, field="med_type", code="inpatient_type", value=med_type)
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
        "data": {
            "mdtrt_id": visit.mdtrt_id,
            "psn_no": psn_no(person),
            "ipt_otp_no": visit.ipt_otp_no,
        }
    }


@register("2202", "门诊挂号撤销", writes=True)
def cancel_registration(ctx: Context) -> dict[str, Any]:
    visit = visit_from(ctx.data)
    common.check_kind(visit, inpatient=False)
    visit_cancel(visit=visit)
    return {}


@register("2203", "门诊就诊信息上传", writes=True)
def visit_information(ctx: Context) -> dict[str, Any]:
    raw = ctx.input.get("mdtrtinfo")
    data: dict[str, Any] = raw if isinstance(raw, dict) else ctx.data
    visit = visit_from(data)
    common.check_kind(visit, inpatient=False)
    med_type = common.med_type(data, required=False)
    if med_type in ("21", "52"):
        raise HsaError(INPATIENT_TYPE, field="med_type", code="inpatient_type", value=med_type)
    visit_describe(visit=visit, info=common.visit_info(data, ctx), med_type=med_type or None)
    return {}


@register("2204", "门诊费用明细信息上传", writes=True)
def upload_fees(ctx: Context) -> dict[str, Any]:
    return common.upload_fees(ctx, inpatient=False)


@register("2205", "门诊费用明细信息撤销", writes=True)
def cancel_fees(ctx: Context) -> dict[str, Any]:
    visit = visit_from(ctx.data)
    common.check_kind(visit, inpatient=False)
    fees_cancel(
        visit=visit,
        feedetl_sn=fields.text(ctx.data, "feedetl_sn", required=False, max_len=30),
        chrg_bchno=fields.text(ctx.data, "chrg_bchno", required=False, max_len=30),
    )
    return {}


@register("2206", "门诊预结算", writes=False)
def presettle(ctx: Context) -> dict[str, Any]:
    return common.quote(ctx, inpatient=False)


@register("2207", "门诊结算", writes=True)
def settle(ctx: Context) -> dict[str, Any]:
    return common.settle(ctx, inpatient=False)


@register("2208", "门诊结算撤销", writes=True)
def cancel_settlement(ctx: Context) -> dict[str, Any]:
    row = settlement_from(ctx.data)
    common.check_settlement_kind(row, inpatient=False)
    reversal = settlement_reverse(
        settlement=row,
        reason="门诊结算撤销（2208）",
        msgid=ctx.env.msgid,
        operator=ctx.env.opter_name or ctx.env.opter,
        actor=HSA_GATEWAY,
    )
    return common.answer_settlement(reversal, row.person_id)

"""2601 冲正: undo the effect of an earlier message by its msgid, when the provider never got the answer.

If the original never took effect (it is not in the message log) there is nothing to undo
and the answer says so; a settlement already cancelled is not cancelled twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.kernel.permissions import HSA_GATEWAY
from settlement.hsa import fields
from settlement.hsa.dispatch import Context, register
from settlement.hsa.envelope import msgid_shape
from settlement.hsa.errors import HsaError
from settlement.hsa.people import check_same_person
from settlement.hsa.shapes import settlement_from, visit_from
from settlement.models import Message, SettlementReversal
from settlement.services.reverse import settlement_reverse
from settlement.services.visits import fees_cancel, visit_cancel

UNSUPPORTED = _("不支持冲正交易 oinfno=%(value)s（可冲正：2201、2204、2207、2301、2304、2401）")
OINFNO_MISMATCH = _("原报文 %(omsgid)s 的交易编号为 %(infno)s，与 oinfno=%(value)s 不一致")
NOTHING = "原交易未生效，无需冲正"
DONE = "冲正成功"
ALREADY = "原结算已撤销，无需冲正"


@register("2601", "冲正交易", writes=True)
def reverse(ctx: Context) -> dict[str, Any]:
    data = ctx.data
    omsgid = fields.text(data, "omsgid", max_len=30)
    # Only a message of this provider's can be reversed: another's id, or no msgid at all, is an
    # error in the request, not "nothing to undo".
    msgid_shape(omsgid, own=ctx.provider.national_code, field="omsgid")
    oinfno = fields.text(data, "oinfno", max_len=4)
    if oinfno not in ("2201", "2204", "2207", "2301", "2304", "2401"):
        raise HsaError(UNSUPPORTED, field="oinfno", code="unsupported", value=oinfno)
    original = _original(omsgid, provider_id=ctx.provider.pk)
    if original is None:
        return {"data": {"omsgid": omsgid, "memo": NOTHING}}
    if original.infno != oinfno:
        raise HsaError(
            OINFNO_MISMATCH,
            field="oinfno",
            code="oinfno",
            omsgid=omsgid,
            infno=original.infno,
            value=oinfno,
        )
    memo = _undo(ctx, original)
    return {"data": {"omsgid": omsgid, "memo": memo}}


def _original(omsgid: str, *, provider_id: int) -> Message | None:
    month = date(int(omsgid[12:16]), int(omsgid[16:18]), 1)  # msgid_shape checked the time
    return Message.objects.filter(month=month, msgid=omsgid, provider_id=provider_id).first()


def _undo(ctx: Context, original: Message) -> str:
    out = original.response
    if original.infno in ("2207", "2304"):
        row = settlement_from(out["setlinfo"])
        check_same_person(ctx.data, row.person_id)  # the psn_no the request names, if any
        if SettlementReversal.objects.filter(original_id=row.pk).exists():
            return ALREADY
        settlement_reverse(
            settlement=row,
            reason=f"冲正（2601，原报文 {original.msgid}）",
            msgid=ctx.env.msgid,
            operator=ctx.env.opter_name or ctx.env.opter,
            actor=HSA_GATEWAY,
        )
        return DONE
    if original.infno in ("2201", "2401"):
        block = out.get("data") or out.get("result") or {}
        visit = visit_from(block)
        check_same_person(ctx.data, visit.person_id)
        visit_cancel(visit=visit)
        return DONE
    rows = out.get("result") or []
    if rows:
        visit = visit_from({"mdtrt_id": out["mdtrt_id"]})
        check_same_person(ctx.data, visit.person_id)
        for row in rows:
            fees_cancel(visit=visit, feedetl_sn=row["feedetl_sn"])
    return DONE

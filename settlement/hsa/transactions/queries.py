"""5203 settlement query, 5204 fee-detail query — the provider's own records only."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from settlement.hsa import fields
from settlement.hsa.dispatch import Context, register
from settlement.hsa.envelope import money
from settlement.hsa.errors import HsaError
from settlement.hsa.shapes import NO_SETTLEMENT, settlement_from, visit_from
from settlement.hsa.transactions.common import answer_settlement
from settlement.models import FeeDetail, Settlement


def _settlement(ctx: Context) -> Settlement:
    if fields.text(ctx.data, "setl_id", required=False, max_len=30):
        return settlement_from(ctx.data)
    visit = visit_from(ctx.data)
    row = (
        Settlement.objects.filter(visit_id=visit.pk, visit_month=visit.month)
        .order_by("-setl_time", "-id")
        .first()
    )
    if row is None:
        raise HsaError(NO_SETTLEMENT, field="mdtrt_id", code="no_settlement", value=visit.mdtrt_id)
    return row


@register("5203", "结算信息查询", writes=False)
def settlement_query(ctx: Context) -> dict[str, Any]:
    row = _settlement(ctx)
    return answer_settlement(row, row.person_id)


@register("5204", "费用明细查询", writes=False)
def fee_query(ctx: Context) -> dict[str, Any]:
    if fields.text(ctx.data, "setl_id", required=False, max_len=30):
        row = settlement_from(ctx.data)
        month, visit_id = row.visit_month, row.visit_id
    else:
        visit = visit_from(ctx.data)
        month, visit_id = visit.month, visit.pk
    fees = FeeDetail.objects.filter(month=month, visit_id=visit_id)
    setl_ids = {
        s.pk: s.setl_id for s in Settlement.objects.filter(visit_month=month, visit_id=visit_id)
    }
    return {
        "output": [
            {
                "feedetl_sn": f.feedetl_sn,
                "mdtrt_id": f"{f.month:%Y%m}{f.visit_id}",
                "chrg_bchno": f.chrg_bchno,
                "med_list_codg": f.code,
                "medins_list_codg": f.medins_code,
                "list_name": f.name,
                "cnt": str(f.quantity),
                "pric": money(f.price_fen),
                "det_item_fee_sumamt": money(f.amount_fen),
                "fee_ocur_time": timezone.localtime(f.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
                "chrgitm_lv": {"A": "01", "B": "02", "C": "03"}[f.cls],
                "vali_flag": "0" if f.cancelled else "1",
                "setl_id": setl_ids.get(f.settlement_id, "") if f.settlement_id else "",
            }
            for f in fees.order_by("id")
        ]
    }

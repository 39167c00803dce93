"""3201 reconciliation of totals and 3202 of details for a period (对总账 / 对明细账).

Our figures are the provider's settlements made in the period (by settlement time),
reversals included as negative rows; `refd_setl_flag` 0 keeps only settlements, 1 only
reversals. The answer says whether `fund_pay_sumamt` includes the personal account
(`fund_pay_sumamt_incl_acct`), a setting that differs between provinces. Each report is
kept with both sides' figures for the monthly cycle.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.kernel.money import format_yuan
from settlement.hsa import fields
from settlement.hsa.codes import CLR_TYPES, INSUTYPES
from settlement.hsa.dispatch import Context, register
from settlement.hsa.errors import HsaError
from settlement.hsa.people import psn_no
from settlement.models import ProviderStatement, Settlement
from settlement.partitioning import parse_external_id
from settlement.selectors import fund_pay_includes_account, settlements_between, totals

REFUND_FLAGS = {"0": "结算", "1": "退费"}
BAD_PERIOD = _("对账结束日期不能早于开始日期，且对账期间不超过 366 天")
LABELS = {
    "count": "结算笔数",
    "medfee_sumamt": "医疗费总额",
    "fund_pay_sumamt": "基金支付总额",
    "acct_pay": "个人账户支出",
}


def _period(data: dict[str, Any]) -> tuple[Any, Any]:
    begin, end = fields.day(data, "stmt_begndate"), fields.day(data, "stmt_enddate")
    assert begin is not None and end is not None
    if end < begin or (end - begin).days > 366:
        raise HsaError(BAD_PERIOD, field="stmt_enddate", code="period")
    return begin, end


def _filtered(ctx: Context, data: dict[str, Any]) -> tuple[Any, Any, Any, str, str]:
    begin, end = _period(data)
    rows = settlements_between(provider_id=ctx.provider.pk, begin=begin, end=end)
    insutype = fields.choice(data, "insutype", INSUTYPES, required=False)
    clr_type = fields.choice(data, "clr_type", CLR_TYPES, required=False)
    refund = fields.choice(data, "refd_setl_flag", REFUND_FLAGS, required=False)
    if insutype:
        rows = rows.filter(insutype=insutype)
    if clr_type:
        rows = rows.filter(clr_type=clr_type)
    if refund in ("0", "1"):
        rows = rows.filter(kind="settle" if refund == "0" else "reverse")
    return begin, end, rows, insutype, clr_type


@register("3201", "医药机构费用结算对总账", writes=True)
def totals_check(ctx: Context) -> dict[str, Any]:
    data = ctx.data
    begin, end, rows, insutype, clr_type = _filtered(ctx, data)
    ours: dict[str, int] = totals(rows).as_dict()
    theirs: dict[str, int] = {
        "count": fields.integer(data, "fixmedins_setl_cnt", minimum=-(10**9)),
        # signed, as ours are: a reversal counts −1 and its amounts negative
        "medfee_sumamt": fields.signed_money_fen(data, "medfee_sumamt"),
        "fund_pay_sumamt": fields.signed_money_fen(data, "fund_pay_sumamt"),
        "acct_pay": fields.signed_money_fen(data, "acct_pay"),
    }
    differences: list[dict[str, Any]] = [
        {"item": key, "label": LABELS[key], "theirs": theirs[key], "ours": ours[key]}
        for key in LABELS
        if theirs[key] != ours[key]
    ]
    ProviderStatement.objects.create(
        provider=ctx.provider,
        kind=ProviderStatement.KIND_TOTALS,
        begin=begin,
        end=end,
        insutype=insutype,
        clr_type=clr_type,
        theirs=theirs,
        ours=ours,
        agrees=not differences,
        differences=differences,
        msgid=ctx.env.msgid,
    )
    text = (
        "对账一致"
        if not differences
        else "；".join(
            f"{d['label']}：机构 {_show(d['item'], d['theirs'])}，医保 {_show(d['item'], d['ours'])}"
            for d in differences
        )
    )
    return {
        "stmtinfo": {
            "setl_optins": ctx.provider.handling_region_id,
            "stmt_rslt": "0" if not differences else "1",
            "stmt_rslt_dscr": text,
            "fund_pay_sumamt_incl_acct": "1" if fund_pay_includes_account() else "0",
        }
    }


def _show(item: str, value: int) -> str:
    return str(value) if item == "count" else f"{format_yuan(value)} 元"


@register("3202", "医药机构费用结算对明细账", writes=True)
def details_check(ctx: Context) -> dict[str, Any]:
    data = ctx.data
    begin, end, rows, insutype, clr_type = _filtered(ctx, data)
    ours = {row.setl_id: row for row in rows}
    answers, differences = [], []
    seen = set()
    for number, item in enumerate(fields.rows(ctx.input, "detail", required=False), start=1):
        setl_id = fields.text(item, "setl_id", max_len=30)
        seen.add(setl_id)
        mine = ours.get(setl_id) or _elsewhere(setl_id)
        result, memo = _compare_row(item, mine)
        answers.append({"setl_id": setl_id, "stmt_rslt": result, "memo": memo})
        if result != "0":
            differences.append({"row": number, "setl_id": setl_id, "memo": memo})
    for setl_id, row in ours.items():
        if setl_id not in seen:
            memo = f"医保有、机构无：{format_yuan(row.medfee_sumamt)} 元"
            answers.append(
                {
                    "setl_id": setl_id,
                    "psn_no": psn_no(row.person_id),
                    "stmt_rslt": "2",
                    "memo": memo,
                }
            )
            differences.append({"setl_id": setl_id, "memo": memo})
    ProviderStatement.objects.create(
        provider=ctx.provider,
        kind=ProviderStatement.KIND_DETAILS,
        begin=begin,
        end=end,
        insutype=insutype,
        clr_type=clr_type,
        theirs={"rows": len(seen)},
        ours={"rows": len(ours)},
        agrees=not differences,
        differences=differences[:1000],
        msgid=ctx.env.msgid,
    )
    return {"output": answers, "stmt_rslt": "0" if not differences else "1"}


def _elsewhere(setl_id: str) -> Settlement | None:
    """A row the provider lists that is not in the period: is it ours at all?"""
    try:
        month, pk = parse_external_id(setl_id, error=BAD_PERIOD, field="setl_id")
    except Exception:
        return None
    return Settlement.objects.filter(month=month, pk=pk).first()


def _compare_row(item: dict[str, Any], mine: Settlement | None) -> tuple[str, str]:
    if mine is None:
        return "1", "机构有、医保无"
    diffs = []
    for key, field in (
        ("medfee_sumamt", "medfee_sumamt"),
        ("fund_pay_sumamt", "fund_pay_sumamt"),
        ("acct_pay", "acct_pay"),
    ):
        theirs = fields.signed_money_fen(item, key, required=False) if key in item else None
        if theirs is not None and abs(theirs) != abs(getattr(mine, field)):
            diffs.append(
                f"{LABELS[key]}：机构 {format_yuan(theirs)} 元，医保 {format_yuan(getattr(mine, field))} 元"
            )
    refund = str(item.get("refd_setl_flag", "")).strip()
    if refund in ("0", "1") and (refund == "1") != (mine.kind == "reverse"):
        diffs.append("退费标志不一致")
    return ("0", "一致") if not diffs else ("1", "；".join(diffs))

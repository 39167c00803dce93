"""A provider's clearing application for a past month (3203) and its cancellation (3204).

The provider states its month of one clr_type; we count ours from its settlements exactly as
3201 does (`selectors.clearing_figures`). Only an application that agrees in every figure is
kept — the provider reconciles first (3201/3202), so the monthly cycle never clears a month
the two sides see differently. One live application per provider × month × clr_type (a
partial unique index; its clash is the message naming the first). A cancellation marks the
row cancelled, and only while the cycle has not closed the month for the provider: the
month's books are closed (`runner.month_closed`), or the provider step has already settled
and stated the provider's month (its 结算单 exists) — money has then moved on the
application, and cancelling it would leave the statement without one.

Both run inside the interface's message (the provider's scope, `HSA_GATEWAY`'s audit name):
reads see only the provider's rows, so another provider's id is "not found", never its data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError, render
from pooling.kernel.integrity import unique_clash
from pooling.kernel.money import format_yuan
from pooling.kernel.permissions import Actor, require
from providers.models import Provider
from settlement.cycle.runner import month_closed
from settlement.models import ClearingApplication, ClearingStatus, ProviderMonthStatement
from settlement.selectors import ClearingFigures, clearing_figures

MONTH_NOT_OVER = _("清算年月 %(month)s 尚未结束，只能申请以前月份的清算")
WRONG_BOUNDS = _("%(field)s 应为清算年月 %(month)s 的%(which)s %(expected)s（收到 %(given)s）")
FIRST_DAY = _("第一天")
LAST_DAY = _("最后一天")
DIFFERS = _("清算申请与医保结算数据不一致，请先用 3201/3202 对账后再申请：%(differences)s")
DIFFERENCE_MONEY = _("%(field)s（%(label)s）机构 %(theirs)s 元，医保 %(ours)s 元")
DIFFERENCE_COUNT = _("%(field)s（%(label)s）机构 %(theirs)s，医保 %(ours)s")
ALREADY_APPLIED = _(
    "%(month)s 清算类别 %(clr_type)s 已有清算申请 clr_appy_evt_id=%(id)s，请先撤销（3204）再重新申请"
)
NOT_FOUND = _("清算申请 clr_appy_evt_id=%(id)s 不存在")
NOT_MATCHING = _("%(field)s=%(given)s 与清算申请 %(id)s 不符（申请为 %(own)s）")
ALREADY_CANCELLED = _("清算申请 %(id)s 已于 %(time)s 撤销")
CYCLE_CLOSED = _("%(month)s 的月度清算已为本机构结算（或已结账），清算申请 %(id)s 不能再撤销")

# field → (label, our figure, money?)
FIELDS: dict[str, tuple[str, str, bool]] = {
    "psntime": ("清算人次", "person_times", False),
    "medfee_sumamt": ("医疗费总额", "medfee_fen", True),
    "fund_appy_sum": ("基金申报总额", "fund_fen", True),
    "acct_pay": ("个人账户支出", "acct_fen", True),
    "cash_payamt": ("现金支付金额", "cash_fen", True),
}


@dataclass(frozen=True)
class Stated:
    """What the provider applies for (fen; person-times a count)."""

    month: date
    clr_type: str
    clr_way: str
    psntime: int
    medfee_sumamt: int
    med_sumfee: int
    fund_appy_sum: int
    acct_pay: int
    cash_payamt: int


def _label(month: date) -> str:
    return f"{month:%Y%m}"


def clearing_apply(
    *, provider: Provider, stated: Stated, msgid: str, opter: str, actor: Actor
) -> ClearingApplication:
    """Keep the provider's application if every figure agrees with ours (module doc)."""
    require(actor, "settlement.settle")
    if stated.month >= timezone.localdate().replace(day=1):
        raise BusinessRuleError(
            MONTH_NOT_OVER,
            code="clearing_month",
            field="setlym",
            params={"month": _label(stated.month)},
        )

    def _no_live_one() -> None:
        live = ClearingApplication.objects.filter(
            provider=provider,
            month=stated.month,
            clr_type=stated.clr_type,
            status=ClearingStatus.APPLIED,
        ).first()
        if live is not None:
            raise BusinessRuleError(
                ALREADY_APPLIED,
                code="clearing_twice",
                field="clr_type",
                params={
                    "month": _label(stated.month),
                    "clr_type": stated.clr_type,
                    "id": live.event_id,
                },
            )

    _no_live_one()
    ours = clearing_figures(provider_id=provider.pk, month=stated.month, clr_type=stated.clr_type)
    differences = _differences(stated, ours)
    if differences:
        raise BusinessRuleError(
            DIFFERS,
            code="clearing_differs",
            field=differences[0][0],
            params={"differences": "；".join(text for _field, text in differences)},
        )
    with unique_clash(_no_live_one):
        return ClearingApplication.objects.create(
            provider=provider,
            month=stated.month,
            clr_type=stated.clr_type,
            clr_way=stated.clr_way,
            person_times=stated.psntime,
            medfee_sumamt=stated.medfee_sumamt,
            med_sumfee=stated.med_sumfee,
            fund_appy_sum=stated.fund_appy_sum,
            acct_pay=stated.acct_pay,
            cash_payamt=stated.cash_payamt,
            msgid=msgid,
            opter=opter,
            applied_at=timezone.now(),
        )


def _differences(stated: Stated, ours: ClearingFigures) -> list[tuple[str, str]]:
    """(field, Chinese text) for every figure that differs, in the interface's order."""
    out = []
    for field, (label, attr, money) in FIELDS.items():
        theirs, mine = getattr(stated, field), getattr(ours, attr)
        if theirs != mine:
            params = {"field": field, "label": label}
            if money:
                params |= {"theirs": format_yuan(theirs), "ours": format_yuan(mine)}
            else:
                params |= {"theirs": str(theirs), "ours": str(mine)}
            out.append(
                (field, render(DIFFERENCE_MONEY if money else DIFFERENCE_COUNT, params, "zh-hans"))
            )
    return out


def clearing_cancel(
    *,
    provider: Provider,
    event_id: int,
    month: date | None,
    clr_type: str,
    msgid: str,
    opter: str,
    actor: Actor,
) -> ClearingApplication:
    """Mark the provider's own live application cancelled, while the month is open for it."""
    require(actor, "settlement.settle")
    row = (
        ClearingApplication.objects.select_for_update()
        .filter(pk=event_id, provider=provider)
        .first()
    )
    if row is None:
        raise BusinessRuleError(
            NOT_FOUND, code="clearing_unknown", field="clr_appy_evt_id", params={"id": event_id}
        )
    for field, given, own in (
        ("setlym", _label(month) if month else "", _label(row.month)),
        ("clr_type", clr_type, row.clr_type),
    ):
        if given and given != own:
            raise BusinessRuleError(
                NOT_MATCHING,
                code="clearing_mismatch",
                field=field,
                params={"field": field, "given": given, "id": row.event_id, "own": own},
            )
    if row.status == ClearingStatus.CANCELLED:
        when = timezone.localtime(row.cancelled_at) if row.cancelled_at else None
        raise BusinessRuleError(
            ALREADY_CANCELLED,
            code="clearing_cancelled",
            field="clr_appy_evt_id",
            params={"id": row.event_id, "time": f"{when:%Y-%m-%d %H:%M:%S}" if when else ""},
        )
    if closed_for_provider(provider_id=provider.pk, month=row.month):
        raise BusinessRuleError(
            CYCLE_CLOSED,
            code="clearing_closed",
            field="clr_appy_evt_id",
            params={"month": _label(row.month), "id": row.event_id},
        )
    row.status = ClearingStatus.CANCELLED
    row.cancel_msgid, row.cancel_opter, row.cancelled_at = msgid, opter, timezone.now()
    row.save(update_fields=["status", "cancel_msgid", "cancel_opter", "cancelled_at"])
    return row


def closed_for_provider(*, provider_id: int, month: date) -> bool:
    """Has the monthly cycle closed `month` for the provider (module doc)?"""
    return (
        month_closed(month)
        or ProviderMonthStatement.objects.filter(provider_id=provider_id, month=month).exists()
    )

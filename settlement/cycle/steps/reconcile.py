"""Step: 对账 — the ledger's checks and the month's settlements = postings; any difference stops
the run here (the shard fails with a Chinese message), so the month is not closed.

Two shards that can run side by side: "ledger" (`manage.py reconcile`'s checks) and "month"
(per provider and book, and the clearing per county). The differences are not stored: the
page `settlement:cycle_reconcile` recomputes them, so it always shows the ledger as it is.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from funds.services.reconcile import all_checks
from pooling.kernel.errors import BusinessRuleError
from settlement.cycle import reconciling
from settlement.cycle.base import ShardContext, StepDef

LEDGER, MONTH = "ledger", "month"
LEDGER_FAILED = _(
    "账簿核对未通过：%(count)s 项检查发现不符，例如【%(first)s】。请在本月对账页查看全部差异，"
    "查明原因更正后续跑本月清算；差异消除前本月不结账。"
)
MONTH_FAILED = _(
    "%(month)s 结算与记账不符：%(count)s 处差异，例如【%(first)s】。请在本月对账页查看全部差异，"
    "补记或更正后续跑；差异消除前本月不结账。"
)


def plan(month: date) -> list[str]:
    return [LEDGER, MONTH]


def work(ctx: ShardContext) -> dict[str, int]:
    if ctx.shard == LEDGER:
        found = reconciling.ledger_discrepancies(limit=1)
        if found:
            first = found[0]
            raise BusinessRuleError(
                LEDGER_FAILED,
                code="reconcile_ledger",
                params={
                    "count": len({d.check for d in found}),
                    "first": f"{first.check}: {first.row}",
                },
            )
        return {"checks": len(all_checks())}
    differences = reconciling.month_differences(ctx.month)
    if differences:
        raise BusinessRuleError(
            MONTH_FAILED,
            code="reconcile_month",
            params={
                "month": ctx.month_label,
                "count": len(differences),
                "first": str(differences[0]),
            },
        )
    return {"differences": 0}


STEP = StepDef("reconcile", _("对账"), plan, work)

"""Step: 统筹前结余上解 — pre-pooling instalments falling due in the month, paid; overdue flagged.

Per county (one shard each): every instalment of the county's schedules (`PrePoolingPosition`)
due within the month and not yet paid in full is paid for what is open, through the one
service that records a remittance (`instalment_pay`: Dr 市级财政专户 / Cr 下级上解收入 of the
county, and the payment row), under a deterministic key — a second call finds the
instalment paid and writes nothing. Instalments due before the month and still open are
overdue: counted on the shard and listed on the remittance page (`selectors_in`).

Adjustment run: an instalment the original run missed (e.g. a schedule entered late) is
paid now, dated in the open month, under the key with `|adj:<run>`; paid ones stay paid.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from funds.models import Instalment
from funds.services.schedules import instalment_pay
from pooling.kernel.regions import handling_units
from pooling.kernel.scoping import unrestricted
from settlement.cycle.base import ADJUST_MARK, ShardContext, StepDef
from settlement.cycle.selectors_in import instalments_of

NAME = "remittance"


def plan(month: date) -> list[str]:
    return sorted(handling_units().values_list("code", flat=True))


def pay_key(ctx: ShardContext, inst: Instalment) -> str:
    pos = inst.position
    key = f"{NAME}:{ctx.month_label}:{ctx.shard}:{pos.book.code}:{pos.rule.code}:{inst.seq}"
    return f"{key}{ADJUST_MARK}{ctx.run_id}" if ctx.adjustment else key


def work(ctx: ShardContext) -> dict[str, int]:
    counts = {"paid": 0, "paid_fen": 0, "overdue": 0, "overdue_fen": 0}
    with unrestricted():
        rows = instalments_of(month=ctx.month, county=ctx.shard)
    for row in rows:
        if row.due_in_month and row.open_fen > 0:
            instalment_pay(
                instalment=row.instalment,
                amount_fen=row.open_fen,
                paid_on=ctx.entry_date,
                key=pay_key(ctx, row.instalment),
                actor=ctx.actor,
            )
            counts["paid"] += 1
            counts["paid_fen"] += row.open_fen
        elif row.overdue:
            counts["overdue"] += 1
            counts["overdue_fen"] += row.open_fen
    return counts


STEP = StepDef(NAME, _("统筹前结余上解"), plan, work)

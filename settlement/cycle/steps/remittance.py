"""Step: 统筹前结余上解. NOT BUILT YET — plans no shard, so the runner passes over it."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from settlement.cycle.base import ShardContext, StepDef


def plan(month: date) -> list[str]:
    return []


def work(ctx: ShardContext) -> dict[str, int]:
    raise NotImplementedError("remittance")


STEP = StepDef("remittance", _("统筹前结余上解"), plan, work)

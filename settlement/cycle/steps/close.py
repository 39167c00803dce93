"""Step: 结账. NOT BUILT YET — plans no shard, so the runner passes over it."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from settlement.cycle.base import ShardContext, StepDef


def plan(month: date) -> list[str]:
    return []


def work(ctx: ShardContext) -> dict[str, int]:
    raise NotImplementedError("close")


STEP = StepDef("close", _("结账"), plan, work)

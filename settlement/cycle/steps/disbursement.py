"""Step: 基金拨付. NOT BUILT YET — plans no shard, so the runner passes over it."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from settlement.cycle.base import ShardContext, StepDef


def plan(month: date) -> list[str]:
    return []


def work(ctx: ShardContext) -> dict[str, int]:
    raise NotImplementedError("disbursement")


STEP = StepDef("disbursement", _("基金拨付"), plan, work)

"""Step: 县际清算 — the payer × insured-county × book matrix and the entries that settle it.

One "city" shard: the whole matrix is one GROUP BY over the month's partition (a
per-unit shard would read the partition once per unit, there being no index by handling
unit), and it posts at most units × books entries. See `settlement/cycle/clearing.py`.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from settlement.cycle import clearing
from settlement.cycle.base import ShardContext, StepDef, post_desired

CITY = "city"


def plan(month: date) -> list[str]:
    return [CITY]


def work(ctx: ShardContext) -> dict[str, int]:
    cells = clearing.matrix(ctx.month)
    clearing.accounts_ensure(cells)
    wanted = clearing.desired(ctx.month, cells)
    posted = post_desired(ctx, wanted, scope=clearing.key_prefix(ctx.month))
    crossing = [c for c in cells if c.crosses]
    return {
        "cells": len(crossing),
        "cleared_fen": sum(c.amount_fen for c in crossing),
        "entries": posted.entries,
    }


STEP = StepDef("clearing", _("县际清算"), plan, work)

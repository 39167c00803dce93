"""How long the clearing and the month's reconciliation take on a generated month, beside the
floor (one GROUP BY of the same settlements into provider × book). Opt-in, it inserts N rows:

    CYCLE_CLEAR_SPEED=1000000 ./t.sh -q -s -p no:randomly tests/settlement/cycle/test_clearing_speed.py
"""

import os
import time
from typing import Any

import pytest
from django.db import connection

from settlement.cycle import clearing, reconciling
from settlement.cycle.steps import clearing as step
from tests.providers.factories import make_provider
from tests.settlement.cycle import world

N = int(os.environ.get("CYCLE_CLEAR_SPEED", "0"))
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not N, reason="opt-in: CYCLE_CLEAR_SPEED=<settlements>"),
]


def test_it_prints_the_time_of_clearing_and_reconciling(regions):
    world.build(regions)
    units = sorted(c for c in regions if c != "320900")
    # 100 providers over the 11 units, the month's settlements spread over them, counties and books.
    providers = [make_provider(regions[units[i % len(units)]], f"p{i}") for i in range(100)]
    tmpl = world.Settlement.objects.first().pk
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name='settlement_settlement'"
            " AND column_name NOT IN ('id')"
        )
        cols = [r[0] for r in cur.fetchall()]
        over = {
            "provider_id": "(%(prov)s::bigint[])[1 + g %% 100]",
            "handling_unit_id": "(%(hand)s::varchar[])[1 + g %% 100]",
            "insured_county_id": "(%(units)s::varchar[])[1 + (g / 7) %% 11]",
            "fund_book": "(ARRAY['employee_pooled','resident','maternity'])[1 + g %% 3]",
            "hifp_pay": "1000 + g %% 500",
            "hifmi_pay": "CASE WHEN g %% 15 = 1 THEN 300 ELSE 0 END",
            "hifob_pay": "CASE WHEN g %% 30 = 0 THEN 700 ELSE 0 END",
            "acct_pay": "CASE WHEN g %% 3 = 0 THEN 50 ELSE 0 END",
            "kind": "'settle'",
        }
        select = ", ".join(over.get(c, c) for c in cols)
        params: dict[str, Any] = {
            "prov": [p.pk for p in providers],
            "hand": [p.handling_region_id for p in providers],
            "units": units,
        }
        t = time.perf_counter()
        cur.execute(
            f"INSERT INTO settlement_settlement ({', '.join(cols)}) SELECT {select}"
            f" FROM settlement_settlement, generate_series(1, {N}) g WHERE id = {tmpl}",
            params,
        )
        cur.execute("ANALYZE settlement_settlement")
        print(f"\ninsert {N}: {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    cells = clearing.matrix(world.MONTH)
    print(f"matrix: {time.perf_counter() - t:.2f}s, {len(cells)} cells")
    t = time.perf_counter()
    print(world.run_step(step.STEP))
    print(f"clearing step: {time.perf_counter() - t:.2f}s")
    t = time.perf_counter()
    reconciling._posted_expense(world.MONTH)
    print(f"posted expense: {time.perf_counter() - t:.2f}s")
    t = time.perf_counter()
    diffs = reconciling.month_differences(world.MONTH)
    print(f"reconcile month: {time.perf_counter() - t:.2f}s, {len(diffs)} differences")
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT provider_id, fund_book, SUM(hifp_pay) FROM settlement_settlement WHERE month = %s"
            " GROUP BY 1, 2",
            [world.MONTH],
        )
        cur.fetchall()
    print(f"floor (provider x book GROUP BY): {time.perf_counter() - t:.2f}s")

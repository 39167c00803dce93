"""The accumulators' per-scope check in SQL finds exactly what the Python comparison finds."""

from __future__ import annotations

import pytest

from settlement import reconcile as checks
from settlement.models import Accumulator
from tests.settlement.cycle import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(regions):
    world.build(regions)
    world.accumulators_sync()


def _both() -> tuple[list, list]:
    return checks.scopes(limit=50), checks._scopes_python(limit=50)


def test_it_finds_nothing_in_true_accumulators(month):
    # world's accumulators keep deductible_paid = {} while the settlements sum to 0 per scope:
    # an absent scope is 0 on both sides, as in the Python comparison.
    assert _both() == ([], [])


def test_it_reports_each_wrong_scope_as_python_does(month):
    first, second, third = Accumulator.objects.order_by("person_id", "year", "scheme")[:3]
    scope = next(iter(first.fund_paid))
    fund = first.fund_paid[scope]
    first.fund_paid[scope] = fund + 1  # a fund paid one fen more than the settlements
    first.save()
    second.deductible_paid = {"inpatient": 500}  # a scope with no settlement at all
    second.save()
    kept = dict(third.fund_paid)
    third.delete()  # settlements without their accumulator
    sql, python = _both()
    assert sorted(sql, key=str) == sorted(python, key=str)
    rows = {(r[0], r[3]): (r[4], r[5]) for r in sql}
    assert rows[(first.person_id, scope)] == ([0, fund + 1], [0, fund])
    assert rows[(second.person_id, "inpatient")] == ([500, 0], None)
    for s, amount in kept.items():
        assert rows[(third.person_id, s)] == (None, [0, amount])
    assert len(sql) == 2 + len(kept)

"""Reconciliation finds the provider step's statements equal to the month's settlements, and a
settlement written after the step different (statement and postings both)."""

from __future__ import annotations

import pytest

from settlement.cycle import reconciling
from tests.settlement.cycle import out_world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions, demo_policy):
    providers = w.build(regions)
    w.run()
    return providers


def _ours(
    kinds: tuple[str, ...] = (reconciling.STATEMENT, reconciling.PROVIDER),
) -> list[reconciling.Difference]:
    return [d for d in reconciling.month_differences(w.MONTH) if d.kind in kinds]


def test_statements_and_postings_agree_with_the_settlements(world):
    assert _ours() == []


def test_a_settlement_written_after_the_step_shows_in_both_checks(world, regions):
    w.settle(world["P2"], regions[w.B], "maternity", "51", 3000, 1200)
    found = {(d.kind, d.subject, d.book, d.ours_fen, d.posted_fen) for d in _ours()}
    code = world["P2"].national_code
    assert found == {
        (reconciling.STATEMENT, code, "maternity", 31200, 30000),
        (reconciling.PROVIDER, code, "maternity", 31200, 30000),
    }

"""Every import kind turns any cells into a record or row problems — never another exception.

The reader promises that whatever the bytes, it yields rows or a TableError. This is the same
promise one step on, for each kind's `clean`: cells as people and Excel write them (numbers in
scientific notation, 1E999999, NaN, dates of year 1 or 9999, times of 25:00, codes with a
letter too many) are named by their column, so a file of them is refused by row and column
instead of ending the preview as an internal error.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pooling.imports.kinds import Context, RowProblem, RowProblems, all_kinds
from pooling.models import Region

ODD = [
    "",
    "0",
    "-0",
    "-1",
    "NaN",
    "Infinity",
    "1E999999",
    "1E+30",
    "3.20902E+17",
    "0.00001",
    "1,234.50",
    "9" * 25,
    "0001-01-01",
    "9999-12-31 23:59:59",
    "2026-02-30",
    "2026-01-01 25:00",
    "46000.375",
    "202613",
    "是",
    "TRUE",
    "X",
    "张三",
]
NUMBER = st.from_regex(r"-?[0-9]{1,22}(\.[0-9]{0,5})?([eE][+-]?[0-9]{1,7})?", fullmatch=True)
MOMENT = st.from_regex(
    r"[0-9]{1,5}[-/.年][0-9]{1,3}[-/.月]?[0-9]{0,3}日?( [0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?)?",
    fullmatch=True,
)
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=24)


def cells(sound: str) -> st.SearchStrategy[str]:
    """A cell: the template's sound value half the time (so the other cells' rules are reached)."""
    odd = st.one_of(st.sampled_from(ODD), NUMBER, MOMENT, PRINTABLE).map(str.strip)
    return st.one_of(st.just(sound), odd)


@pytest.mark.parametrize("key", sorted(all_kinds()))
def test_a_kind_turns_any_cells_into_a_record_or_row_problems(key, clerk_a, demo_policy):
    kind = all_kinds()[key]
    template = kind.template_rows()[0] if kind.template_rows() else [""] * len(kind.columns)
    sound = dict(zip([c.key for c in kind.columns], template, strict=False))
    ctx = Context(
        counties={r.code: r for r in Region.objects.filter(level="county")},
        own_county=clerk_a.region_id,
        actor=clerk_a,
    )
    kind.prepare(ctx)

    @given(st.fixed_dictionaries({c.key: cells(sound.get(c.key, "")) for c in kind.columns}))
    @settings(
        max_examples=120,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def clean(values: dict[str, str]) -> None:
        kind.prefetch([values], ctx)
        try:
            kind.clean(values, ctx)
        except (RowProblem, RowProblems):
            pass

    clean()

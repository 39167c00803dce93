"""split_payment: the parts always sum to the payment and never exceed a component."""

from hypothesis import given
from hypothesis import strategies as st

from settlement.cycle.split import POOLED, split_payment

components = st.dictionaries(
    st.sampled_from([POOLED, "employee_personal", "maternity", "x"]),
    st.integers(0, 10**9),
    min_size=1,
)


@given(components, st.data())
def test_parts_sum_to_the_payment_and_never_exceed_a_component(parts_due, data):
    total = sum(parts_due.values())
    amount = data.draw(st.integers(0, total))
    split = split_payment(amount, parts_due)
    assert sum(split.parts.values()) == amount and split.excess == 0
    assert all(0 <= split.parts[n] <= due for n, due in parts_due.items())


@given(components, st.integers(1, 10**6))
def test_money_above_the_total_is_excess(parts_due, extra):
    total = sum(parts_due.values())
    split = split_payment(total + extra, parts_due)
    assert split.parts == parts_due and split.excess == extra and split.total == total + extra


def test_a_partial_payment_in_proportion_the_fen_left_to_the_pooled_book():
    # 300.00 of 490.00: 214.28|57, 61.22|44, 24.48|97 → floors sum 299.98; 2 fen to pooled.
    split = split_payment(30000, {POOLED: 35000, "employee_personal": 10000, "maternity": 4000})
    assert split.parts == {POOLED: 21430, "employee_personal": 6122, "maternity": 2448}


def test_the_fen_left_go_elsewhere_when_the_pooled_part_is_full():
    # 1 fen over {pooled 0, a 1, b 1}: floors 0, 0, 0; pooled can take nothing, then largest
    # remainder (a tie, by name): a.
    assert split_payment(1, {POOLED: 0, "a": 1, "b": 1}).parts == {POOLED: 0, "a": 1, "b": 0}

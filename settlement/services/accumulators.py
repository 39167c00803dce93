"""Year-to-date accumulators: read for the calculator, moved by exactly what a settlement
added (or, for a reversal, took away). Called only with the person's row locked."""

from __future__ import annotations

from types import MappingProxyType

from django.db.models import F

from pooling.benefits.types import Accumulators
from pooling.kernel.scoping import unrestricted
from settlement.models import Accumulator, Settlement


def accumulator_for(*, person_id: int, year: int, scheme: str) -> Accumulator:
    """The person's row for the year and scheme (an empty, unsaved one if nothing was settled yet)."""
    with unrestricted():
        found = Accumulator.objects.filter(person_id=person_id, year=year, scheme=scheme).first()
    return found or Accumulator(
        person_id=person_id, year=year, scheme=scheme, deductible_paid={}, fund_paid={}
    )


def ytd_of(acc: Accumulator) -> Accumulators:
    return Accumulators(
        admissions=acc.admissions,
        deductible_paid_fen=MappingProxyType({k: int(v) for k, v in acc.deductible_paid.items()}),
        fund_paid_fen=MappingProxyType({k: int(v) for k, v in acc.fund_paid.items()}),
    )


def accumulators_add(*, row: Settlement, sign: int, acc: Accumulator | None = None) -> None:
    """Add a settlement (sign 1) or take a reversed one away (sign -1), under the person's lock.

    A reversal row already carries negated amounts, so it is added with sign 1 too; `sign`
    is for callers that replay a settlement's effect. `acc`: the stored row as read under the
    same lock (`accumulator_for`), if the caller has it; an unsaved or foreign one is ignored.
    """
    with unrestricted():
        if (
            acc is None
            or acc.pk is None
            or (acc.person_id, acc.year, acc.scheme) != (row.person_id, row.year, row.scheme)
        ):
            acc, _created = Accumulator.objects.get_or_create(
                person_id=row.person_id,
                year=row.year,
                scheme=row.scheme,
                defaults={"deductible_paid": {}, "fund_paid": {}},
            )
        deductible, fund = scopes_after(acc, row=row, sign=sign)
        Accumulator.objects.filter(pk=acc.pk).update(
            deductible_paid=deductible,
            fund_paid=fund,
            **{name: F(name) + delta for name, delta in counter_deltas(row=row, sign=sign).items()},
        )
    # No refresh: no caller reads the row back, and every message saves that query.


def counter_deltas(*, row: Settlement, sign: int) -> dict[str, int]:
    """What a settlement adds to each counter column of its accumulator."""
    count = 1 if row.kind == "settle" else -1
    return {
        "admissions": sign * row.admission,
        "critical_base_fen": sign * row.critical_base_fen,
        "critical_paid_fen": sign * row.hifmi_pay,
        "large_paid_fen": sign * row.hifob_pay,
        "settlements": sign * count,
    }


def scopes_after(
    acc: Accumulator, *, row: Settlement, sign: int
) -> tuple[dict[str, int], dict[str, int]]:
    """The deductible and fund paid per cap scope once the settlement is added to `acc`, the row as
    read under the person's lock (nobody else can move it meanwhile)."""
    deductible = dict(acc.deductible_paid)
    fund = dict(acc.fund_paid)
    deductible[row.scope] = int(deductible.get(row.scope, 0)) + sign * row.act_pay_dedc
    fund[row.scope] = int(fund.get(row.scope, 0)) + sign * row.hifp_pay
    return deductible, fund

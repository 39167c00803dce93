"""The settling statements compiled once per process (settlement/services/settle_sql.py; issue 12:
the ORM's compiler was most of 2207's CPU): bound per call, they are exactly what compiling the
services' querysets afresh gives. PostgreSQL's: elsewhere `hold` and `write` take the ORM's path
(test_sqlite_settlement.py), so these are not in its list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection

from settlement.models import Settlement
from settlement.services import settle_sql


@pytest.mark.parametrize(
    ("scheme", "on"),
    [
        ("employee", date(2026, 1, 1)),
        ("resident", date(2025, 12, 31)),
        ("employee", date(2024, 2, 29)),
    ],
)
def test_the_held_reads_compiled_once_bind_as_a_fresh_compile(db, scheme, on):
    """`hold`'s subqueries are `held_querysets` compiled once and bound per call: for any
    arguments the text and parameters are exactly what compiling the querysets afresh gives."""
    template = settle_sql.held_template(connection.vendor)
    fresh, params = settle_sql._compile_held(4711, scheme, on)
    assert template.subqueries == fresh
    assert template.params(4711, scheme, on) == params
    assert 4711 in params and scheme in params and on.year in params  # bound, not the probe's


def test_a_queryset_that_does_not_bind_as_a_template_is_refused(db, monkeypatch):
    """A rule taking a value the template does not know (here the day before) is refused when
    compiled, not bound with the probe's value."""
    original = settle_sql.held_querysets

    def day_before(*, person_id, scheme, on):
        enrolments, accs, balances = original(person_id=person_id, scheme=scheme, on=on)
        return enrolments, accs.filter(updated_at__date__gte=on - timedelta(days=1)), balances

    monkeypatch.setattr(settle_sql, "held_querysets", day_before)
    with pytest.raises(ValueError, match="template"):
        settle_sql.held_template.__wrapped__(connection.vendor)


def test_the_insert_compiled_once_binds_as_a_fresh_compile(hsa, people):
    """The settlement's INSERT: the text compiled once, each value adapted per row — the same
    statement and parameters as Django's InsertQuery compiles for that row."""
    person = people.employee
    mdtrt_id = hsa.register(person)
    hsa.fees(mdtrt_id, person, [("250101001000000", "1", "1000.00")])
    assert hsa.settle(mdtrt_id, person, "1000.00")["infcode"] == 0
    row = Settlement.objects.get()
    row.pk, row._state.adding = None, True
    sql, params = settle_sql._insert(row)
    fresh_sql, fresh_params = settle_sql.compile_insert(row)
    assert sql == fresh_sql
    assert _plain(params) == _plain(fresh_params)
    assert row.hifp_pay in params and row.medfee_sumamt in params  # this row's, bound


def _plain(params):
    """psycopg's JSON wrappers (PostgreSQL) compare by identity: their type and wrapped value."""
    return [(type(p).__name__, p.obj) if hasattr(p, "obj") else p for p in params]

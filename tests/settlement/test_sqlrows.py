"""Rows read by hand-written SQL (pooling.kernel.sqlrows) are the instances the ORM reads, scoped alike."""

from __future__ import annotations

import pytest
from django.db import transaction

from enrollment.models import Enrolment, Person
from pooling.kernel import sqlrows
from pooling.kernel.scoping import acting_as, acting_for_provider, unrestricted
from settlement.models import Accumulator, FeeDetail, Settlement, Visit
from tests.providers.factories import make_provider
from tests.settlement.hsa_client import put_in_performance


def _values(row):
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


@pytest.fixture
def settled(hsa, people):
    person = people.employee
    mdtrt_id = hsa.register(person)
    hsa.fees(mdtrt_id, person, [("001102000000100", "2", "20.00"), ("XX-NOT-LISTED", "1", "3.50")])
    hsa.settle(mdtrt_id, person, "43.50")
    return person


@pytest.mark.parametrize("model", [Visit, FeeDetail, Settlement, Accumulator, Person, Enrolment])
def test_select_reads_what_the_orm_reads_with_every_converter(settled, model):
    with unrestricted():
        expected = sorted((_values(r) for r in model.objects.all()), key=lambda v: v["id"])
        found = sorted((_values(r) for r in sqlrows.select(model, "TRUE")), key=lambda v: v["id"])
    assert expected and found == expected


def test_select_is_scoped_like_the_orm(settled, hsa, county_a, clerk_a, clerk_b):
    other = put_in_performance(make_provider(county_a, "他院"))
    for scope in (
        acting_for_provider(hsa.provider.pk),
        acting_for_provider(other.pk),
        acting_as(clerk_a),
        acting_as(clerk_b),
        acting_as(None),
    ):
        with scope:
            for model in (Visit, FeeDetail, Settlement):
                orm = sorted(model.objects.values_list("id", flat=True))
                assert [r.pk for r in sqlrows.select(model, "TRUE", tail="ORDER BY id")] == orm


@pytest.mark.django_db(transaction=True)
def test_select_one_with_lock_takes_the_rows_lock(settled):
    from django.db import connection

    with unrestricted():
        visit = Visit.objects.get()
    with transaction.atomic(), unrestricted():
        row = sqlrows.select_one(
            Visit, "month = %s AND id = %s", [visit.month, visit.pk], lock=True
        )
        assert row is not None and row.pk == visit.pk and row.mdtrt_id == visit.mdtrt_id
        if connection.vendor != "postgresql":  # SQLite locks the database, not rows
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid'"
                " AND pid = pg_backend_pid()"
            )
            assert cursor.fetchone()[0] == 1  # FOR UPDATE marks the row: this transaction has an id

"""Rows read by hand-written SQL (pooling.kernel.sqlrows) are the instances the ORM reads, scoped
alike; the values a hand-written INSERT sends are those `save()` sends."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from enrollment.models import AccountPosting, Enrolment, Person
from pooling.kernel import sqlrows
from pooling.kernel.scoping import acting_as, acting_for_provider, unrestricted
from settlement.models import Accumulator, FeeDetail, Settlement, Visit
from tests.enrollment.factories import posting
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


# Hand-written INSERT values (`row_values`, `column_values`, `adapted`): exactly what `save()`
# sends, value and type, though most skip Django's get_db_prep_save chain.


def _django(row):
    """`save()`'s adaptation for an add, field by field."""
    return [
        f.get_db_prep_save(f.pre_save(row, True), connection)
        for f in sqlrows.insert_fields(type(row))
    ]


def _exact(values):
    """Each value with its type; a driver's JSON wrapper compared by what it wraps."""
    return [(type(v), getattr(v, "obj", v)) for v in values]


def _with_nulls(row):
    """A copy of `row` with every nullable insert field None."""
    copy = type(row).from_db(connection.alias, *zip(*_values(row).items(), strict=True))
    for f in sqlrows.insert_fields(type(row)):
        if f.null:
            setattr(copy, f.attname, None)
    return copy


@pytest.fixture
def now(monkeypatch):
    """A frozen `timezone.now`, so auto_now_add stamps alike in both adaptations."""
    moment = datetime(2026, 2, 17, 3, 4, 5, 678901, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.mark.parametrize("model", [Visit, FeeDetail, Settlement, AccountPosting])
def test_hand_written_insert_values_are_django_s_value_and_type(settled, now, model):
    posting(settled, 5000)
    with unrestricted():
        stored = list(model.objects.all())
    rows = stored + [_with_nulls(r) for r in stored]
    assert stored
    for row in rows:
        assert _exact(sqlrows.row_values(model, row)) == _exact(_django(row))
    by_column = [list(c) for c in zip(*(_exact(_django(r)) for r in rows), strict=True)]
    assert [_exact(c) for c in sqlrows.column_values(model, rows)] == by_column
    stamped = [f.attname for f in sqlrows.insert_fields(model) if getattr(f, "auto_now_add", 0)]
    assert all(getattr(r, name) == now for r in rows for name in stamped)  # pre_save ran


def test_only_json_decimal_and_auto_now_fields_take_django_s_whole_chain():
    chain = {
        model.__name__: sorted(a.field.name for a in sqlrows._adapters(model) if not a.kind)
        for model in (Visit, FeeDetail, Settlement, AccountPosting)
    }
    assert chain == {
        "Visit": ["diagnoses"],
        "FeeDetail": ["quantity", "self_pay_pct"],
        "Settlement": ["detail", "pool_prop_selfpay"],
        "AccountPosting": [],
    }
    pre_save = {
        f"{m.__name__}.{a.field.name}"
        for m in (Visit, FeeDetail, Settlement, AccountPosting)
        for a in sqlrows._adapters(m)
        if not a.plain
    }
    assert pre_save == {"Visit.created_at", "AccountPosting.created_at"}


def test_a_value_of_another_type_takes_django_s_whole_chain(settled):
    with unrestricted():
        row = Settlement.objects.get()
        fee = FeeDetail.objects.first()
    row.medfee_sumamt = "4350"  # str in an integer field: int()
    row.hifp_pay = Decimal("12")  # Decimal in an integer field
    row.acct_pay = True  # bool in an integer field: 1
    row.kind = 7  # int in a CharField: "7"
    row.scheme = gettext_lazy("职工")  # a lazy string: cast
    row.month = "2026-02-01"  # str date: parsed
    row.service_date = datetime(2026, 2, 17, 23, 30, tzinfo=row.setl_time.tzinfo)  # → date
    row.person_id = str(row.person_id)  # str id: int()
    row.insured_county_id = ""  # an empty code: the target's chain
    fee.in_catalogue = 1  # int in a BooleanField: True
    fee.cancelled = "f"  # str in a BooleanField: False
    assert _exact(sqlrows.row_values(Settlement, row)) == _exact(_django(row))
    assert _exact(sqlrows.row_values(FeeDetail, fee)) == _exact(_django(fee))
    row.setl_time = datetime(2026, 2, 17, 9, 0)  # naive: made aware, with Django's warning
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        assert _exact(sqlrows.row_values(Settlement, row)) == _exact(_django(row))
    row.setl_time, row.medfee_sumamt = fee.occurred_at, "abc"
    with pytest.raises(ValueError, match="'medfee_sumamt' expected a number but got 'abc'"):
        sqlrows.row_values(Settlement, row)


def test_a_field_class_overriding_the_chain_takes_it_whole():
    class Upper(models.CharField):
        def get_prep_value(self, value):
            return super().get_prep_value(value).upper()

    class Stamped(models.IntegerField):
        def pre_save(self, model_instance, add):
            return 42

    upper, stamped = Upper(max_length=5), Stamped()
    upper.set_attributes_from_name("code")
    stamped.set_attributes_from_name("n")
    prep = sqlrows._prep(connection)
    assert [sqlrows._adapter(upper).kind, prep(sqlrows._adapter(upper), "abc")] == [0, "ABC"]
    assert not sqlrows._adapter(stamped).plain and sqlrows._adapter(stamped).kind

"""A people file as large as the register: indexes set aside, rebuilt exactly, all or nothing."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import psycopg
import pytest
from django.db import connection

from enrollment.imports import people_sql as import_sql
from enrollment.models import Person
from pooling.imports.models import ImportStatus
from pooling.kernel.scoping import unrestricted
from pooling.tabular import bulkload
from tests.enrollment.imports.helpers import commit, preview
from tests.enrollment.imports.test_people_sql import csv_bytes, good

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'")
TABLE = Person._meta.db_table
FILE = [good(seq) for seq in range(1, 31)]


@pytest.fixture
def set_aside(db_owner, monkeypatch):
    """Make 30 rows 'large', and record what each commit's set-aside did (True: indexes dropped).
    Run as the table's owner: a go-live load (`manage.py import_file` with the owner's URL)."""
    monkeypatch.setattr(bulkload, "MIN_ROWS", 1)
    monkeypatch.setattr(
        bulkload, "_rows_now", lambda table: 0
    )  # the test table's size is other tests' doing
    seen: list[bool] = []
    real = bulkload.indexes_set_aside

    @contextmanager
    def spy(table):
        with real(table) as done:
            seen.append(done)
            yield done

    monkeypatch.setattr(import_sql, "indexes_set_aside", spy)  # the set-wise path
    monkeypatch.setattr(bulkload, "indexes_set_aside", spy)  # the row path imports it when writing
    return seen


def _schema() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [TABLE])
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
            [TABLE],
        )
        return sorted(indexes + cursor.fetchall())


def _count() -> int:
    with unrestricted():
        return Person.objects.count()


# A quote anywhere makes the set-wise screen unsure: that file goes row by row (COPY from Python).
@pytest.mark.parametrize(
    "rows", [FILE, FILE[:-1] + [good(30, address='示例路"1"号')]], ids=["sql", "rows"]
)
def test_a_large_load_rebuilds_every_index_and_constraint_as_it_was(clerk_a, set_aside, rows):
    before = _schema()
    assert {"person_name_county_c", "enrollment_person_id_number_key"} <= {n for n, _d in before}
    batch = commit(preview(clerk_a, "people", csv_bytes(rows)))
    assert batch.status == ImportStatus.COMMITTED and batch.rows_written == len(FILE)
    assert set_aside == [True]
    assert _schema() == before
    with unrestricted():
        person = Person.objects.get(id_number=FILE[0][0])
    assert (person.county_id, person.birth_date, person.created_by_id) == (
        "320902",
        date(1990, 1, 1),
        clerk_a.pk,
    )


def test_a_clash_found_by_the_rebuilt_unique_index_writes_nothing_and_names_the_row(
    clerk_a, county_a, set_aside
):
    before = _schema()
    batch = preview(clerk_a, "people", csv_bytes(FILE))
    assert batch.is_clean
    # Someone registers the 7th person between the preview and the commit.
    with unrestricted():
        Person.objects.create(
            county=county_a,
            id_number=FILE[6][0],
            name="先登记",
            sex="M",
            birth_date=date(1990, 1, 1),
            category="in_service",
        )
    batch = commit(batch)
    assert set_aside == [True]
    assert batch.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in batch.errors] == [(8, "身份证号码")]  # header is row 1
    assert "已登记" in batch.errors[0]["reason"]
    assert _count() == 1 and _schema() == before


def test_without_the_table_lock_it_writes_row_by_row(clerk_a, set_aside, monkeypatch):
    monkeypatch.setattr(bulkload, "LOCK_WAIT", "200ms")
    batch = preview(clerk_a, "people", csv_bytes(FILE))
    settings = connection.settings_dict
    # A clerk's long transaction is reading the person table from another connection.
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
    ) as reader:
        reader.execute(f"SELECT count(*) FROM {TABLE}")
        batch = commit(batch)
    assert set_aside == [False]
    assert batch.status == ImportStatus.COMMITTED and _count() == len(FILE)


def test_the_runtime_role_loads_row_by_row_for_it_owns_no_index(clerk_a, monkeypatch):
    monkeypatch.setattr(bulkload, "MIN_ROWS", 1)
    monkeypatch.setattr(bulkload, "_rows_now", lambda table: 0)
    before = _schema()
    batch = commit(preview(clerk_a, "people", csv_bytes(FILE)))
    assert batch.status == ImportStatus.COMMITTED and _count() == len(FILE)
    with bulkload.indexes_set_aside(TABLE) as done:
        assert done is False
    assert _schema() == before


def test_only_a_load_large_against_the_table_sets_indexes_aside(db, monkeypatch):
    monkeypatch.setattr(bulkload, "MIN_ROWS", 10)
    monkeypatch.setattr(bulkload, "_rows_now", lambda table: 1000)
    assert not bulkload.worth_setting_aside(TABLE, 9)
    assert bulkload.worth_setting_aside(TABLE, 500)
    assert not bulkload.worth_setting_aside(TABLE, 499)


def test_it_reckons_rows_from_the_pages_when_statistics_are_stale(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bulk_rows (a int, b text)")
        cursor.execute(
            "INSERT INTO bulk_rows SELECT g, repeat('x', 50) FROM generate_series(1, 20000) g"
        )
        cursor.execute("ANALYZE bulk_rows")
        assert 19_000 <= bulkload._rows_now("bulk_rows") <= 21_000
        # A load since the last ANALYZE: the statistics still say 20,000, the pages say twice that.
        cursor.execute(
            "INSERT INTO bulk_rows SELECT g, repeat('x', 50) FROM generate_series(1, 20000) g"
        )
        assert 38_000 <= bulkload._rows_now("bulk_rows") <= 42_000

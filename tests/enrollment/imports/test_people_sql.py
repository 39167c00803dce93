"""The set-wise (PostgreSQL) people path agrees with the row-by-row Python path.

Each file below is run twice, once with the SQL screen switched off and once with
it on: the preview must list the very same (row, column, reason) errors, and a
committed file must leave the very same people. The screen must also really be
used for the clean files (else this proves nothing) and must never pass a file the
validators refuse.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from enrollment.imports import kinds as import_kinds
from enrollment.imports import people_sql as import_sql
from enrollment.models import Person
from pooling.imports.models import ImportStatus
from pooling.kernel.scoping import unrestricted
from tests.enrollment.imports.helpers import bad_check, commit, id_number, preview
from tests.pooling.imports.malformed import CASES

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'")

HEADER = "身份证号码,姓名,人员类别,经办机构代码,联系电话,住址,特殊群体,系统外累计缴费月数"
FIELDS = (
    "county_id",
    "id_number",
    "name",
    "sex",
    "birth_date",
    "phone",
    "address",
    "category",
    "special_group",
    "prior_contribution_months",
    "created_by_id",
)


def _x_check_id() -> str:
    for seq in range(1, 999):
        number = id_number(seq=seq, birth="19850607")
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit")


def good(seq: int, **cells: str) -> list[str]:
    row = {
        "id": id_number(seq=seq),
        "name": "张三",
        "category": "在职职工",
        "county": "320902",
        "phone": "13800000000",
        "address": "盐城市亭湖区示例路1号",
        "group": "",
        "months": "",
    }
    row.update(cells)
    return list(row.values())


def csv_bytes(rows: list[list[str]], *, header: str = HEADER, tail: str = "\n") -> bytes:
    return (header + "\n" + "\n".join(",".join(r) for r in rows) + tail).encode("utf-8")


BASE = [good(1), good(2, name="李四", category="退休人员"), good(3, county="")]
X_ID = _x_check_id()

CLEAN_FILES = {
    "plain": BASE,
    "x check digit, codes and labels": BASE
    + [
        good(
            4, id=X_ID, category="in_service", group="低保对象", months="120", phone="0515-88886666"
        ),
        good(5, category="未成年人/学生", group="tekun", months="0", phone="", address=""),
        good(6, name="欧阳 娜娜", category="学生", months="1200", phone="051588886666-12"),
    ],
}

BAD_ROWS = {
    "short id": good(10, id=id_number(seq=10)[:17]),
    "letter in id": good(11, id="32090219900101A01" + "1"),
    "lower-case x": good(12, id=X_ID.lower()),  # valid after normalizing: the screen defers
    "unknown area": good(13, id=id_number(area="990101", seq=13)),
    "31 February": good(14, id=id_number(birth="19900231", seq=14)),
    "born before 1880": good(15, id=id_number(birth="18790101", seq=15)),
    "born in the future": good(16, id=id_number(birth="20990101", seq=16)),
    "bad check digit": good(17, id=bad_check(id_number(seq=17))),
    "id with outer space": good(18, id=" " + id_number(seq=18)),
    "empty name": good(19, name=""),
    "name too long": good(20, name="张" * 51),
    "full-width space in name": good(21, name="张\u3000三"),
    "name with a quote": good(22, name='"张""三"'),
    "unknown category": good(23, category="神仙"),
    "empty category": good(24, category=""),
    "unknown county": good(25, county="320999"),
    "bad phone": good(26, phone="12345"),
    "phone with a space": good(27, phone="138 0000 0000"),
    "address too long": good(28, address="路" * 201),
    "unknown special group": good(29, group="贫困户"),
    "months too many": good(30, months="1201"),
    "months not a number": good(31, months="十二"),
    "full-width digits in months": good(32, months="１２"),
    "duplicate in file": good(1, name="张三"),
    "non-breaking space after name": good(33, name="张三\u00a0"),
}


REAL_PEOPLE_BULK = import_sql.people_bulk


def _people() -> list[tuple]:
    with unrestricted():
        return sorted(Person.objects.values_list(*FIELDS))


def _run(user, data: bytes, *, sql: bool, monkeypatch) -> tuple[list, list, list]:
    """Preview and (if clean) commit the file; the errors, the people written, the SQL verdicts."""
    verdicts: list = []
    real = REAL_PEOPLE_BULK

    def spy(*args, **kwargs):
        verdicts.append(real(*args, **kwargs) if sql else None)
        return verdicts[-1]

    monkeypatch.setattr(import_sql, "people_bulk", spy)
    batch = preview(user, "people", data)
    errors = [(e["row"], e["column"], e["reason"]) for e in batch.errors]
    people: list = []
    if batch.status == ImportStatus.PREVIEWED and batch.is_clean:
        batch = commit(batch)
        assert batch.status == ImportStatus.COMMITTED, batch.errors
        people = _people()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Person._meta.db_table}")
    return errors, people, verdicts


@pytest.mark.parametrize("name", CLEAN_FILES)
def test_the_sql_path_writes_what_the_python_path_writes(name, clerk_a, monkeypatch):
    data = csv_bytes(CLEAN_FILES[name])
    errors_py, people_py, _ = _run(clerk_a, data, sql=False, monkeypatch=monkeypatch)
    errors_sql, people_sql, verdicts = _run(clerk_a, data, sql=True, monkeypatch=monkeypatch)
    assert errors_py == errors_sql == []
    assert verdicts == [len(CLEAN_FILES[name])] * 2, "the screen passed the clean file"
    assert people_sql == people_py and len(people_sql) == len(CLEAN_FILES[name])
    assert {p[4] for p in people_sql} >= {date(1990, 1, 1)}


def test_a_gbk_file_takes_the_set_wise_path_and_keeps_rare_characters(clerk_a, monkeypatch):
    # 䶮 (CJK extension A) and 𠀀 (extension B, four bytes in GB18030): names decoded by
    # Python's codec on both paths, so the person table holds the same text either way.
    rows = BASE + [good(7, name="刘䶮"), good(8, name="李𠀀")]
    data = (HEADER + "\n" + "\n".join(",".join(r) for r in rows) + "\n").encode("gb18030")
    errors_py, people_py, _ = _run(clerk_a, data, sql=False, monkeypatch=monkeypatch)
    errors_sql, people_sql, verdicts = _run(clerk_a, data, sql=True, monkeypatch=monkeypatch)
    assert errors_py == errors_sql == [] and verdicts == [len(rows)] * 2
    assert people_sql == people_py and {p[2] for p in people_sql} >= {"刘䶮", "李𠀀"}


@pytest.mark.parametrize("name", BAD_ROWS)
def test_the_sql_screen_never_passes_a_row_the_validators_refuse(name, clerk_a, monkeypatch):
    data = csv_bytes(BASE + [BAD_ROWS[name]])
    errors_py, people_py, _ = _run(clerk_a, data, sql=False, monkeypatch=monkeypatch)
    errors_sql, people_sql, verdicts = _run(clerk_a, data, sql=True, monkeypatch=monkeypatch)
    assert errors_sql == errors_py
    assert people_sql == people_py
    if errors_py:
        assert verdicts == [None], "a refused file went through the screen"


@pytest.mark.parametrize(
    "data",
    [
        csv_bytes(BASE, tail="\n\n"),  # a blank line at the end
        csv_bytes(BASE + [["", "", "", "", "", "", "", ""]]),  # Excel's ",,,," rows
        csv_bytes(BASE + [good(40)[:5]]),  # ragged row
        csv_bytes(
            BASE + [["\\.", "", "", "", "", "", "", ""]] + [good(41)]
        ),  # COPY's end-of-data marker
        # Python reads the cells 张"三 and 李" (one too many); PostgreSQL opens a quote
        # mid-field and reads one cell 张三,李 — a row that would look clean to the screen.
        csv_bytes(
            [r + [""] for r in BASE]
            + [[id_number(seq=42), '张"三', '李"'] + good(42)[2:] + ["备注"]],
            header=HEADER + ",备注",
        ),
    ],
)
def test_odd_files_go_row_by_row_with_the_same_result(data, clerk_a, monkeypatch):
    assert (
        _run(clerk_a, data, sql=True, monkeypatch=monkeypatch)[:2]
        == _run(clerk_a, data, sql=False, monkeypatch=monkeypatch)[:2]
    )


def test_an_id_already_registered_is_refused_by_both_paths(clerk_a, monkeypatch):
    monkeypatch.setattr(
        import_kinds.PersonKind, "bulk_check", lambda self, batch, ctx, *, write: None
    )
    assert commit(preview(clerk_a, "people", csv_bytes([good(1)]))).status == ImportStatus.COMMITTED
    monkeypatch.undo()
    data = csv_bytes(BASE)
    errors_sql, _, verdicts = _run(clerk_a, data, sql=True, monkeypatch=monkeypatch)
    errors_py, _, _ = _run(clerk_a, data, sql=False, monkeypatch=monkeypatch)
    assert errors_sql == errors_py and errors_sql and verdicts == [None]


MALFORMED = [case for case in CASES if case.is_csv]


@pytest.mark.parametrize("case", MALFORMED, ids=[case.name for case in MALFORMED])
def test_both_paths_refuse_each_malformed_file_with_the_same_messages(case, clerk_a, monkeypatch):
    errors_py, people_py, _ = _run(clerk_a, case.data, sql=False, monkeypatch=monkeypatch)
    errors_sql, people_sql, verdicts = _run(clerk_a, case.data, sql=True, monkeypatch=monkeypatch)
    assert errors_sql == errors_py == case.expected
    assert people_sql == people_py == []
    assert verdicts == [None], "the screen passed a file the reader refuses"


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("control character in the middle of a name", [good(1, name="张\x01三")]),
        ("a UTF-8 row in a GBK file", None),
        ("an unknown column", None),
        ("a row number column", None),
    ],
)
def test_the_screen_defers_what_only_the_reader_can_name(name, rows, clerk_a, monkeypatch):
    if name == "a UTF-8 row in a GBK file":
        data = (
            csv_bytes(BASE).decode().encode("gbk")
            + (",".join(good(5, name="李四")) + "\n").encode()
        )
    elif name == "an unknown column":
        data = csv_bytes([r + ["x"] for r in BASE], header=HEADER + ",备注")
    elif name == "a row number column":
        data = csv_bytes([[str(i)] + r for i, r in enumerate(BASE, 1)], header="序号," + HEADER)
    else:
        data = csv_bytes(BASE + rows)
    errors_py, people_py, _ = _run(clerk_a, data, sql=False, monkeypatch=monkeypatch)
    errors_sql, people_sql, verdicts = _run(clerk_a, data, sql=True, monkeypatch=monkeypatch)
    assert (errors_sql, people_sql) == (errors_py, people_py)
    assert verdicts and set(verdicts) == {
        None
    }  # preview (and commit, for the clean row-number file)


# --- cell by cell: the screen's SQL and the validators over one corpus --------------------

CELL_CORPUS = {
    "name": [
        "张三",
        "",
        "张" * 50,
        "张" * 51,
        " 张三",
        "张三 ",
        "张\u3000三",
        "欧阳 娜娜",
        "张三\u00a0",
        "O'Neil",
    ],
    "phone": [
        "",
        "13800000000",
        "138 0000 0000",
        "0515-88886666",
        "051588886666-12",
        "88886666",
        "12345",
        "１３８００００００００",
        "1380000000a",
        "0515-8888666",
        "28000000000",
    ],
    "address": ["", "路" * 200, "路" * 201, " 盐城", "盐城 ", "盐城市亭湖区示例路1号"],
    "prior_months": ["", "0", "1200", "1201", "-1", "十二", "１２", "01200", "12.0", "00000"],
}


def _python_cell(column: str, raw: str) -> str | None:
    """What the row path stores for a raw cell (the reader strips it first); None: refused."""
    from enrollment import validators as v
    from pooling.kernel.errors import BusinessRuleError

    text = raw.strip()
    try:
        if column == "name":
            return v.check_name(text)
        if column == "phone":
            return v.check_phone(text)
        if column == "address":
            return text if len(text) <= v.ADDRESS_MAX else None
        return str(v.parse_prior_months(text))
    except BusinessRuleError:
        return None


def test_the_screen_and_the_validators_judge_each_cell_alike(db):
    base = {"id": id_number(seq=1), "name": "张三", "phone": "", "address": "", "prior_months": ""}
    cells = [(column, value) for column, values in CELL_CORPUS.items() for value in values]
    rows = [{**base, column: value} for column, value in cells]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE cells (id text, name text, phone text, address text, prior_months text)"
        )
        cursor.executemany(
            "INSERT INTO cells VALUES (%(id)s, %(name)s, %(phone)s, %(address)s, %(prior_months)s)",
            rows,
        )
        cursor.execute(
            f"SELECT coalesce({import_sql.CELLS_CLEAN}, false) FROM cells s ORDER BY ctid",
            {"space": import_sql._PY_SPACE, "phone": import_sql._PHONE},
        )
        screened = [ok for (ok,) in cursor.fetchall()]
    assert any(screened), "the screen passed no cell at all"
    for (column, raw), in_sql in zip(cells, screened, strict=True):
        stored = _python_cell(column, raw)
        if in_sql:  # never passes what Python refuses or would store differently
            assert stored == (raw or ("0" if column == "prior_months" else "")), (column, raw)
        elif raw == raw.strip() and stored is not None and str(stored) == raw:
            pytest.fail(
                f"the screen is stricter than the validators on a plain cell: {column}={raw!r}"
            )

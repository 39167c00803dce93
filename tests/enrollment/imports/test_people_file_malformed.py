"""The people import, attacked through the upload page with what tests/pooling/imports/malformed.py
does not hold yet: formulas typed as text, numbers Excel turned into 3.2E+17, whitespace-only cells,
unusual but sound encodings and headers, trailing blank rows, one bad row among many, and another
county's row slipped in. Each bad file: no 500, every error by row, column and reason (in English
too), nothing written — whichever path screens it (the set-wise PostgreSQL screen or row by row).
"""

from __future__ import annotations

import codecs
import io
import random
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook

from enrollment import validators as v
from enrollment.models import Person
from pooling.imports import kinds
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.imports.services import batch_commit
from pooling.kernel import codes
from pooling.kernel.scoping import unrestricted
from pooling.tabular import errors as e
from tests.enrollment.imports.helpers import id_number
from tests.pooling.imports.malformed import HEADER, csv_bytes, row, text, xlsx_bytes
from tests.pooling.imports.pages import assert_refused, table_counts, upload_page

FILE = None
OPTIONAL = ["联系电话", "住址", "系统外累计缴费月数"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def send(client_for, clerk_a, django_capture_on_commit_callbacks):
    """Upload through the import page as 亭湖区's clerk; the batch after its preview."""

    def upload(data: bytes, name: str = "人员.csv", user=None) -> ImportBatch:
        client = client_for(user or clerk_a)
        return upload_page(client, django_capture_on_commit_callbacks, "people", data, name)

    return upload


def people(count: int = 3, **cells: str) -> list[list[str]]:
    """Sound rows (extra columns: 联系电话, 住址, 系统外累计缴费月数); `cells` change row 3."""
    rows = [row(n) + ["13800000000", "亭湖区示例路1号", "12"] for n in range(1, count + 1)]
    for column, value in cells.items():
        rows[1][(HEADER + OPTIONAL).index(column)] = value
    return rows


def sheet(rows: list[list[str]], header: list[str] = HEADER + OPTIONAL, **kw: Any) -> bytes:
    return csv_bytes(rows, header=header, **kw)


def _styled_last_row(book: Workbook) -> None:
    book.active.cell(row=1_048_576, column=2).number_format = "@"


def _hidden_sheet(book: Workbook) -> None:
    hidden = book.create_sheet("下拉选项")
    hidden.append(["人员类别"])
    hidden.append(["在职职工"])
    hidden.sheet_state = "hidden"


def _zip(_rows: list[list[str]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("人员.csv", sheet(people()))
    return out.getvalue()


ACCEPTED: list[tuple[str, Callable[[list[list[str]]], bytes], str]] = [
    ("UTF-8 with a BOM", lambda rows: codecs.BOM_UTF8 + sheet(rows), "人员.csv"),
    ("GBK", lambda rows: sheet(rows, encoding="gbk"), "人员.csv"),
    ("GB18030", lambda rows: sheet(rows, encoding="gb18030"), "人员.csv"),
    (
        "the columns' own keys as headers",
        lambda rows: sheet(
            rows,
            header=["id_number", "name", "category", "county", "phone", "address", "prior_months"],
        ),
        "人员.csv",
    ),
    (
        "headers with spaces, * and full-width forms",
        lambda rows: sheet(
            rows,
            header=[
                "*身份证号码 ",
                "姓　名",
                "人员类别＊",
                "经办机构代码",
                "联系电话",
                "住址",
                "系统外累计缴费月数",
            ],
        ),
        "人员.csv",
    ),
    (
        "columns in another order",
        lambda rows: sheet([r[::-1] for r in rows], header=(HEADER + OPTIONAL)[::-1]),
        "人员.csv",
    ),
    ("a CSV named .xlsx", lambda rows: sheet(rows), "人员.xlsx"),
    ("a workbook named .csv", lambda rows: xlsx_bytes([HEADER + OPTIONAL, *rows]), "人员.csv"),
    ("CRLF line ends", lambda rows: sheet(rows, newline="\r\n"), "人员.csv"),
    (
        "100,000 blank rows at the end",
        lambda rows: sheet(rows) + b",,,,,,\r\n" * 100_000,
        "人员.csv",
    ),
    (
        "a workbook formatted down to row 1,048,576",
        lambda rows: xlsx_bytes([HEADER + OPTIONAL, *rows], _styled_last_row),
        "人员.xlsx",
    ),
    (
        "a hidden sheet of drop-down choices",
        lambda rows: xlsx_bytes([HEADER + OPTIONAL, *rows], _hidden_sheet),
        "人员.xlsx",
    ),
]


@pytest.mark.parametrize(("make", "name"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_an_unusual_but_sound_file_is_accepted(send, make, name):
    batch = send(make(people()), name)
    assert (batch.status, batch.errors, batch.rows_total) == (ImportStatus.PREVIEWED, [], 3)


NAMES = [
    "人员花名册" * 60 + ".csv",
    "../../人员.csv",
    ".csv",
    "人员.CSV",
    "人员.csv.xlsx",
    "人员\u3000名单 .csv",
]


@pytest.mark.parametrize(
    "name",
    NAMES,
    ids=["300 Chinese characters", "a path", "no stem", "upper-case", "two suffixes", "spaces"],
)
def test_any_file_name_a_browser_sends_is_stored(send, name):
    batch = send(sheet(people()), name)  # 900 bytes of name crashed the upload (ENAMETOOLONG)
    assert (batch.status, batch.errors) == (ImportStatus.PREVIEWED, [])
    assert len(batch.stored_name.rsplit("/", 1)[-1].encode()) < 255


def test_a_sound_file_is_written_once_with_its_values_intact(send):
    batch = batch_commit(batch_id=send(sheet(people(), encoding="gbk")).pk)
    assert batch.status == ImportStatus.COMMITTED, batch.errors
    with unrestricted():
        person = Person.objects.get(id_number=id_number(seq=2))
    assert (person.name, person.address) == ("张2", "亭湖区示例路1号")


FILE_CASES: list[tuple[str, bytes, str, str]] = [
    ("only a BOM", codecs.BOM_UTF8, "人员.csv", text(e.EMPTY_FILE)),
    ("header only, as a workbook", xlsx_bytes([HEADER]), "人员.xlsx", text(e.HEADER_ONLY)),
    ("a ZIP of a CSV", _zip([]), "人员.xlsx", text(e.ZIP_NOT_XLSX)),
    (
        "a workbook cut short",
        xlsx_bytes([HEADER, *people()])[:3000],
        "人员.xlsx",
        text(e.BAD_XLSX),
    ),
    (
        "UTF-16 comma-separated",
        codecs.BOM_UTF16_LE + sheet(people()).decode().encode("utf-16-le"),
        "人员.csv",
        text(e.UTF16_TEXT),
    ),
    (
        "a JPEG named .csv",
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,
        "人员.csv",
        text(e.NOT_A_TABLE, what="JPEG 图片"),
    ),
]


@pytest.mark.parametrize(
    ("data", "name", "reason"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES]
)
def test_a_file_that_is_no_people_table_is_refused_as_a_whole(send, data, name, reason):
    before = table_counts()
    assert_refused(send(data, name), [(FILE, "", reason)], before)


@pytest.mark.parametrize("seed", range(4))
def test_binary_garbage_is_refused_with_a_reason(send, seed):
    data = random.Random(seed).randbytes(10_000)
    if seed % 2:
        data = bytes(0x80 | b for b in data)  # no control byte: passes for GB18030 text
    before = table_counts()
    batch = send(data)
    assert batch.status == ImportStatus.FAILED and batch.file_error
    assert batch.errors[0]["code"] != "internal_error" and table_counts() == before


ROW = 3


def cell_cases() -> list[tuple[str, dict[str, str], list[tuple[str, str]]]]:
    return [
        (
            "a formula typed as the name",
            {"姓名": "=1+1"},
            [("姓名", text(e.FORMULA, cell=f"B{ROW}", formula="=1+1"))],
        ),
        (
            "a HYPERLINK formula as the address",
            {"住址": '=HYPERLINK("http://x.example/a")'},
            [("住址", text(e.FORMULA, cell=f"F{ROW}", formula='=HYPERLINK("http://x.example/a")'))],
        ),
        (
            "an ID number Excel showed as 3.20902E+17",
            {"身份证号码": "3.20902E+17"},
            [("身份证号码", text(e.NUMBER_TOO_LONG))],
        ),
        (
            "a mobile number Excel showed as 1.38E+10",
            {"联系电话": "1.38E+10"},
            [("联系电话", text(e.NUMBER_TOO_LONG))],
        ),
        (
            "a whitespace-only name",
            {"姓名": " \u3000 "},
            [("姓名", text(kinds.REQUIRED))],
        ),
        (
            "an empty ID number",
            {"身份证号码": ""},
            [("身份证号码", text(kinds.REQUIRED))],
        ),
        (
            "full-width digits in the ID number",
            {"身份证号码": "３２０９０２１９９００１０１００２Ｘ"},
            [
                (
                    "身份证号码",
                    text(
                        e.FULLWIDTH,
                        value="３２０９０２１９９００１０１００２Ｘ",
                        suggestion="32090219900101002X",
                    ),
                )
            ],
        ),
        (
            "an ID number with a wrong check digit",
            {"身份证号码": id_number(seq=2)[:-1] + ("0" if id_number(seq=2)[-1] != "0" else "1")},
            [
                (
                    "身份证号码",
                    text(
                        codes.ID_BAD_CHECK_DIGIT,
                        expected=id_number(seq=2)[-1],
                        actual="0" if id_number(seq=2)[-1] != "0" else "1",
                    ),
                )
            ],
        ),
        (
            "months as a huge number",
            {"系统外累计缴费月数": "9" * 30},
            [("系统外累计缴费月数", text(v.BAD_PRIOR_MONTHS, value="9" * 30))],
        ),
        (
            "months with a thousands separator",
            {"系统外累计缴费月数": '"1,000"'},  # quoted, as Excel writes it
            [("系统外累计缴费月数", text(v.BAD_PRIOR_MONTHS, value="1,000"))],
        ),
        (
            "a negative number of months",
            {"系统外累计缴费月数": "-12"},
            [("系统外累计缴费月数", text(v.BAD_PRIOR_MONTHS, value="-12"))],
        ),
        (
            "a name longer than the register keeps",
            {"姓名": "张" * 51},
            [("姓名", text(v.BAD_NAME))],
        ),
        (
            "an address of 40,000 characters",
            {"住址": "路" * 40_000},
            [("住址", text(e.TOO_LONG, length=40_000, limit=v.ADDRESS_MAX))],
        ),
    ]


CELL_CASES = cell_cases()


@pytest.mark.parametrize(
    ("cells", "expected"), [c[1:] for c in CELL_CASES], ids=[c[0] for c in CELL_CASES]
)
def test_a_bad_cell_is_named_by_row_and_column(send, cells, expected):
    before = table_counts()
    batch = send(sheet(people(**cells)))
    assert_refused(batch, [(ROW, column, reason) for column, reason in expected], before)


def test_a_workbook_cell_typed_as_a_formula_text_is_refused(send):
    rows = people()
    rows[1][1] = "=CONCATENATE(A1)"  # a string cell in the workbook, not a formula
    before = table_counts()
    assert_refused(
        send(xlsx_bytes([HEADER + OPTIONAL, *rows]), "人员.xlsx"),
        [(ROW, "姓名", text(e.FORMULA, cell=f"B{ROW}", formula="=CONCATENATE(A1)"))],
        before,
    )


def test_one_bad_row_among_many_good_ones_stops_the_whole_file(send):
    rows = [
        row(n, id=id_number(birth=f"19{50 + n // 900}0101", seq=n % 900 + 1)) + ["", "", ""]
        for n in range(1, 401)
    ]
    rows[250][6] = "１２"  # Excel row 252
    before = table_counts()
    batch = send(sheet(rows))
    assert_refused(
        batch,
        [(252, "系统外累计缴费月数", text(e.FULLWIDTH, value="１２", suggestion="12"))],
        before,
    )
    assert batch.rows_total == 400


def test_a_clerk_cannot_slip_another_countys_person_among_their_own(send):
    rows = people(经办机构代码="320903")
    before = table_counts()
    assert_refused(
        send(sheet(rows)),
        [(ROW, "经办机构代码", text(kinds.OTHER_COUNTY_ROW, code="320903", own="320902"))],
        before,
    )


def test_a_county_code_that_lost_a_digit_is_named(send):
    before = table_counts()
    assert_refused(
        send(sheet(people(经办机构代码="32092"))),
        [(ROW, "经办机构代码", text(kinds.UNKNOWN_COUNTY, code="32092"))],
        before,
    )

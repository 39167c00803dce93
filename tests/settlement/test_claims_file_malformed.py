"""Claims by file, attacked with the files a provider's clerk really uploads — through the page.

For each bad file: the page answers (never a 500), the batch ends failed with every error named
by row (as in Excel), column (as the file's header says) and reason, in Chinese and in English,
and no table changed. Files that are only unusual (GBK, English headers, another column order,
dates typed in the ways people type them, 100,000 blank rows Excel left behind) are accepted.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import random
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from openpyxl import Workbook

from pooling.imports import kinds
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.kernel import dates, money
from pooling.kernel.scoping import unrestricted
from pooling.tabular import errors as e
from settlement.imports import kinds as claims
from settlement.models import Settlement, Visit
from tests.pooling.imports.malformed import xlsx_bytes
from tests.pooling.imports.pages import assert_refused, found, table_counts, upload_page

HEADER = [
    "定点机构编码",
    "就诊流水号",
    "身份证号码",
    "险种类型",
    "医疗类别",
    "就诊/入院时间",
    "出院时间",
    "主要诊断编码",
    "使用个人账户",
    "费用明细流水号",
    "医保目录编码",
    "项目名称",
    "数量",
    "单价",
    "金额",
    "费用发生时间",
]
ENGLISH = [
    "fixmedins_code",
    "ipt_otp_no",
    "certno",
    "insutype",
    "med_type",
    "begntime",
    "endtime",
    "dise_codg",
    "acct_used_flag",
    "feedetl_sn",
    "med_list_codg",
    "med_list_name",
    "cnt",
    "pric",
    "det_item_fee_sumamt",
    "fee_ocur_time",
]
FILE = None  # a problem with the whole file


def text(message: Any, **params: Any) -> str:
    return str(message) % params if params else str(message)


def letter(column: str) -> str:
    return e.column_letter(HEADER.index(column))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(days: int, hour: int = 9, minute: int = 0) -> datetime:
    when = timezone.localdate() - timedelta(days=days)
    return datetime(when.year, when.month, when.day, hour, minute)


@pytest.fixture
def good(hospital, people) -> list[dict[str, str]]:
    """Three fee lines of two visits (an outpatient visit of two lines, a stay of one) that settle."""
    fmt = "%Y-%m-%d %H:%M:%S"
    common = {"定点机构编码": hospital.national_code, "主要诊断编码": "", "使用个人账户": "0"}
    outpatient = {
        **common,
        "就诊流水号": "MZ1",
        "身份证号码": people.employee.id_number,
        "险种类型": "310",
        "医疗类别": "11",
        "就诊/入院时间": at(2).strftime(fmt),
        "出院时间": "",
    }
    stay = {
        **common,
        "就诊流水号": "ZY1",
        "身份证号码": people.resident.id_number,
        "险种类型": "390",
        "医疗类别": "21",
        "就诊/入院时间": at(5, 10).strftime(fmt),
        "出院时间": at(1).strftime(fmt),
    }
    lines = [
        (outpatient, "1", "001102000000100", "诊查费", "1", "20.00", "20.00", at(2, 9, 10)),
        (outpatient, "2", "250101001000000", "血常规", "1", "1000.00", "1000.00", at(2, 9, 20)),
        (stay, "1", "110900001000000", "床位费", "4", "50.00", "200.00", at(4, 10)),
    ]
    return [
        {
            **visit,
            "费用明细流水号": sn,
            "医保目录编码": code,
            "项目名称": name,
            "数量": qty,
            "单价": price,
            "金额": amount,
            "费用发生时间": when.strftime(fmt),
        }
        for visit, sn, code, name, qty, price, amount, when in lines
    ]


def changed(rows: list[dict[str, str]], index: int = 1, **cells: str) -> list[dict[str, str]]:
    """The rows with some cells of one row (index 1: Excel's row 3) replaced."""
    out = [dict(r) for r in rows]
    out[index].update(cells)
    return out


def matrix(rows: list[dict[str, str]], header: list[str] = HEADER) -> list[list[str]]:
    return [header] + [[r[h] for h in HEADER] for r in rows]


to_xlsx = functools.partial(xlsx_bytes, title="结算明细")  # the sheet as a provider names it


def to_csv(
    rows: list[dict[str, str]] | list[list[str]],
    *,
    header: list[str] = HEADER,
    encoding: str = "utf-8",
    tail: str = "",
) -> bytes:
    table = matrix(rows, header) if rows and isinstance(rows[0], dict) else [header, *rows]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(table)
    return (out.getvalue() + tail).encode(encoding)


def typed(rows: list[dict[str, str]]) -> list[list[Any]]:
    """The rows as Excel holds them when the clerk types them: times as dates, numbers as numbers."""
    out: list[list[Any]] = [HEADER]
    for r in rows:
        values: list[Any] = []
        for h in HEADER:
            value: Any = r[h]
            if value and h in ("就诊/入院时间", "出院时间", "费用发生时间"):
                value = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
            elif h in ("数量", "单价", "金额", "险种类型", "医疗类别", "费用明细流水号"):
                value = float(value) if "." in value else int(value)
            values.append(value)
        out.append(values)
    return out


@pytest.fixture
def send(client_for, clerk_a, django_capture_on_commit_callbacks):
    """Upload a file through the import page as 亭湖区's clerk; the batch after its preview."""

    def upload(data: bytes, name: str = "结算.csv", user=None) -> ImportBatch:
        client = client_for(user or clerk_a)
        capture = django_capture_on_commit_callbacks
        return upload_page(client, capture, "settlement_claims", data, name)

    return upload


def assert_clean(batch: ImportBatch, rows: int = 3) -> None:
    assert (batch.status, batch.errors) == (ImportStatus.PREVIEWED, []), batch.errors
    assert batch.rows_total == rows


# --- the file as a whole ------------------------------------------------------------------


def _truncated_xlsx(rows: list[dict[str, str]]) -> bytes:
    data = to_xlsx(matrix(rows))
    return data[: len(data) // 2]


def _not_an_xlsx_zip(rows: list[dict[str, str]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("结算.csv", to_csv(rows))
    return out.getvalue()


def _docx(_rows: list[dict[str, str]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _utf16(rows: list[dict[str, str]]) -> bytes:
    lines = ["\t".join(r) for r in matrix(rows)]
    return codecs.BOM_UTF16_LE + "\r\n".join(lines).encode("utf-16-le")


def _encrypted(_rows: list[dict[str, str]]) -> bytes:
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 512
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 512
    )


FILE_CASES: list[tuple[str, Callable[[list[dict[str, str]]], bytes], str, str]] = [
    ("empty file", lambda rows: b"", "结算.csv", text(e.EMPTY_FILE)),
    ("only a BOM", lambda rows: codecs.BOM_UTF8, "结算.csv", text(e.EMPTY_FILE)),
    ("blank lines only", lambda rows: b",,,\r\n\r\n  \r\n", "结算.csv", text(e.EMPTY_FILE)),
    ("header only", lambda rows: to_csv([]), "结算.csv", text(e.HEADER_ONLY)),
    ("header only, xlsx", lambda rows: to_xlsx([HEADER]), "结算.xlsx", text(e.HEADER_ONLY)),
    ("a ZIP that is not a workbook", _not_an_xlsx_zip, "结算.xlsx", text(e.ZIP_NOT_XLSX)),
    ("a Word document named .xlsx", _docx, "结算.xlsx", text(e.ZIP_NOT_XLSX)),
    ("a workbook cut in half", _truncated_xlsx, "结算.xlsx", text(e.BAD_XLSX)),
    ("a password-protected workbook", _encrypted, "结算.xlsx", text(e.ENCRYPTED)),
    ("Excel's Unicode text (UTF-16)", _utf16, "结算.txt", text(e.UTF16_TEXT)),
    (
        "a PNG named .csv",
        lambda rows: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        "结算.csv",
        text(e.NOT_A_TABLE, what="PNG 图片"),
    ),
]


@pytest.mark.parametrize(
    ("make", "name", "reason"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES]
)
def test_a_file_that_is_not_a_table_of_claims_is_refused_as_a_whole(send, good, make, name, reason):
    before = table_counts()
    assert_refused(send(make(good), name), [(FILE, "", reason)], before)


@pytest.mark.parametrize("seed", range(6))
def test_binary_garbage_is_refused_with_a_reason_not_a_crash(send, good, seed):
    noise = random.Random(seed)
    data = noise.randbytes(20_000)
    if seed % 2:  # high bytes only: no control byte gives it away, GB18030 would read most of it
        data = bytes(0x80 | b for b in data)
    before = table_counts()
    batch = send(data, "结算.csv")
    assert batch.status == ImportStatus.FAILED and batch.file_error, batch.errors
    assert batch.errors[0]["code"] != "internal_error"
    assert table_counts() == before


# --- what is only unusual is accepted --------------------------------------------------------


def test_a_clean_file_settles_and_is_written_once(send, good):
    batch = send(to_csv(good))
    assert_clean(batch)
    from pooling.imports.services import batch_commit

    batch = batch_commit(batch_id=batch.pk)
    assert batch.status == ImportStatus.COMMITTED, batch.errors
    with unrestricted():
        assert Visit.objects.count() == 2 and Settlement.objects.count() == 2


def test_a_short_all_digit_code_the_catalogue_does_not_know_padded_is_taken_as_written(send, good):
    """Only a code whose zeros Excel dropped (the catalogue knows it with them) is refused: a
    short code of digits that is nobody's padded code settles as outside the catalogue."""
    rows = [dict(r) for r in good]
    rows[0]["医保目录编码"] = "12345"
    batch = send(to_csv(rows))
    assert (batch.status, found(batch)) == (ImportStatus.PREVIEWED, [])


def test_a_workbooks_true_cell_asks_for_the_personal_account(send, good):
    rows = typed(good)
    rows[1][HEADER.index("使用个人账户")] = True  # a TRUE/FALSE cell, as Excel stores one
    rows[2][HEADER.index("使用个人账户")] = True
    from pooling.imports.services import batch_commit

    batch = batch_commit(batch_id=send(to_xlsx(rows), "结算.xlsx").pk)
    assert batch.status == ImportStatus.COMMITTED, batch.errors
    with unrestricted():
        assert Settlement.objects.get(med_type="11").acct_pay == 50000  # the whole balance


def test_amounts_excel_computed_are_read_as_excel_shows_them(send, good):
    """A computed cell pasted as values keeps the binary float (0.1 + 0.2 is kept as
    0.30000000000000004); Excel shows it, and computes with it, to 15 significant digits."""
    rows = typed(good)
    rows[1][HEADER.index("数量")] = 3
    rows[1][HEADER.index("单价")] = 333.33 + 1e-13  # written 333.3300000000001
    rows[1][HEADER.index("金额")] = 999.99 - 1e-13  # written 999.9899999999999
    batch = send(to_xlsx(rows), "结算.xlsx")
    assert (batch.status, found(batch)) == (ImportStatus.PREVIEWED, [])


def test_a_title_above_the_header_is_named_as_such(send, good):
    data = to_csv(matrix(good), header=["2026年6月 二院 结算明细"] + [""] * 15)
    before = table_counts()
    reason = text(e.TITLE_ROW, row=1, title="2026年6月 二院 结算明细")
    assert_refused(send(data), [(1, "", reason)], before)


def test_a_merged_title_above_the_header_is_named_as_such(send, good):
    def title(book: Workbook) -> None:
        sheet = book.active
        sheet.insert_rows(1)
        sheet["A1"] = "2026年6月 结算明细"
        sheet.merge_cells("A1:P1")

    before = table_counts()
    reason = text(e.TITLE_ROW, row=1, title="2026年6月 结算明细")
    assert_refused(send(to_xlsx(matrix(good), title), "结算.xlsx"), [(1, "", reason)], before)


def test_a_totals_row_is_named_as_such(send, good):
    total = ["合计"] + [""] * 13 + ["1220.00", ""]
    before = table_counts()
    batch = send(to_csv([*matrix(good)[1:], total]))
    assert_refused(batch, [(5, "定点机构编码", text(e.TOTAL_ROW, word="合计"))], before)


def test_two_files_pasted_together_are_named_by_the_second_header(send, good):
    data = to_csv(good[:2]) + to_csv(good[2:])  # the second file's header is row 4
    before = table_counts()
    assert_refused(send(data), [(4, "", text(e.HEADER_AGAIN))], before)


def test_a_file_separated_by_semicolons_is_named_as_such(send, good):
    data = "\r\n".join(";".join(r) for r in matrix(good)).encode()
    before = table_counts()
    assert_refused(send(data), [(1, "", text(e.SEMICOLON_SEPARATED))], before)


ACCEPTED: list[tuple[str, Callable[[list[dict[str, str]]], bytes], str]] = [
    ("UTF-8 with a BOM", lambda rows: codecs.BOM_UTF8 + to_csv(rows), "结算.csv"),
    ("GBK (Chinese Excel's CSV)", lambda rows: to_csv(rows, encoding="gbk"), "结算.csv"),
    (
        "GB18030 with a character GBK lacks",
        lambda rows: to_csv(changed(rows, 0, 项目名称="诊查费𠀀"), encoding="gb18030"),
        "结算.csv",
    ),
    ("English headers", lambda rows: to_csv(rows, header=ENGLISH), "结算.csv"),
    (
        "headers with spaces, a * for required, full-width forms",
        lambda rows: to_csv(
            rows,
            header=[f" *{h}\u3000" for h in HEADER[:5]]
            + ["就诊／入院时间", "出院 时间"]
            + ["ＦＥＥＤＥＴＬ＿ＳＮ" if h == "费用明细流水号" else h for h in HEADER[7:]],
        ),
        "结算.csv",
    ),
    (
        "columns in another order",
        lambda rows: to_csv([[r[h] for h in reversed(HEADER)] for r in rows], header=HEADER[::-1]),
        "结算.csv",
    ),
    ("a CSV named .xlsx", lambda rows: to_csv(rows), "结算.xlsx"),
    ("a workbook named .csv", lambda rows: to_xlsx(matrix(rows)), "结算.csv"),
    (
        "a workbook with dates and numbers typed as such",
        lambda rows: to_xlsx(typed(rows)),
        "结算.xlsx",
    ),
    (
        "amounts with thousands separators and a currency sign",
        lambda rows: to_csv(changed(rows, 1, 单价="1,000.00", 金额="¥1,000.00")),
        "结算.csv",
    ),
    (
        "a quantity with a thousands separator",
        lambda rows: to_csv(changed(rows, 1, 数量="1,000", 单价="1.00", 金额="1,000.00")),
        "结算.csv",
    ),
    (
        "times typed the ways people type them",
        lambda rows: to_csv(
            [
                {
                    **rows[0],
                    "就诊/入院时间": at(2).strftime("%Y/%m/%d %H:%M"),
                    "费用发生时间": at(2, 9, 10).strftime("%Y-%m-%dT%H:%M:%S"),
                },
                {
                    **rows[1],
                    "就诊/入院时间": at(2).strftime("%Y/%m/%d %H:%M"),
                    "费用发生时间": f"{at(2).year}年{at(2).month}月{at(2).day}日 9:20",
                },
                {
                    **rows[2],
                    "出院时间": at(1).strftime("%Y%m%d"),
                    "费用发生时间": at(4).strftime("%Y.%m.%d"),
                },
            ]
        ),
        "结算.csv",
    ),
    (
        "100,000 blank rows Excel left at the end (CSV)",
        lambda rows: to_csv(rows, tail=("," * 15 + "\r\n") * 100_000),
        "结算.csv",
    ),
    (
        "a workbook whose last formatted row is row 1,048,576",
        lambda rows: to_xlsx(matrix(rows), _styled_last_row),
        "结算.xlsx",
    ),
    (
        "a hidden sheet beside the data",
        lambda rows: to_xlsx(matrix(rows), _hidden_sheet),
        "结算.xlsx",
    ),
]


def _styled_last_row(book: Workbook) -> None:
    cell = book.active.cell(row=1_048_576, column=3)
    cell.number_format = "@"


def _hidden_sheet(book: Workbook) -> None:
    hidden = book.create_sheet("代码表")
    hidden.append(["险种类型", "名称"])
    hidden.append(["310", "职工基本医疗保险"])
    hidden.sheet_state = "hidden"


@pytest.mark.parametrize(("make", "name"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_an_unusual_but_sound_file_is_accepted(send, good, make, name):
    assert_clean(send(make(good), name))


# --- the header row ------------------------------------------------------------------------


def test_a_missing_required_column_is_named(send, good):
    header = [h for h in HEADER if h != "金额"]
    data = to_csv([[r[h] for h in header] for r in good], header=header)
    before = table_counts()
    assert_refused(send(data), [(1, "", text(e.MISSING_COLUMNS, columns="金额"))], before)


def test_a_column_named_twice_is_named(send, good):
    data = to_csv([[*matrix(good)[i + 1], "20.00"] for i in range(3)], header=[*HEADER, "金额"])
    before = table_counts()
    assert_refused(send(data), [(1, "金额", text(e.DUPLICATE_HEADER, column="金额"))], before)


def test_an_extra_column_is_named_with_the_expected_ones(send, good):
    data = to_csv([[*matrix(good)[i + 1], "复诊"] for i in range(3)], header=[*HEADER, "备注"])
    batch = send(data)
    assert batch.status == ImportStatus.FAILED
    ((row, column, reason),) = found(batch)
    assert (row, column) == (1, "备注") and "“备注”" in reason and "必填：定点机构编码" in reason


# --- cells ------------------------------------------------------------------------------------

ROW = 3  # the row `changed` alters, as Excel numbers it
LINE_LIMIT = f"{claims.MAX_LINE_YUAN:,}"
MONEY_LIMIT = f"{money.MAX_YUAN:,}"


def cell_cases() -> list[tuple[str, dict[str, str], list[tuple[str, str]]]]:
    """(name, cells of row 3, [(column, reason)]) — each reason as the clerk reads it."""
    required = text(kinds.REQUIRED)
    return [
        ("empty required cell", {"金额": ""}, [("金额", required)]),
        ("whitespace-only required cell", {"身份证号码": " \u3000 "}, [("身份证号码", required)]),
        (
            "a formula typed into a CSV",
            {"金额": "=1+1"},
            [("金额", text(e.FORMULA, cell=f"{letter('金额')}{ROW}", formula="=1+1"))],
        ),
        (
            "a HYPERLINK formula as the item name",
            {"项目名称": '=HYPERLINK("http://x.example/","血常规")'},
            [
                (
                    "项目名称",
                    text(
                        e.FORMULA,
                        cell=f"{letter('项目名称')}{ROW}",
                        formula='=HYPERLINK("http://x.example/","血常规")',  # 39 characters
                    ),
                )
            ],
        ),
        (
            "full-width digits in an amount",
            {"金额": "１０００.００"},
            [("金额", text(e.FULLWIDTH, value="１０００.００", suggestion="1000.00"))],
        ),
        (
            "a negative amount",
            {"单价": "-1000.00", "金额": "-1000.00"},
            [
                ("单价", text(money.NEGATIVE_AMOUNT, value="-1000.00")),
                ("金额", text(money.NEGATIVE_AMOUNT, value="-1000.00")),
            ],
        ),
        (
            "three decimals",
            {"金额": "1000.001"},
            [("金额", text(money.TOO_PRECISE, value="1000.001"))],
        ),
        (
            "not a number",
            {"单价": "一千元"},
            [("单价", text(money.NOT_AN_AMOUNT, value="一千元"))],
        ),
        (
            "more than one fee line can cost",
            {"单价": "20000000.00", "金额": "20000000.00"},
            [
                ("单价", text(claims.AMOUNT_TOO_LARGE, value="20000000.00", limit=LINE_LIMIT)),
                ("金额", text(claims.AMOUNT_TOO_LARGE, value="20000000.00", limit=LINE_LIMIT)),
            ],
        ),
        (
            "an amount past any fund (a pasted ID number)",
            {"单价": "9" * 20, "金额": "9" * 20},
            [
                ("单价", text(money.AMOUNT_TOO_LARGE, value="9" * 20, limit=MONEY_LIMIT)),
                ("金额", text(money.AMOUNT_TOO_LARGE, value="9" * 20, limit=MONEY_LIMIT)),
            ],
        ),
        (
            "a quantity with commas in the wrong places",
            {"数量": "1,00"},
            [("数量", text(claims.BAD_QTY, value="1,00"))],
        ),
        (
            "a huge quantity",
            {"数量": "1" + "0" * 12, "单价": "0.01", "金额": "0.01"},
            [
                (
                    "数量",
                    text(
                        claims.QTY_TOO_LARGE, value="1" + "0" * 12, limit=f"{claims.MAX_QUANTITY:,}"
                    ),
                )
            ],
        ),
        (
            "an amount past what a decimal holds",
            {"单价": "1E999999", "金额": "1E999999"},
            [
                ("单价", text(money.NOT_AN_AMOUNT, value="1E999999")),
                ("金额", text(money.NOT_AN_AMOUNT, value="1E999999")),
            ],
        ),
        (
            "a quantity past what a decimal holds",
            {"数量": "1E999999"},
            [
                (
                    "数量",
                    text(claims.QTY_TOO_LARGE, value="1E999999", limit=f"{claims.MAX_QUANTITY:,}"),
                )
            ],
        ),
        (
            "an ID number Excel turned into 3.2E+17",
            {"身份证号码": "3.20902E+17"},
            [("身份证号码", text(e.NUMBER_TOO_LONG))],
        ),
        (
            "an item code that lost its leading zeros",
            {"医保目录编码": "1102000000100"},
            [("医保目录编码", text(claims.LEADING_ZEROS, value="1102000000100", length=13))],
        ),
        (
            "an Excel date serial as a time",
            {"费用发生时间": "46000.375"},
            [("费用发生时间", text(dates.EXCEL_SERIAL, value="46000.375", date="2025-12-09"))],
        ),
        (
            "a time in year 1",
            {"费用发生时间": "0001-01-01 09:00:00"},
            [
                (
                    "费用发生时间",
                    text(dates.OUT_OF_RANGE, value="0001-01-01", first=1900, last=2099),
                )
            ],
        ),
        (
            "a time that is no time",
            {"就诊/入院时间": "2026-13-45 25:00"},
            [("就诊/入院时间", text(claims.BAD_TIME, value="2026-13-45 25:00"))],
        ),
        (
            "a visit number longer than the system keeps",
            {"就诊流水号": "MZ" + "1" * 40},
            [("就诊流水号", text(e.TOO_LONG, length=42, limit=30))],
        ),
        (
            "an item name longer than the system keeps",
            {"项目名称": "血" * 201},
            [("项目名称", text(e.TOO_LONG, length=201, limit=200))],
        ),
        (
            "a cell longer than Excel allows",
            {"项目名称": "血" * 40_000},
            [("项目名称", text(e.TOO_LONG, length=40_000, limit=200))],
        ),
        (
            "a yes/no cell that is neither",
            {"使用个人账户": "使用"},
            [("使用个人账户", text(claims.BAD_CODE, value="使用", choices="1 是、0 否"))],
        ),
        ("an unknown insurance type", {"险种类型": "999"}, None),  # type: ignore[list-item]
    ]


CELL_CASES = cell_cases()


@pytest.mark.parametrize(
    ("cells", "expected"), [c[1:] for c in CELL_CASES], ids=[c[0] for c in CELL_CASES]
)
def test_a_bad_cell_is_named_by_row_and_column(send, good, cells, expected):
    before = table_counts()
    batch = send(to_csv(changed(good, 1, **cells)))
    if expected is None:  # the message lists the choices: only where it is matters here
        assert [(r, c) for r, c, _t in found(batch)] == [(ROW, next(iter(cells)))]
        assert table_counts() == before
        return
    assert_refused(batch, [(ROW, column, reason) for column, reason in expected], before)


def _merged(book: Workbook) -> None:
    book.active.merge_cells("A2:A4")  # the provider's code written once for three lines


def _second_sheet(book: Workbook) -> None:
    other = book.create_sheet("六月")
    other.append(HEADER)


XLSX_CASES: list[
    tuple[str, Callable[[list[dict[str, str]]], bytes], list[tuple[int | None, str, str]]]
] = [
    (
        "a formula",
        lambda rows: to_xlsx(matrix(changed(rows, 1, 金额="=N3*M3"))),
        [(ROW, "金额", text(e.FORMULA, cell=f"O{ROW}", formula="=N3*M3"))],
    ),
    (
        "an error value",
        lambda rows: to_xlsx(matrix(changed(rows, 1, 金额="#DIV/0!"))),
        [(ROW, "金额", text(e.ERROR_VALUE, cell=f"O{ROW}", value="#DIV/0!"))],
    ),
    (
        "an ID number typed as a number",
        lambda rows: to_xlsx(
            [
                # an X check character is typed as 0 then: any 18 digits lose their last ones
                [int(c[:17] + "0") if i == 2 and c[:17].isdigit() else c for i, c in enumerate(r)]
                for r in matrix(rows)
            ]
        ),
        [(row, "身份证号码", text(e.NUMBER_TOO_LONG)) for row in (2, 3, 4)],
    ),
    (
        "an item code typed as a number (leading zeros lost)",
        lambda rows: to_xlsx(
            [
                [int(c) if i == 10 and c.startswith("00") else c for i, c in enumerate(r)]
                for r in matrix(rows)
            ]
        ),
        [(2, "医保目录编码", text(claims.LEADING_ZEROS, value="1102000000100", length=13))],
    ),
    (
        "merged cells",
        lambda rows: to_xlsx(matrix(rows), _merged),
        [(2, "A2:A4", text(e.MERGED_CELLS, sheet="结算明细", range="A2:A4", count=1))],
    ),
    (
        "data on two sheets",
        lambda rows: to_xlsx(matrix(rows), _second_sheet),
        [(FILE, "", text(e.MANY_SHEETS, count=2, sheets="“结算明细”、“六月”"))],
    ),
]


@pytest.mark.parametrize(
    ("make", "expected"), [c[1:] for c in XLSX_CASES], ids=[c[0] for c in XLSX_CASES]
)
def test_a_workbook_with_a_bad_cell_is_refused(send, good, make, expected):
    before = table_counts()
    assert_refused(send(make(good), "结算.xlsx"), expected, before)


@pytest.fixture
def _chinese_afterwards():
    """The test client's requests leave their language active in this thread: the next test is Chinese again."""
    yield
    translation.activate("zh-hans")


@pytest.mark.usefixtures("_chinese_afterwards")
def test_the_errors_read_in_english_on_the_english_page(send, good, client_for, clerk_a):
    rows = changed(good, 1, 金额="１０００.００", 项目名称="=1+1")
    batch = send(to_csv(changed(rows, 2, 单价="20000000.00", 金额="20000000.00")))
    client = client_for(clerk_a)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    with translation.override("en"):
        expected = [
            text(e.FORMULA, cell="L3", formula="=1+1"),
            text(e.FULLWIDTH, value="１０００.００", suggestion="1000.00"),
            text(claims.AMOUNT_TOO_LARGE, value="20000000.00", limit=LINE_LIMIT),
        ]
    assert [x["reason_en"] for x in batch.errors] == [expected[0], expected[1], *expected[2:] * 2]
    for reason in expected:
        assert escape(reason) in page and "half-width" in expected[1]


def test_one_bad_row_among_many_good_ones_stops_the_whole_file(send, good):
    rows = []
    for n in range(60):  # 60 visits of two lines each
        for line in good[:2]:
            rows.append({**line, "就诊流水号": f"MZ{n:03d}"})
    rows[97]["金额"] = "1000.0O"  # a letter O for a zero, row 99 in Excel
    before = table_counts()
    batch = send(to_csv(rows))
    assert_refused(batch, [(99, "金额", text(money.NOT_AN_AMOUNT, value="1000.0O"))], before)
    assert batch.rows_total == 120


# --- scoping ----------------------------------------------------------------------------------


def test_a_clerk_cannot_slip_another_countys_visit_among_their_own(
    send, good, county_b, clerk_b, people
):
    from tests.providers.factories import make_provider
    from tests.settlement.hsa_client import put_in_performance

    own = put_in_performance(make_provider(county_b, "盐都医院"))
    rows = [{**r, "定点机构编码": own.national_code} for r in good]
    rows[2] = good[2]  # the stay at 亭湖区's hospital: not 盐都区's to settle
    before = table_counts()
    batch = send(to_csv(rows), user=clerk_b)
    assert_refused(
        batch,
        [(4, "定点机构编码", text(kinds.OTHER_COUNTY_ROW, code="320902", own="320903"))],
        before,
    )

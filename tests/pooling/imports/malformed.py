"""A corpus of malformed people files, each with the errors an import must report.

Shared by the reader's tests, the workflow's (browser page, API and `manage.py
import_file`) and the set-wise path's: every door must refuse each file with the
same (row, column, reason) and write nothing. `expected` is built from the
reader's own message constants, so a changed wording changes every test at once.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

from pooling.tabular import errors as e
from pooling.tabular.text import MAX_CELL
from tests.enrollment.imports.helpers import id_number

HEADER = ["身份证号码", "姓名", "人员类别", "经办机构代码"]
EXPECTED = "必填：身份证号码、姓名、人员类别；选填：经办机构代码、联系电话、住址、特殊群体、系统外累计缴费月数"


def row(seq: int, **cells: str) -> list[str]:
    values = {
        "id": id_number(seq=seq),
        "name": f"张{seq}",
        "category": "在职职工",
        "county": "320902",
    }
    values.update(cells)
    return list(values.values())


def csv_bytes(
    rows: list[list[str]],
    *,
    header: list[str] = HEADER,
    encoding: str = "utf-8",
    newline: str = "\n",
) -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return (newline.join(lines) + newline).encode(encoding)


def xlsx_bytes(
    rows: list[list[Any]], shape: Callable[[Any], None] | None = None, *, title: str = "人员"
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for values in rows:
        sheet.append(values)
    if shape is not None:
        shape(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def text(message: Any, **params: Any) -> str:
    return str(message) % params if params else str(message)


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expected: list[tuple[int | None, str, str]]  # (row, column, reason) in the order reported
    filename: str = "people.csv"

    @property
    def is_csv(self) -> bool:
        return not self.data.startswith((b"PK", b"\xd0\xcf")) and self.filename.endswith(".csv")


def _merged(book: Workbook) -> None:
    book.active.merge_cells("D3:D4")


def _second_sheet(book: Workbook) -> None:
    other = book.create_sheet("第二页")
    other.append(HEADER)
    other.append(row(9))


def _gbk_with_utf8_row() -> bytes:
    return (
        csv_bytes([row(1)], encoding="gbk")
        + ",".join(row(2)).encode("utf-8")
        + b"\n"
        + ",".join(row(3)).encode("gbk")
        + b"\n"
    )


def _utf8_with_gbk_row() -> bytes:
    return (
        csv_bytes([row(1)])
        + ",".join(row(2)).encode("gbk")
        + b"\n"
        + ",".join(row(3)).encode()
        + b"\n"
    )


def _unclosed_quote_in_a_large_file() -> bytes:
    rows = [row(1), row(2, name='"张2')] + [
        row(3, id=id_number(birth=f"19{50 + i // 999}0101", seq=i % 999 + 1)) for i in range(6000)
    ]
    return csv_bytes(rows)


def _encrypted() -> bytes:
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 1000
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 500
    )


HUGE = "张" * (MAX_CELL + 1)
FILE = None  # a problem with the file as a whole: the row is not the point

CASES = [
    Case("zero bytes", b"", [(FILE, "", text(e.EMPTY_FILE))]),
    Case("blank lines only", b"\r\n \r\n,,,\r\n", [(FILE, "", text(e.EMPTY_FILE))]),
    Case("header only", csv_bytes([]), [(FILE, "", text(e.HEADER_ONLY))]),
    Case(
        "header only, with a BOM and CRLF",
        codecs.BOM_UTF8 + csv_bytes([], newline="\r\n"),
        [(FILE, "", text(e.HEADER_ONLY))],
    ),
    Case(
        "duplicate header",
        csv_bytes([row(1) + ["x"]], header=HEADER + ["姓名"]),
        [(1, "姓名", text(e.DUPLICATE_HEADER, column="姓名"))],
    ),
    Case(
        "misspelt optional header",
        csv_bytes([row(1) + ["13800000000"]], header=HEADER + ["联系电化"]),
        [
            (
                1,
                "联系电化",
                text(
                    e.UNKNOWN_COLUMNS,
                    columns=text(e.DID_YOU_MEAN, header="联系电化", suggestion="联系电话"),
                    expected=EXPECTED,
                ),
            )
        ],
    ),
    Case(
        "missing column",
        csv_bytes([row(1)[:2]], header=HEADER[:2]),
        [(1, "", text(e.MISSING_COLUMNS, columns="人员类别"))],
    ),
    Case(
        "tab-separated",
        "\t".join(HEADER).encode() + b"\n" + "\t".join(row(1)).encode() + b"\n",
        [(1, "", text(e.TAB_SEPARATED))],
    ),
    Case(
        "cell longer than its column allows",
        csv_bytes([row(1) + [""], row(2) + ["路" * 201]], header=HEADER + ["住址"]),
        [(3, "住址", text(e.TOO_LONG, length=201, limit=200))],
    ),
    Case(
        "cell longer than Excel allows",
        csv_bytes([row(1), row(2, name=HUGE)]),
        [(3, "姓名", text(e.TOO_LONG, length=MAX_CELL + 1, limit=MAX_CELL))],
    ),
    Case(
        "huge cell",
        csv_bytes([row(1), row(2, name="张" * 200_000), row(3)]),
        [(3, "姓名", text(e.HUGE_CELL, row=3, column="姓名", limit=MAX_CELL))],
    ),
    Case(
        "quote opened and never closed",
        csv_bytes([row(1), row(2, name='"张2'), row(3)]),
        [(3, "姓名", text(e.UNCLOSED_QUOTE, row=3, column="姓名"))],
    ),
    Case(
        "quote never closed in a large file",
        _unclosed_quote_in_a_large_file(),
        [(3, "姓名", text(e.UNCLOSED_QUOTE, row=3, column="姓名"))],
    ),
    Case(
        "text after a closing quote",
        csv_bytes([row(1), row(2, name='"张"2')]),
        [(3, "姓名", text(e.BAD_QUOTE, row=3, column="姓名"))],
    ),
    Case(
        "truncated last row",
        csv_bytes([row(1)]) + id_number(seq=2).encode(),
        [(3, "", text(e.TRUNCATED, row=3))],
    ),
    Case(
        "NUL in a cell",
        csv_bytes([row(1), row(2, name="张\x002")]),
        [(3, "姓名", text(e.CONTROL_CHAR, char=text(e.CHAR_NAMES["\x00"])))],
    ),
    Case(
        "bell character",
        csv_bytes([row(1, category="在职\x07职工")]),
        [(2, "人员类别", text(e.CONTROL_CHAR, char="U+0007"))],
    ),
    Case(
        "zero-width space",
        csv_bytes([row(1, name="张\u200b1")]),
        [(2, "姓名", text(e.CONTROL_CHAR, char=text(e.CHAR_NAMES["\u200b"])))],
    ),
    Case(
        "line break inside a quoted cell",
        csv_bytes([row(1, name='"张\n1"')]),
        [(2, "姓名", text(e.CONTROL_CHAR, char=text(e.CHAR_NAMES["\n"])))],
    ),
    Case(
        "BOM in the middle (two files pasted together)",
        codecs.BOM_UTF8 + csv_bytes([row(1)]) + codecs.BOM_UTF8 + csv_bytes([row(2)]),
        [(3, "身份证号码", text(e.CONTROL_CHAR, char=text(e.CHAR_NAMES["\ufeff"])))],
    ),
    Case(
        "text already mangled (U+FFFD)",
        csv_bytes([row(1, name="张\ufffd")]),
        [(2, "姓名", text(e.CONTROL_CHAR, char=text(e.CHAR_NAMES["\ufffd"])))],
    ),
    Case(
        "GBK file with a UTF-8 row",
        _gbk_with_utf8_row(),
        [(3, "姓名", text(e.MIXED_ENCODING, row=3, found="UTF-8", expected="GBK"))],
    ),
    Case(
        "UTF-8 file with a GBK row",
        _utf8_with_gbk_row(),
        [(3, "姓名", text(e.MIXED_ENCODING, row=3, found="GBK", expected="UTF-8"))],
    ),
    Case(
        "bytes of no encoding",
        csv_bytes([row(1)]) + b"3209021990\xff\xfe,\n",
        [(3, "身份证号码", text(e.UNDECODABLE, row=3, column="身份证号码"))],
    ),
    Case(
        "full-width digits",
        csv_bytes([row(1, county="３２０９０２")], newline="\r"),
        [(2, "经办机构代码", text(e.FULLWIDTH, value="３２０９０２", suggestion="320902"))],
    ),
    Case(
        "a cell under no header",
        csv_bytes([row(1) + ["备注"]], header=HEADER + [""]),
        [(2, "E", text(e.NO_HEADER, column="E"))],
    ),
    Case(
        "very wide row",
        csv_bytes([row(1), row(2) + ["x"] * 5000]),
        [(3, "", text(e.FIELD_COUNT, got=5004, want=4))],
    ),
    Case(
        "UTF-16 text (Excel's Unicode text)",
        codecs.BOM_UTF16_LE + "\t".join(HEADER).encode("utf-16-le"),
        [(FILE, "", text(e.UTF16_TEXT))],
    ),
    Case(
        "a PDF named .csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        [(FILE, "", text(e.NOT_A_TABLE, what="PDF 文件"))],
    ),
    Case(
        "a ZIP named .csv",
        zip_bytes({"people.csv": csv_bytes([row(1)])}),
        [(FILE, "", text(e.ZIP_NOT_XLSX))],
    ),
    Case(
        "a broken workbook",
        b"PK\x03\x04" + b"\x00" * 200,
        [(FILE, "", text(e.BAD_XLSX))],
        "people.xlsx",
    ),
    Case(
        "an old .xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000,
        [(FILE, "", text(e.XLS_UNSUPPORTED))],
    ),
    Case("an encrypted workbook", _encrypted(), [(FILE, "", text(e.ENCRYPTED))], "people.xlsx"),
    Case(
        "xlsx: a formula",
        xlsx_bytes([HEADER, row(1)[:1] + ['=CONCATENATE("张","三")'] + row(1)[2:]]),
        [(2, "姓名", text(e.FORMULA, cell="B2", formula='=CONCATENATE("张","三")'))],
        "people.xlsx",
    ),
    Case(
        "xlsx: an error value",
        xlsx_bytes([HEADER, row(1)[:3] + ["#N/A"]]),
        [(2, "经办机构代码", text(e.ERROR_VALUE, cell="D2", value="#N/A"))],
        "people.xlsx",
    ),
    Case(
        "xlsx: an ID number typed as a number",
        xlsx_bytes([HEADER, [int(id_number(seq=1)[:17] + "0")] + row(1)[1:]]),
        [(2, "身份证号码", text(e.NUMBER_TOO_LONG))],
        "people.xlsx",
    ),
    Case(
        "xlsx: merged cells",
        xlsx_bytes([HEADER, row(1), row(2), row(3)], _merged),
        [(3, "D3:D4", text(e.MERGED_CELLS, sheet="人员", range="D3:D4", count=1))],
        "people.xlsx",
    ),
    Case(
        "xlsx: data on two sheets",
        xlsx_bytes([HEADER, row(1)], _second_sheet),
        [(FILE, "", text(e.MANY_SHEETS, count=2, sheets="“人员”、“第二页”"))],
        "people.xlsx",
    ),
    Case(
        "xlsx: full-width digits in the county",
        xlsx_bytes([HEADER, row(1, county="３２０９０２")]),
        [(2, "经办机构代码", text(e.FULLWIDTH, value="３２０９０２", suggestion="320902"))],
        "people.xlsx",
    ),
]

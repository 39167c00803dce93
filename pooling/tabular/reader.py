"""Reading uploaded tables (CSV or XLSX) as a stream of rows, with errors a clerk can act on.

Every import in the project reads through here, so the awkward facts of files made
in Chinese offices are handled once:
- XLSX is recognised by its bytes (a zip, "PK"), never by the file name;
  old .xls (an OLE file) is refused with its own message.
- CSV may be UTF-8 with or without a BOM (WPS, LibreOffice, exports of other
  systems) or GBK/GB18030 (what Chinese Excel writes for "CSV"). The encoding is
  chosen from the first block; a bad byte later names the row it is in.
- Headers are matched through aliases (身份证号 / 公民身份号码 / id_number), so
  the same template works in Chinese and with the API's English keys.
- Nothing loads the whole file: rows are yielded one at a time (a million-row
  file costs the memory of one row).

Problems with the file as a whole (empty, header only, truncated, a required
column missing, undecodable bytes, a broken workbook) raise `TableError`, a
`BusinessRuleError` with its own message each. Problems with one row are
`pooling.kernel.problems.Problem(row, column, message)`, where `row` is the row number
the user sees in Excel (the header is row 1).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import operator
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.problems import Problem
from pooling.tabular.xlsx import LOST_DIGITS
from pooling.tabular.xlsx import xlsx_rows as text_xlsx_rows
from pooling.web import exports

EMPTY_FILE = _("文件为空，没有任何内容")
HEADER_ONLY = _("文件只有表头，没有数据行")
TRUNCATED = _("文件不完整：第 %(row)s 行被截断（字段不全或引号未闭合），请重新导出完整文件后上传")
MISSING_COLUMNS = _("缺少必需的列：%(columns)s")
DUPLICATE_HEADER = _("表头中“%(column)s”出现了不止一次")
UNDECODABLE = _("第 %(row)s 行含有无法识别的字符：文件编码应为 UTF-8 或 GBK")
BAD_XLSX = _("文件不是有效的 XLSX 工作簿，可能已损坏或不完整")
XLS_UNSUPPORTED = _("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV 后上传")
FIELD_COUNT = _("本行有 %(got)s 列，表头有 %(want)s 列")
NUMBER_TOO_LONG = _("该单元格被 Excel 存成了数字，长号码已失真：请将此列设置为“文本”格式后重新录入")

BOM = codecs.BOM_UTF8
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
SNIFF_BYTES = 64 * 1024


class TableError(BusinessRuleError):
    """The file as a whole cannot be read; `row` is set when a row is to blame."""

    def __init__(self, message: Any, *, code: str, row: int | None = None,
                 params: dict[str, Any] | None = None) -> None:
        self.row = row
        super().__init__(message, code=code, params=params)


@dataclass(frozen=True)
class Column:
    """One expected column: a key for code, the header shown to users, other spellings."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def names(self) -> set[str]:
        return {normalize_header(n) for n in (self.key, self.label, *self.aliases)}


@dataclass(slots=True)
class Row:
    """One data row: `number` as in Excel, `values` by column key (stripped strings)."""

    number: int
    values: dict[str, str]
    width: int = 0
    errors: list[Problem] = field(default_factory=list)


def normalize_header(name: str) -> str:
    # Spreadsheet headers come with stray spaces, full-width brackets and a "*" for required.
    name = name.replace("\ufeff", "").strip().strip("*＊").strip()
    name = name.replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")
    return name.casefold()


class Table:
    """An open table: `headers` (as written in the file), then iterate for rows."""

    source_format = ""

    def __init__(self, raw_rows: Iterator[list[str]], columns: Iterable[Column],
                 close: Callable[[], None] | None = None, *, from_xlsx: bool = False) -> None:
        self.columns = list(columns)
        self._raw = raw_rows
        self._close = close
        self._from_xlsx = from_xlsx
        header = next(self._raw, None)
        if header is None:
            raise TableError(EMPTY_FILE, code="empty")
        self.headers = [h.replace("\ufeff", "").strip() for h in header]
        if not any(self.headers):
            raise TableError(EMPTY_FILE, code="empty")
        self._index = self._map_headers()
        # Errors name a column as the file's own header says it.
        self.label_of = {c.key: self._header_for(c) for c in self.columns}
        # Rows are built a million times: pick the cells with one C-level call.
        self._keys = list(self._index)
        positions = list(self._index.values())
        self._reach = max(positions) + 1
        getter = operator.itemgetter(*positions)
        self._pick = getter if len(positions) > 1 else (lambda cells: (getter(cells),))

    def _map_headers(self) -> dict[str, int]:
        by_name = {}
        for column in self.columns:
            for name in column.names():
                by_name[name] = column.key
        index: dict[str, int] = {}
        for position, header in enumerate(self.headers):
            key = by_name.get(normalize_header(header))
            if key is None:
                continue  # extra columns (备注, 序号) are allowed and ignored
            if key in index:
                raise TableError(DUPLICATE_HEADER, code="duplicate_header", params={"column": header})
            index[key] = position
        missing = [c.label for c in self.columns if c.required and c.key not in index]
        if missing:
            raise TableError(MISSING_COLUMNS, code="missing_columns",
                             params={"columns": "、".join(missing)})
        return index

    def _header_for(self, column: Column) -> str:
        position = self._index.get(column.key)
        return self.headers[position] if position is not None else column.label

    def __iter__(self) -> Iterator[Row]:
        width = len(self.headers)
        number = 1
        pending: Row | None = None
        previous_width = width
        for cells in self._raw:
            number += 1
            if not any(cells) or not "".join(cells).strip():
                continue  # blank lines (Excel leaves ",,,," at the end) are not rows
            if pending is not None:
                previous_width = pending.width
                yield pending
            pending = self._row(number, cells, width)
        if pending is None:
            raise TableError(HEADER_ONLY, code="header_only")
        if pending.width < min(width, previous_width):
            # The last row stops short of the rows above it: the file was cut off.
            raise TableError(TRUNCATED, code="truncated", row=pending.number,
                             params={"row": pending.number})
        yield pending

    def _row(self, number: int, cells: list[str], width: int) -> Row:
        if len(cells) >= self._reach:
            values = dict(zip(self._keys, map(str.strip, self._pick(cells)), strict=True))
        else:
            values = {key: (cells[i].strip() if i < len(cells) else "") for key, i in self._index.items()}
        row = Row(number, values, width=len(cells))
        if len(cells) != width and (len(cells) < width or any(c.strip() for c in cells[width:])):
            row.errors.append(Problem(number, "", FIELD_COUNT, {"got": len(cells), "want": width}, "field_count"))
        if self._from_xlsx:
            for key, value in values.items():
                if value == LOST_DIGITS:
                    values[key] = ""
                    row.errors.append(Problem(number, self.label_of[key], NUMBER_TOO_LONG, code="number_too_long"))
        return row

    def close(self) -> None:
        if self._close is not None:
            self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_CJK = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # CJK punctuation, ideographs, full-width forms
ENCODING_LABELS = {"utf-8-sig": "UTF-8-BOM", "utf-8": "UTF-8", "gb18030": "GBK"}


def open_table(source: Any, *, columns: Iterable[Column], xlsx_dates: bool = True) -> Table:
    """Open a path, an uploaded file, bytes or a binary stream as a `Table` (streaming);
    `table.source_format` says what it was (UTF-8, UTF-8-BOM, GBK or XLSX).

    `xlsx_dates=False`: the table holds no date columns, so a workbook is read by the
    lean text reader (`pooling.tabular.xlsx`, ~3× openpyxl) instead of openpyxl, which
    alone knows which numbers are dates. Use as a context manager (or call `close()`)
    when you pass a path.
    """
    stream, close = _binary(source)
    try:
        if stream.seekable():
            stream.seek(0)  # a stored file read once already (preview, then commit)
        head = stream.read(SNIFF_BYTES)
        if not head:
            raise TableError(EMPTY_FILE, code="empty")
        if head.startswith(OLE_MAGIC):
            raise TableError(XLS_UNSUPPORTED, code="xls")
        if stream.seekable():
            stream.seek(0)
            raw: IO[bytes] = stream
        else:
            raw = _Rewound(head, stream)  # type: ignore[assignment]
        if head.startswith(ZIP_MAGIC):
            rows = _xlsx_rows(raw) if xlsx_dates else _text_xlsx_rows(raw)
            table = Table(rows, columns, close, from_xlsx=True)
            table.source_format = "XLSX"
            return table
        encoding = encoding_of(head)
        table = Table(_csv_rows(raw, encoding), columns, close)
        table.source_format = ENCODING_LABELS[encoding]
        return table
    except BaseException:
        if close is not None:
            close()
        raise


def _binary(source: Any) -> tuple[IO[bytes], Callable[[], None] | None]:
    if isinstance(source, str | Path):
        stream = open(source, "rb")  # noqa: SIM115 — closed by Table.close()
        return stream, stream.close
    if isinstance(source, bytes):
        return io.BytesIO(source), None
    if getattr(source, "closed", False) and hasattr(source, "open"):
        source.open("rb")  # a Django FieldFile that was closed after saving
    while not isinstance(source, io.IOBase) and hasattr(source, "file"):
        source = source.file  # Django File wrappers: read the real file underneath
    return source, None


class _Rewound(io.RawIOBase):
    """A non-seekable stream whose first block, already read for sniffing, is served again."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def encoding_of(head: bytes) -> str:
    """The codec a CSV file is read with, from its first block: utf-8-sig, utf-8 or gb18030."""
    if head.startswith(BOM):
        return "utf-8-sig"
    try:
        # final=False: the sniffed block may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError as exc:
        # Chinese text in GBK is almost never valid UTF-8: if what comes before the
        # bad byte already holds UTF-8 Chinese, the file is UTF-8 with one bad row.
        # Chinese, not merely non-ASCII: a GBK pair can pass for a two-byte UTF-8
        # letter (目录 in GBK is C4 BF C2 BC, which UTF-8 reads as "ĿƼ").
        if _CJK.search(head[: exc.start].decode("utf-8")):
            return "utf-8"
        return "gb18030"  # a superset of GBK and GB2312, what Chinese Excel writes


def _csv_rows(raw: IO[bytes], encoding: str) -> Iterator[list[str]]:
    """Records of a CSV file, decoded at C speed; a bad byte is traced back to its row."""
    if isinstance(raw, _Rewound):
        raw = io.BufferedReader(raw, 1 << 20)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    read = 0  # records read so far, the header included
    try:
        reader = csv.reader(text, strict=True)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                # strict mode: an unterminated quote at end of file ("unexpected end of data").
                raise TableError(TRUNCATED, code="truncated", row=read + 1, params={"row": read + 1}) from None
            except UnicodeDecodeError:
                row = _undecodable_row(raw, encoding) if raw.seekable() else read + 1
                raise TableError(UNDECODABLE, code="encoding", row=row, params={"row": row}) from None
            read += 1
            yield cells
    finally:
        with contextlib.suppress(ValueError):  # already closed by its owner
            text.detach()  # leave the caller's stream open; it is theirs to close


def _undecodable_row(raw: IO[bytes], encoding: str) -> int:
    """Re-read line by line to name the row holding the bad byte (decoding works in
    blocks, so the fast reader only knows the block)."""
    raw.seek(0)
    decode = codecs.getincrementaldecoder(encoding)().decode
    read = 0

    def lines() -> Iterator[str]:
        for line in iter(raw.readline, b""):
            yield decode(line)

    try:
        for _cells in csv.reader(lines()):
            read += 1
    except (UnicodeDecodeError, csv.Error):
        pass
    return read + 1


def _xlsx_rows(raw: IO[bytes]) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    # openpyxl needs a seekable file (the zip directory sits at its end); read_only
    # mode then streams the sheet's XML row by row.
    buffered = raw if raw.seekable() else io.BytesIO(raw.read())
    try:
        workbook = load_workbook(buffered, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableError(BAD_XLSX, code="bad_xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        raise TableError(BAD_XLSX, code="bad_xlsx") from None
    finally:
        workbook.close()


def _text_xlsx_rows(raw: IO[bytes]) -> Iterator[list[str]]:
    buffered = raw if raw.seekable() else io.BytesIO(raw.read())
    width = 0
    try:
        for cells in text_xlsx_rows(buffered):
            # The XML leaves out trailing empty cells; openpyxl pads rows to the sheet's
            # width, and so does this (else a short row reads as a truncated one).
            width = width or len(cells)
            yield cells + [""] * (width - len(cells))
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, ParseError):
        raise TableError(BAD_XLSX, code="bad_xlsx") from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1e15:
            return LOST_DIGITS  # an ID number typed as a number: digits already lost
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def error_report_table(errors: Iterable[Problem | dict[str, Any]]) -> exports.Table:
    """The error list (row as in Excel, column, reason) as a table for the one writer."""
    rows = ([e.row, e.column, e.reason] if isinstance(e, Problem)
            else [e.get("row"), e.get("column", ""), e.get("reason", "")] for e in errors)
    return exports.Table(title=_("导入错误报告"), rows=rows, columns=[
        exports.Column(_("行号"), width=8), exports.Column(_("列"), width=16),
        exports.Column(_("原因"), width=60)])


def error_report_csv(errors: Iterable[Problem | dict[str, Any]]) -> Iterator[bytes]:
    """The error list as CSV bytes from the one writer: a BOM for Chinese Excel, and the
    user's own cell text (echoed in reasons) never turned into a formula."""
    for chunk in exports.csv_chunks(error_report_table(errors)):
        yield chunk.encode("utf-8")

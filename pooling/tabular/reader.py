"""Reading uploaded tables (CSV or XLSX) as a stream of rows, with errors a clerk can act on.

Every import in the project reads through here (bulk imports, catalogues, county
baselines, and the claim files to come), so the awkward facts of files made in
Chinese offices are handled once:
- What a file is comes from its bytes, never its name (`sniff`): a workbook, an old
  .xls, an encrypted workbook, a ZIP, a PDF or UTF-16 text each get their own message.
- CSV may be UTF-8 with or without a BOM, or GBK/GB18030; a row in the other encoding
  is refused by row, never imported as mojibake; a cell too long, or a quote opened
  and never closed, is named by row and column (`text`).
- XLSX: formulas, error values, merged cells and data on several sheets are refused;
  dates come out as 2026-01-31 (`xlsx`).
- Headers are matched through aliases (身份证号 / 公民身份号码 / id_number); a header
  the kind does not know is refused with the list of expected ones, so a misspelt
  optional column cannot silently drop its data.
- Every cell is checked for control characters, its column's length limit and, in
  half-width columns (codes, numbers, dates), full-width digits (`cells`).
- Nothing loads the whole file: rows are yielded one at a time.

Problems with the file as a whole raise `TableError` (a `BusinessRuleError`, with
`row` and `column` when a cell is to blame). Problems with one row are
`pooling.kernel.problems.Problem(row, column, message)`, where `row` is the row number
the user sees in Excel (the header is row 1). Whatever the bytes, reading raises nothing else.
"""

from __future__ import annotations

import difflib
import io
import operator
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pooling.kernel.problems import Problem
from pooling.tabular.cells import (
    FORBIDDEN_IN_CELL,
    FORBIDDEN_IN_MULTILINE,
    SCIENTIFIC,
    WIDE,
    char_name,
    formula_shown,
    halfwidth,
)
from pooling.tabular.errors import (
    BAD_XLSX,
    CONTROL_CHAR,
    DID_YOU_MEAN,
    DUPLICATE_HEADER,
    EMPTY_FILE,
    EXPECTED_COLUMNS,
    FIELD_COUNT,
    FORMULA,
    FULLWIDTH,
    HEADER_AGAIN,
    HEADER_CELL,
    HEADER_ONLY,
    MISSING_COLUMNS,
    MORE_COLUMNS,
    NO_HEADER,
    NONE,
    NUMBER_TOO_LONG,
    SEMICOLON_SEPARATED,
    TAB_SEPARATED,
    TITLE_ROW,
    TOO_LONG,
    TOTAL_ROW,
    TRUNCATED,
    UNDECODABLE,
    UNKNOWN_COLUMNS,
    XLS_UNSUPPORTED,
    TableError,
    column_letter,
)
from pooling.tabular.sniff import (
    BOM,
    ENCODING_LABELS,
    SNIFF_BYTES,
    detect_encoding,
    encoding_of,
    identify,
)
from pooling.tabular.text import MAX_CELL, csv_records
from pooling.tabular.xlsx import workbook_rows
from pooling.web import exports

__all__ = [
    "BAD_XLSX",
    "BOM",
    "EMPTY_FILE",
    "FIELD_COUNT",
    "HEADER_ONLY",
    "MISSING_COLUMNS",
    "DUPLICATE_HEADER",
    "NUMBER_TOO_LONG",
    "SNIFF_BYTES",
    "TRUNCATED",
    "UNDECODABLE",
    "XLS_UNSUPPORTED",
    "Column",
    "Row",
    "Table",
    "TableError",
    "encoding_of",
    "error_report_csv",
    "map_headers",
    "normalize_header",
    "open_table",
]

# Headers every table may carry and nobody reads: the row numbers clerks add in Excel.
IGNORED_HEADERS = frozenset({"序号"})


@dataclass(frozen=True)
class Column:
    """One expected column: a key for code, the header shown to users, other spellings,
    and what its cells may hold: at most `max_length` characters (default: Excel's own
    limit), only half-width digits and letters (`halfwidth`: codes, numbers, dates),
    line breaks (`multiline`: free text)."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    max_length: int | None = None
    halfwidth: bool = False
    multiline: bool = False

    def names(self) -> set[str]:
        return {normalize_header(n) for n in (self.key, self.label, *self.aliases)}

    def meaning(self) -> str:
        """The header in the active language when that is not Chinese ("" if the same): files
        keep their Chinese headers, an English reader is told what each one is. Kinds mark
        their labels with gettext_noop, so the English is in the .po."""
        translated = gettext(self.label)
        return "" if translated == self.label else translated

    def shown(self) -> str:
        """The header as a message names it: 身份证号码, or 身份证号码 (ID number) in English."""
        meaning = self.meaning()
        return f"{self.label} ({meaning})" if meaning else self.label


@dataclass(slots=True)
class Row:
    """One data row: `number` as in Excel, `values` by column key (stripped strings)."""

    number: int
    values: dict[str, str]
    width: int = 0
    errors: list[Problem] = field(default_factory=list)


def normalize_header(name: str) -> str:
    # Spreadsheet headers come with stray spaces, a "*" for required and full-width forms
    # typed with a Chinese input method (（）／＿ and ＦＥＥ…): NFKC makes those half-width.
    name = unicodedata.normalize("NFKC", name.replace("\ufeff", ""))
    name = name.strip().strip("*").strip().replace(" ", "")
    return name.casefold()


def map_headers(headers: list[str], columns: list[Column], *, row: int = 1) -> dict[str, int]:
    """Each column key's position in the header row. Refuses a header with control
    characters, one the columns do not know (listing the expected ones), a column
    named twice and a required column missing."""
    by_name = {name: column.key for column in columns for name in column.names()}
    index: dict[str, int] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        _refuse_control_chars(header, by_name, row, position)
        if not header:
            continue  # a column without a header: refused row by row if it holds anything
        name = normalize_header(header)
        key = by_name.get(name)
        if key is None:
            if name not in IGNORED_HEADERS:
                unknown.append(header)
            continue
        if key in index:
            raise TableError(
                DUPLICATE_HEADER,
                code="duplicate_header",
                row=row,
                column=header,
                params={"column": header},
            )
        index[key] = position
    if unknown:
        _refuse_semicolons(unknown, by_name, row)
        raise TableError(
            UNKNOWN_COLUMNS,
            code="unknown_columns",
            row=row,
            column=unknown[0],
            params={"columns": _named(unknown, columns), "expected": expected_headers(columns)},
        )
    missing = [c.label for c in columns if c.required and c.key not in index]
    if missing:
        raise TableError(
            MISSING_COLUMNS, code="missing_columns", row=row, params={"columns": "、".join(missing)}
        )
    return index


def _refuse_control_chars(header: str, by_name: dict[str, str], row: int, position: int) -> None:
    bad = FORBIDDEN_IN_CELL.search(header)
    if bad is None:
        return
    if bad.group() == "\t" and any(
        normalize_header(part) in by_name for part in header.split("\t")
    ):
        raise TableError(TAB_SEPARATED, code="tab_separated", row=row)
    reason = str(CONTROL_CHAR) % {"char": char_name(bad.group())}
    column = column_letter(position)
    raise TableError(
        HEADER_CELL,
        code="control_char",
        row=row,
        column=column,
        params={"row": row, "column": column, "reason": reason},
    )


def _title_error(headers: list[str], row: int) -> TableError:
    """One filled cell above a row that is the header: the sheet's title ("2026年6月结算明细"),
    which offices put on row 1. Said so, rather than listed as an unknown column."""
    title = next(h for h in headers if h)
    title = title if len(title) <= 30 else title[:30] + "…"
    return TableError(TITLE_ROW, code="title_row", row=row, params={"row": row, "title": title})


def _refuse_semicolons(unknown: list[str], by_name: dict[str, str], row: int) -> None:
    """A header "身份证号码;姓名;…" is a file separated by semicolons (a European Excel, some
    exports): say so, rather than list it as one unknown column."""
    for header in unknown:
        parts = header.replace("；", ";").split(";")
        if len(parts) > 1 and any(normalize_header(part) in by_name for part in parts):
            raise TableError(SEMICOLON_SEPARATED, code="semicolon_separated", row=row)


def _refuse_header_cells(header: list[str], row: int) -> None:
    """A header cell the workbook reader refused (a formula, an error value)."""
    for position, message, params in getattr(header, "problems", None) or ():
        column = column_letter(position)
        raise TableError(
            HEADER_CELL,
            code="header_cell",
            row=row,
            column=column,
            params={
                "row": row,
                "column": column,
                "reason": str(message) % params if params else str(message),
            },
        )


def _named(unknown: list[str], columns: list[Column]) -> str:
    """The unknown headers, each with the expected one it most resembles."""
    labels = {name: c.label for c in columns for name in c.names()}
    shown = []
    for header in unknown[:5]:
        close = difflib.get_close_matches(
            normalize_header(header)[:50], list(labels), n=1, cutoff=0.5
        )
        header = (
            header if len(header) <= 30 else header[:30] + "…"
        )  # a title row, a pasted paragraph
        shown.append(
            str(DID_YOU_MEAN) % {"header": header, "suggestion": labels[close[0]]}
            if close
            else f"“{header}”"
        )
    more = str(MORE_COLUMNS) % {"count": len(unknown)} if len(unknown) > 5 else ""
    return "、".join(shown) + more


def expected_headers(columns: list[Column]) -> str:
    """ "必填：身份证号码、姓名；选填：联系电话" — for messages and the upload page."""
    required = "、".join(c.shown() for c in columns if c.required) or str(NONE)
    optional = "、".join(c.shown() for c in columns if not c.required) or str(NONE)
    return str(EXPECTED_COLUMNS) % {"required": required, "optional": optional}


# What offices write in the first cell (or the second, after an empty 序号) of a totals row.
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "共计", "累计", "total", "sum"})


def _total_word(cells: list[str]) -> tuple[int, str] | None:
    """(position, word) when the row is a totals row, else None."""
    for position in range(min(2, len(cells))):
        text = cells[position].strip()
        if text:
            word = text.replace(" ", "").replace("\u3000", "").rstrip("：:").casefold()
            return (position, text) if word in TOTAL_WORDS else None
    return None


def _blank(cells: list[str]) -> bool:
    return not any(cells) or not "".join(cells).strip()


class Table:
    """An open table: `headers` (as written in the file), then iterate for rows."""

    source_format = ""

    def __init__(
        self,
        raw_rows: Iterator[list[str]],
        columns: Iterable[Column],
        close: Callable[[], None] | None = None,
    ) -> None:
        self.columns = list(columns)
        self._raw = raw_rows
        self._close = close
        # Blank rows above the header (a file that starts with an empty line) are skipped,
        # and counted, so row numbers stay those of Excel.
        self.header_row = 0
        for header in self._raw:
            self.header_row += 1
            if not _blank(header):
                break
        else:
            raise TableError(EMPTY_FILE, code="empty")
        _refuse_header_cells(header, self.header_row)
        self.headers = [h.replace("\ufeff", "").strip() for h in header]
        try:
            self._index = map_headers(self.headers, self.columns, row=self.header_row)
        except TableError as exc:
            if exc.code == "unknown_columns" and self._header_follows():
                raise _title_error(self.headers, self.header_row) from None
            raise
        # Errors name a column as the file's own header says it.
        self.label_of = {c.key: self._header_for(c) for c in self.columns}
        # Rows are built a million times: pick the cells with one C-level call.
        self._keys = list(self._index)
        positions = list(self._index.values())
        self._reach = max(positions, default=-1) + 1
        getter = operator.itemgetter(*positions) if positions else (lambda cells: ())
        self._pick = (
            getter if len(positions) > 1 else (lambda cells: (getter(cells),) if positions else ())
        )
        self._rules()

    def _header_follows(self) -> bool:
        """Whether the row read as the header is one filled cell and the next row that is
        not blank is a header of these columns (the file is refused either way)."""
        if sum(1 for h in self.headers if h) != 1:
            return False
        following = next((cells for cells in self._raw if not _blank(cells)), None)
        if following is None:
            return False
        try:
            map_headers([h.strip() for h in following], self.columns)
        except TableError:
            return False
        return True

    def _rules(self) -> None:
        """What each position's cells may hold (see Column)."""
        width = len(self.headers)
        by_key = {c.key: c for c in self.columns}
        self._limits = [MAX_CELL] * width
        self._wide = [False] * width
        self._multiline = [False] * width
        for key, position in self._index.items():
            column = by_key[key]
            self._limits[position] = min(column.max_length or MAX_CELL, MAX_CELL)
            self._wide[position] = column.halfwidth
            self._multiline[position] = column.multiline
        self._shortest = min(self._limits, default=MAX_CELL)
        self._limited = [(p, limit) for p, limit in enumerate(self._limits) if limit < MAX_CELL]
        wide = [i for i, flag in enumerate(self._wide) if flag]
        self._wide_pick = operator.itemgetter(*wide) if wide else None
        self._headless = [i for i, header in enumerate(self.headers) if not header]

    def _header_for(self, column: Column) -> str:
        position = self._index.get(column.key)
        return self.headers[position] if position is not None else column.label

    def _label_at(self, position: int) -> str:
        header = self.headers[position] if position < len(self.headers) else ""
        return header or column_letter(position)

    def __iter__(self) -> Iterator[Row]:
        width = len(self.headers)
        number = self.header_row
        pending: Row | None = None
        previous_width = width
        for cells in self._raw:
            number += 1
            if _blank(cells):
                continue  # blank lines (Excel leaves ",,,," at the end) are not rows
            if pending is not None:
                previous_width = pending.width
                yield pending
            pending = self._row(number, cells, width)
        if pending is None:
            raise TableError(HEADER_ONLY, code="header_only")
        if pending.width < min(width, previous_width):
            # The last row stops short of the rows above it: the file was cut off.
            raise TableError(
                TRUNCATED, code="truncated", row=pending.number, params={"row": pending.number}
            )
        yield pending

    def _row(self, number: int, cells: list[str], width: int) -> Row:
        if len(cells) >= self._reach:
            values = dict(zip(self._keys, map(str.strip, self._pick(cells)), strict=True))
        else:
            values = {
                key: (cells[i].strip() if i < len(cells) else "") for key, i in self._index.items()
            }
        row = Row(number, values, width=len(cells))
        if len(cells) != width and (len(cells) < width or any(c.strip() for c in cells[width:])):
            row.errors.append(
                Problem(number, "", FIELD_COUNT, {"got": len(cells), "want": width}, "field_count")
            )
        if cells and cells[0].strip() == self.headers[0] and self._is_header(cells):
            row.errors.append(Problem(number, "", HEADER_AGAIN, {}, "header_again"))
            return row
        total = _total_word(cells)
        if total:  # a 合计 row under the data: one clear error, not one per cell
            row.errors.append(
                Problem(number, self._label_at(total[0]), TOTAL_ROW, {"word": total[1]})
            )
            return row
        problems = getattr(cells, "problems", None)  # cells an XLSX reader refused (formulas, …)
        if problems:
            for position, message, params in problems:
                row.errors.append(Problem(number, self._label_at(position), message, params or {}))
        if self._suspect(cells):
            self._check_cells(row, cells[:width])
        return row

    def _is_header(self, cells: list[str]) -> bool:
        """The header row again (two files pasted one after the other)."""
        return [c.replace("\ufeff", "").strip() for c in cells[: len(self.headers)]] == self.headers

    def _suspect(self, cells: list[str]) -> bool:
        """Whether the row needs a cell-by-cell look, decided by C-level string methods
        (a million rows: a regex per row would double the cost of reading them)."""
        joined = "".join(cells)
        # isprintable() is False for every control, format and separator character.
        if not joined.isprintable() or "\ufffd" in joined:
            return True
        if len(joined) > self._shortest:
            longest = max(map(len, cells))
            if (
                longest > MAX_CELL
                or longest > self._shortest
                and any(len(cells[p]) > limit for p, limit in self._limited if p < len(cells))
            ):
                return True
        if "=" in joined:
            return True  # maybe a formula typed as text (=1+1, =HYPERLINK(…)): never imported
        if self._wide_pick is not None:
            if len(cells) < self._reach:
                return True
            wide = "".join(self._wide_pick(cells))
            if not wide.isascii() or "E+" in wide or "e+" in wide:
                return True
        return bool(self._headless) and any(
            cells[i].strip() for i in self._headless if i < len(cells)
        )

    def _check_cells(self, row: Row, cells: list[str]) -> None:
        for position, cell in enumerate(cells):
            text = cell.strip()
            if not text:
                continue
            refusal = self._refusal(position, text, row.number)
            if refusal is not None:
                row.errors.append(Problem(row.number, self._label_at(position), *refusal))

    def _refusal(self, position: int, text: str, number: int) -> tuple[Any, dict[str, Any]] | None:
        """Why this cell cannot be imported (message and parameters; None if it can)."""
        forbidden = FORBIDDEN_IN_MULTILINE if self._multiline[position] else FORBIDDEN_IN_CELL
        bad = forbidden.search(text)
        if bad is not None:
            return CONTROL_CHAR, {"char": char_name(bad.group())}
        if text.startswith("=") and len(text) > 1:
            # A formula as text (a CSV, or an XLSX cell typed '=…): its result was never
            # computed, and a cell starting with = becomes a formula again in any export.
            cell = f"{column_letter(position)}{number}"
            return FORMULA, {"cell": cell, "formula": formula_shown(text)}
        if self._wide[position] and SCIENTIFIC.fullmatch(text):
            return NUMBER_TOO_LONG, {}  # 3.20902E+17: an ID number or a code Excel made a number
        if self._wide[position] and WIDE.search(text):
            return FULLWIDTH, {"value": text, "suggestion": halfwidth(text)}
        if len(text) > self._limits[position]:
            return TOO_LONG, {"length": len(text), "limit": self._limits[position]}
        if position in self._headless:
            return NO_HEADER, {"column": column_letter(position)}
        return None

    def close(self) -> None:
        if self._close is not None:
            self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_table(source: Any, *, columns: Iterable[Column]) -> Table:
    """Open a path, an uploaded file, bytes or a binary stream as a `Table` (streaming);
    `table.source_format` says what it was (UTF-8, UTF-8-BOM, GBK or XLSX). Use as a
    context manager (or call `close()`) when you pass a path."""
    stream, close = _binary(source)
    try:
        stream, close = _seekable(stream, close)
        stream.seek(0)  # a stored file read once already (preview, then commit)
        kind = identify(stream.read(SNIFF_BYTES))
        stream.seek(0)
        if kind == "xlsx":
            table = Table(workbook_rows(stream), columns, close)
            table.source_format = "XLSX"
            return table
        encoding = detect_encoding(stream)
        table = Table(csv_records(stream, encoding), columns, close)
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


def _seekable(
    stream: IO[bytes], close: Callable[[], None] | None
) -> tuple[IO[bytes], Callable[[], None] | None]:
    """The stream itself, or (a pipe, a socket) a spooled copy: sniffing and re-reading
    a broken record need to seek."""
    if stream.seekable():
        return stream, close
    copy = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 — closed with the table
    while block := stream.read(1 << 20):
        copy.write(block)

    def close_both() -> None:
        copy.close()
        if close is not None:
            close()

    return copy, close_both


def error_report_table(errors: Iterable[Problem | dict[str, Any]]) -> exports.Table:
    """The error list (row as in Excel, column, reason) as a table for the one writer."""
    rows = (
        [e.row, e.column, e.reason]
        if isinstance(e, Problem)
        else [e.get("row"), e.get("column", ""), e.get("reason", "")]
        for e in errors
    )
    return exports.Table(
        title=_("导入错误报告"),
        rows=rows,
        columns=[
            exports.Column(_("行号"), width=8),
            exports.Column(_("列"), width=16),
            exports.Column(_("原因"), width=60),
        ],
    )


def error_report_csv(errors: Iterable[Problem | dict[str, Any]]) -> Iterator[bytes]:
    """The error list as CSV bytes from the one writer: a BOM for Chinese Excel, and the
    user's own cell text (echoed in reasons) never turned into a formula."""
    for chunk in exports.csv_chunks(error_report_table(errors)):
        yield chunk.encode("utf-8")

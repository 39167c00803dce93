"""The one writer of every table the system hands out: page exports, admin exports,
statements, import error reports — CSV (UTF-8 with a BOM, so Chinese Excel reads it)
and XLSX (a title block, a frozen header, column widths, money as real numbers).

Describe the table, hand over the rows, pick the format::

    table = Table(title=_("基金收支表"), meta=[(_("账簿"), book.name), (_("期间"), "2026年3月")],
                  columns=[Column(_("项目"), width=28), Column(_("本月"), MONEY, total=True)],
                  rows=([item.label, item.month_fen] for item in items), totals=_("合计"))
    return export_response(table, request.GET.get("format"))

Cells are written by their column's kind: MONEY takes integer fen and writes exact yuan
(a number with `#,##0.00` in XLSX, `1234.50` in CSV, so Excel sums it); INTEGER (a count,
shown 12,345), DECIMAL, PERCENT (percentage points: 85.3 is 85.3 %), DATE, MONTH and
DATETIME (local time) stay numbers and dates. CODE is text that must keep every digit (ID
numbers, credit codes). An id or a year is plain TEXT: a number, shown without separators.
Everything else is TEXT, and text that a spreadsheet would run — starting with `=`, `+`,
`-`, `@`, a tab or a carriage return (OWASP's CSV-injection rule; the full-width forms
too, which Chinese input methods produce) — is neutralised here and only here: in CSV it
gets a leading apostrophe; in XLSX it is a text cell with Excel's own quote prefix, so it
shows and reads back exactly as typed and never becomes a formula. A number handed to a
text column stays a number.

CSV streams row by row (StreamingHttpResponse; ScopeMiddleware keeps the request's
county scope while it streams). XLSX is written by openpyxl's write-only mode into a
spooled temporary file and streamed from there, so a month's journal never sits in memory.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from pooling.kernel.money import fen_to_yuan
from pooling.kernel.scoping import current_scope

BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

TEXT, CODE, MONEY, INTEGER, DECIMAL, PERCENT, DATE, MONTH, DATETIME = (
    "text",
    "code",
    "money",
    "integer",
    "decimal",
    "percent",
    "date",
    "month",
    "datetime",
)
KINDS = (TEXT, CODE, MONEY, INTEGER, DECIMAL, PERCENT, DATE, MONTH, DATETIME)

# What a spreadsheet reads as the start of a formula (OWASP CSV injection), with the
# full-width forms a Chinese input method types.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# Characters XML 1.0 cannot hold: openpyxl refuses them, CSV readers choke on them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A digit string Excel would turn into a number and spoil (E notation past 11 digits,
# lost digits past 15, a dropped leading zero). See `_csv_code`.
_FRAGILE_DIGITS = re.compile(r"0\d+|\d{12,}")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_FILE_NAME_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')

FORMATS = {
    MONEY: "#,##0.00",
    INTEGER: "#,##0",
    PERCENT: "0.0%",
    DATE: "yyyy-mm-dd",
    MONTH: "yyyy-mm",
    DATETIME: "yyyy-mm-dd hh:mm:ss",
}
WIDTHS = {
    TEXT: 16,
    CODE: 21,
    MONEY: 16,
    INTEGER: 10,
    DECIMAL: 10,
    PERCENT: 10,
    DATE: 12,
    MONTH: 10,
    DATETIME: 20,
}
HEADER_ROW = 3  # title, then the meta line with 单位：元, then the header


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, how its cells are written, its XLSX width (in
    characters; a CJK character counts two) and whether the totals row sums it."""

    header: Any
    kind: str = TEXT
    width: int | None = None
    total: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.total and self.kind not in (MONEY, INTEGER):
            raise ValueError("only money and integer columns can be totalled")


@dataclass
class Table:
    """A report: its title (also the sheet's and the file's name), the title-block
    fields (e.g. 账簿, 核算单位, 期间), its columns and rows (any iterable, read once),
    and the label of a totals row if one is wanted. `name_parts` follow the title in the
    file name (a book, a period, a county) — names people read, never internal codes."""

    title: Any
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    meta: Sequence[tuple[Any, Any]] = ()
    totals: Any = None
    name_parts: Sequence[Any] = field(default_factory=tuple)

    @property
    def has_money(self) -> bool:
        return any(c.kind == MONEY for c in self.columns)


def scope_name() -> str:
    """Whose rows the export holds, for its title block: the reader's county, or 全市."""
    from pooling.kernel.regions import Region

    scope = current_scope()
    if scope.all_regions:
        return _("全市")
    names = (
        Region.objects.filter(code__in=scope.region_codes)
        .order_by("code")
        .values_list("name", flat=True)
    )
    return "、".join(names)


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + text if is_formula_like(text) else text


def is_formula_like(text: str) -> bool:
    return text.lstrip(" \u3000").startswith(FORMULA_START) or text.startswith(FORMULA_START)


def file_name(table: Table, extension: str) -> str:
    parts = [str(p) for p in (table.title, *table.name_parts) if p not in (None, "")]
    stem = _FILE_NAME_BAD.sub("_", "-".join(parts)).strip(" .") or "export"
    return f"{stem}.{extension}"


def content_disposition(filename: str) -> str:
    # RFC 5987: Chinese file names survive every browser on the intranet.
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def export_response(table: Table, fmt: str | None) -> StreamingHttpResponse | FileResponse:
    """The table as a download: `fmt` "xlsx" gives XLSX, anything else CSV."""
    if fmt == "xlsx":
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # FileResponse closes it
        write_xlsx(table, spool)
        spool.seek(0)
        response: StreamingHttpResponse | FileResponse = FileResponse(spool, content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition(file_name(table, "xlsx"))
        return response
    response = StreamingHttpResponse(csv_chunks(table), content_type=CSV_TYPE)
    response["Content-Disposition"] = content_disposition(file_name(table, "csv"))
    return response


# -- cells -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    kind: str  # a column kind, or "" for an empty cell
    value: Any


_EMPTY = _Cell("", None)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return _CONTROL.sub("", str(value))


def _cell(column: Column, value: Any) -> _Cell:
    """What one value becomes in `column`: the one place a value gets its type."""
    if value is None or value == "":
        return _EMPTY
    kind = column.kind
    if isinstance(value, bool):
        return _Cell(TEXT, _text(value))
    if kind == MONEY and isinstance(value, int):
        return _Cell(MONEY, fen_to_yuan(value))
    if kind == MONEY and isinstance(value, Decimal | float):
        raise TypeError(f"money columns take integer fen, got {value!r}")
    if kind in (INTEGER, DECIMAL, PERCENT) and isinstance(value, int | Decimal):
        return _Cell(kind, value)
    if kind in (DATE, MONTH, DATETIME) and isinstance(value, date):
        return _date_cell(kind, value)
    if kind in (TEXT, CODE) and isinstance(value, int | Decimal):
        return _Cell(DECIMAL, value)  # a real number stays a number
    if isinstance(value, datetime):
        return _date_cell(DATETIME, value)
    if isinstance(value, date):
        return _date_cell(DATE, value)
    return _Cell(CODE if kind == CODE else TEXT, _text(value))


def _date_cell(kind: str, value: date) -> _Cell:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        if kind != DATETIME:
            value = value.date()
    return _Cell(kind, value)


class _Totals:
    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = columns
        self.sums = [0] * len(columns)

    def add(self, row: Sequence[Any]) -> None:
        for i, column in enumerate(self.columns):
            value = row[i] if i < len(row) else None
            if column.total and isinstance(value, int) and not isinstance(value, bool):
                self.sums[i] += value

    def row(self, label: Any) -> list[Any]:
        cells: list[Any] = [
            s if c.total else None for c, s in zip(self.columns, self.sums, strict=True)
        ]
        if cells and not self.columns[0].total:
            cells[0] = str(label)
        return cells


def _rows(table: Table) -> Iterator[tuple[bool, list[_Cell]]]:
    """(is_totals, cells) for every row, then the totals row if asked."""
    totals = _Totals(table.columns)
    width = len(table.columns)
    for row in table.rows:
        if len(row) > width:
            raise ValueError(f"row has {len(row)} cells for {width} columns: {row!r}")
        totals.add(row)
        yield (
            False,
            [_cell(c, row[i] if i < len(row) else None) for i, c in enumerate(table.columns)],
        )
    if table.totals is not None:
        row = totals.row(table.totals)
        yield True, [_cell(c, v) for c, v in zip(table.columns, row, strict=True)]


# -- CSV ---------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_code(text: str) -> str:
    # Excel opens a CSV ID number as 3.60426E+17 and drops its last digits; a leading
    # tab keeps it text. Only ever in front of pure digits, so it cannot start a formula.
    return "\t" + text if _FRAGILE_DIGITS.fullmatch(text) else neutralise(text)


def _csv_value(cell: _Cell) -> str:
    kind, value = cell.kind, cell.value
    if kind == "":
        return ""
    if kind == TEXT:
        return neutralise(value)
    if kind == CODE:
        return _csv_code(value)
    if kind == PERCENT:
        return f"{format(value, 'f')}%"
    if kind == MONTH:
        return f"{value:%Y-%m}"
    if kind == DATETIME:
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if kind == DATE:
        return value.isoformat()
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV text, a row at a time, starting with the BOM and the header."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([neutralise(_text(c.header)) for c in table.columns])
    for _is_total, cells in _rows(table):
        yield writer.writerow([_csv_value(c) for c in cells])


def csv_bytes(table: Table) -> bytes:
    return "".join(csv_chunks(table)).encode("utf-8")


# -- XLSX --------------------------------------------------------------------------------


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _column_width(column: Column) -> int:
    return max(column.width or WIDTHS[column.kind], _display_width(_text(column.header)) + 2)


class _Styles:
    """openpyxl style objects, made once per workbook."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="999999")
        self.title = Font(bold=True, size=14)
        self.bold = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="EEF2F7")
        self.header_border = Border(bottom=thin, top=thin)
        self.total_border = Border(top=thin)
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.right = Alignment(horizontal="right")


def _plain_text(value: str) -> bool:
    """Text openpyxl stores as a string of itself: not "=…" (a formula to it), not "#N/A"
    (an error value), nothing a spreadsheet would run."""
    from openpyxl.cell.cell import ERROR_CODES

    return not is_formula_like(value) and value not in ERROR_CODES


def _xlsx_cell(sheet: Any, cell: _Cell, styles: _Styles, *, bold: bool = False) -> Any:
    from openpyxl.cell import WriteOnlyCell

    kind, value = cell.kind, cell.value
    if not bold and (kind == DECIMAL or (kind in (TEXT, CODE) and _plain_text(value))):
        return value  # nothing to style: openpyxl writes it as it is (cheaper by half)
    if kind in (TEXT, CODE):
        out = WriteOnlyCell(sheet, value=value)
        # Always a text cell (openpyxl would make "=…" a formula); the quote prefix keeps
        # Excel from reading it as one even when someone edits the cell.
        out.data_type = "s"
        if is_formula_like(value):
            out.quotePrefix = True
    elif kind == PERCENT:
        out = WriteOnlyCell(sheet, value=value / Decimal(100))
    else:
        out = WriteOnlyCell(sheet, value=value)
    if kind in FORMATS:
        out.number_format = FORMATS[kind]
    if bold:
        out.font = styles.bold
        out.border = styles.total_border
    return out


def _title_block(sheet: Any, table: Table, styles: _Styles) -> None:
    from openpyxl.cell import WriteOnlyCell

    title = WriteOnlyCell(sheet, value=neutralise(_text(table.title)))
    title.font = styles.title
    sheet.append([title])
    meta = "　".join(f"{_text(k)}：{_text(v)}" for k, v in table.meta if v not in (None, ""))
    line: list[Any] = [neutralise(meta)] if meta else []
    if table.has_money:
        unit = WriteOnlyCell(sheet, value=_("单位：元"))
        unit.alignment = styles.right
        last = len(table.columns) - 1
        if last <= 0:
            line = [f"{meta}　{unit.value}" if meta else unit.value]
        else:
            line = line + [None] * (last - len(line)) + [unit]
    sheet.append(line)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=neutralise(_text(column.header)))
        cell.data_type = "s"
        cell.font, cell.fill = styles.bold, styles.header_fill
        cell.border, cell.alignment = styles.header_border, styles.center
        header.append(cell)
    sheet.append(header)


def write_xlsx(table: Table, out: IO[bytes]) -> None:
    """Write the table as an XLSX workbook of one sheet into `out`."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(_SHEET_NAME_BAD.sub("_", _text(table.title)) or "Sheet1")[:31])
    for i, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _column_width(column)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    styles = _Styles()
    _title_block(sheet, table, styles)
    for is_total, cells in _rows(table):
        sheet.append(
            [_xlsx_cell(sheet, c, styles, bold=is_total) if c.kind else None for c in cells]
        )
    book.save(out)


def xlsx_bytes(table: Table) -> bytes:
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        write_xlsx(table, spool)
        spool.seek(0)
        return spool.read()

"""Exports finance can open in Excel: CSV with a UTF-8 BOM (Chinese Excel reads it
correctly) and XLSX. Both stream from an iterable of rows, so a month's journal
never has to sit in memory; both run inside the request's county scope (see
ScopeMiddleware, which keeps the scope for streaming responses).

Money columns are exported as plain yuan numbers with two decimals (no thousands
separators), so Excel sums them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse

BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _disposition(filename: str) -> str:
    # RFC 5987: Chinese file names survive every browser on the intranet.
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """Write one or more (title, header, rows) sheets with openpyxl's write-only mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(list(header))
        for row in rows:
            cells = []
            for value in row:
                if isinstance(value, Decimal):
                    # A number Excel can sum, written exactly as its decimal digits.
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "0.00"
                    cells.append(cell)
                else:
                    cells.append(value)
            sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
                  *, sheet_title: str = "Sheet1") -> HttpResponse:
    response = HttpResponse(xlsx_bytes([(sheet_title, header, rows)]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response


def tabular_response(fmt: str, filename_stem: str, header: Sequence[str],
                     rows: Iterable[Sequence[Any]]) -> HttpResponse | StreamingHttpResponse:
    """`fmt` is "csv" or "xlsx" (from ?format=); anything else falls back to CSV."""
    if fmt == "xlsx":
        return xlsx_response(f"{filename_stem}.xlsx", header, rows, sheet_title=filename_stem)
    return csv_response(f"{filename_stem}.csv", header, rows)

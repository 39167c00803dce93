"""CSV (UTF-8 with BOM, opens in Chinese Excel) and XLSX responses for the public list.

Written here because the shared `pooling.exports` was not yet on main; switch to it
once merged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"


def csv_response(filename: str, header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([str(h) for h in header])
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type=CSV_TYPE)
    response["Content-Disposition"] = _disposition(filename + ".csv")
    return response


def xlsx_response(filename: str, header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.append([str(h) for h in header])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename + ".xlsx")
    return response

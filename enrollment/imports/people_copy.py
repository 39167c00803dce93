"""People straight into PostgreSQL with COPY: the fast path of the people import.

The ORM's per-object save runs at about a thousand rows a second; COPY at tens of
thousands. Rows arrive already validated (the import's streaming pass), are
formatted as COPY text lines and sent in blocks, inside the commit's transaction —
so a bad row found later still rolls the whole file back. COPY fires no Django
signals: the batch carries the one audit entry for the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection
from django.utils import timezone

from enrollment.models import Person
from pooling.imports.kinds import chunked

COLUMNS = (
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
    "created_at",
    "created_by_id",
)
BLOCK_ROWS = 5000
# COPY text format: backslash, tab and line breaks inside a value must be escaped.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_people(records: Iterable[tuple], *, created_by_id: int | None) -> int:
    """COPY (county, id_number, name, sex, birth_date, phone, address, category,
    special_group, prior_months) tuples into the person table; return the count."""
    table = Person._meta.db_table
    sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
    stamp = timezone.now().isoformat()
    creator = str(created_by_id) if created_by_id is not None else "\\N"  # \N is NULL in COPY
    tail = f"\t{stamp}\t{creator}\n"
    written = 0
    # One COPY for the whole file: PostgreSQL stores rows on its core while this
    # process checks the next ones on the other. Nothing else may use the connection
    # meanwhile (the workflow does no lookups on it during a commit of this kind).
    # wrap_database_errors: a clash with the unique index surfaces as Django's IntegrityError.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for block in chunked(records, BLOCK_ROWS):
            copy.write(
                "".join(
                    f"{county}\t{id_number}\t{name.translate(_ESCAPES)}\t{sex}\t{_iso(birth)}\t"
                    f"{phone.translate(_ESCAPES)}\t{address.translate(_ESCAPES)}\t{category}\t"
                    f"{group}\t{months}{tail}"
                    for county, id_number, name, sex, birth, phone, address, category, group, months in block
                )
            )
            written += len(block)
    return written


def _iso(day: date) -> str:
    return day.isoformat()

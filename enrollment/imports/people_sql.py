"""People files checked and written set-wise inside PostgreSQL: the fast path of a clean file.

Python spends ~15 µs a row parsing and validating; PostgreSQL's COPY takes ~3 µs.
So a people CSV is COPYed raw into an UNLOGGED staging table and screened with one
(parallel) query. The screen is conservative, never the judge: it only answers "every row is
certainly clean" (then INSERT … SELECT writes the file) or "not sure" (None). On
"not sure" the row-by-row Python path runs as before and names each error with the
validators' own messages — so the Python validators stay the single source of the
rules and their texts, and a file with errors reads exactly as it always did.

What the screen cannot decide cheaply in SQL is decided in Python once per
*distinct* value (area codes, birth dates, 人员类别, 特殊群体, county codes —
thousands at most), by the very functions the row path calls. Anything unusual
about the file (XLSX, blank lines, ragged rows, a cell with outer spaces, a quote or
an = anywhere, a header the row path would refuse or a column it would not read, a
control character, a row in another encoding) is "not sure". The file reaches COPY
through the row path's own decoding (`pooling.tabular.text.Lines`): its header, its
encoding and its text are the ones the row path judges.

At commit the screen runs again on the stored file (the rules may have changed since
the preview), but the duplicate checks are left to the person table's unique index;
a file as large as the register is written with that table's indexes set aside and
rebuilt afterwards (`pooling.tabular.bulkload`).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from psycopg.pq import TransactionStatus

from enrollment import validators as v
from enrollment.imports.people_copy import COLUMNS
from enrollment.models import Person
from pooling.dbroles import SCRATCH_SCHEMA
from pooling.imports.kinds import Context, ImportKind, RowProblem
from pooling.kernel import codes
from pooling.kernel.errors import BusinessRuleError
from pooling.tabular.bulkload import indexes_set_aside, worth_setting_aside
from pooling.tabular.cells import FORBIDDEN_IN_TEXT
from pooling.tabular.reader import TableError, map_headers
from pooling.tabular.sniff import SNIFF_BYTES, detect_encoding, identify
from pooling.tabular.text import Lines, LongLine

STAGE = "people_import_stage"
MAX_DISTINCT = 5000  # more distinct areas/categories/counties than this is junk: let Python name it
MAX_BIRTH_DATES = 60_000  # every day since 1880 is ~53,000
# Characters Python's str.strip() removes; a cell starting or ending with one is "not sure".
_PY_SPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def _digits(expr: str, length: int | None = None) -> str:
    """Only ASCII digits (and, given a length, exactly that many)."""
    size = f"octet_length({expr}) = {length} AND " if length else ""
    return f"({size}translate({expr}, '0123456789', '') = '')"


def _no_outer_space(expr: str) -> str:
    """Neither first nor last character is one Python's strip() would remove (expr non-empty)."""
    return f"(strpos(%(space)s, left({expr}, 1)) = 0 AND strpos(%(space)s, right({expr}, 1)) = 0)"


# The cell rules, written from the validators' own definitions (tests/enrollment/imports/
# test_people_sql.py runs both over one corpus of cells).
_PHONE = f"^({v.PHONE_PATTERN})$"
_MONTHS_DIGITS = len(str(v.PRIOR_MONTHS_MAX))
CELLS_CLEAN = f"""
    {codes.id_number_sql("s.id")}
    AND char_length(s.name) BETWEEN 1 AND {v.NAME_MAX} AND {_no_outer_space("s.name")}
    AND strpos(s.name, U&'\\3000') = 0
    AND (s.phone = '' OR {_digits("s.phone", 11)} AND left(s.phone, 1) = '1' OR s.phone ~ %(phone)s)
    AND char_length(s.address) <= {v.ADDRESS_MAX} AND (s.address = '' OR {_no_outer_space("s.address")})
    AND (s.prior_months = '' OR octet_length(s.prior_months) <= {_MONTHS_DIGITS}
         AND {_digits("s.prior_months")} AND s.prior_months::int <= {v.PRIOR_MONTHS_MAX})"""


def people_bulk(kind: ImportKind, batch: Any, ctx: Context, *, write: bool) -> int | None:
    """Rows in the file if every one is certainly clean (and written, when `write`); else None."""
    if connection.vendor != "postgresql":
        return None
    # One transaction for a preview (a savepoint inside a commit's): a crash midway leaves
    # no staging table behind.
    with default_storage.open(batch.stored_name, "rb") as f, transaction.atomic():
        found = _columns(f, kind)
        if found is None:
            return None
        picks, encoding = found
        f.seek(0)
        try:
            try:
                with (
                    transaction.atomic(),
                    connection.wrap_database_errors,
                ):  # a savepoint inside the commit: a failed COPY leaves no trace
                    rows = _stage(_utf8_blocks(f, encoding), picks)
                    if not rows:
                        return None
                    maps = _certainly_clean(ctx, keys_left_to_database=write)
                    if maps is None:
                        return None
            except (DatabaseError, UnicodeDecodeError, LongLine, _NotSure):
                return None  # COPY refused the file (ragged rows, blank lines, bad bytes): Python will say why
            return _insert(ctx, rows, maps) if write else rows
        finally:
            _drop_stage()


def _drop_stage() -> None:
    if connection.connection.info.transaction_status == TransactionStatus.INERROR:
        return  # a failed write (e.g. a clash with the unique index): the rollback takes the table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_stage_name()}")


def _stage_name() -> str:
    """An UNLOGGED table, not a TEMP one: PostgreSQL's parallel workers can scan it, which
    halves the screen on two cores. Named by the server process, so concurrent imports
    never meet; created inside the transaction, so a crash leaves nothing behind. In the
    scratch schema: the only place the runtime role may create a table (pooling.dbroles)."""
    return f"{SCRATCH_SCHEMA}.{STAGE}_{connection.connection.info.backend_pid}"


def _columns(f: Any, kind: ImportKind) -> tuple[dict[str, int | None], str] | None:
    """The file's position of each column key, from its header, and its encoding
    (None: not a plain CSV whose every column the screen reads)."""
    try:
        if identify(f.read(SNIFF_BYTES)) != "csv":
            return None
    except TableError:
        return None
    encoding = detect_encoding(f)  # the row path's own choice, so both read the same text
    head = f.read(SNIFF_BYTES)
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return None  # a bad byte: the row path reports it
    try:
        line = text.split("\n", 1)[0].rstrip("\r")
        if '"' in line or "\r" in line:
            return None  # a quoted header may hide a line break; CR line ends: keep it simple
        header = [h.strip() for h in next(csv.reader(io.StringIO(line)))]
        index = map_headers(header, kind.columns)
    except (StopIteration, csv.Error, TableError):
        return None  # the row path raises the proper header error
    if len(index) != len(header):
        return None  # a column the screen would not read (序号, one without a header)
    picks: dict[str, int | None] = {"width": len(header)}
    picks.update({column.key: index.get(column.key) for column in kind.columns})
    return picks, encoding


class _NotSure(Exception):
    """Something in the text the row path would refuse: leave the file to it."""


def _utf8_blocks(f: Any, encoding: str) -> Iterator[bytes]:
    """The file as UTF-8 blocks, decoded as the row path decodes it — by Python's codecs,
    not PostgreSQL's tables, which map a few rare GBK characters differently: a name
    must come out the same whichever path wrote it."""
    for chunk, text, bad in Lines(f, encoding).chunks():
        if bad is not None or FORBIDDEN_IN_TEXT.search(text):
            raise _NotSure  # a row in another encoding, a control character
        yield chunk if encoding != "gb18030" else text.encode("utf-8")


KEYS = (
    "id_number",
    "name",
    "category",
    "county",
    "phone",
    "address",
    "special_group",
    "prior_months",
)
_NAME = {"id_number": "id"}  # the screen and the insert read s.id, s.name, ...


def _stage(blocks: Iterator[bytes], picks: dict[str, int | None]) -> int | None:
    """COPY the file's cells into the staging table, named by column key (other columns: x<i>)."""
    width = picks["width"] or 0
    by_position = {i: _NAME.get(k, k) for k, i in picks.items() if k in KEYS and i is not None}
    file_columns = [by_position.get(i, f"x{i}") for i in range(width)]
    absent = [_NAME.get(k, k) for k in KEYS if picks.get(k) is None]
    table = [f"{c} text" for c in file_columns] + [f"{c} text NOT NULL DEFAULT ''" for c in absent]
    keyed = ", ".join(by_position.values())
    stage = _stage_name()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE UNLOGGED TABLE {stage} ({', '.join(table)})")
        suspicious = False
        tail = b""
        # FORCE_NOT_NULL: an empty cell is '' (as Python reads it), not NULL.
        sql = (
            f"COPY {stage} ({', '.join(file_columns)}) FROM STDIN "
            f"WITH (FORMAT csv, HEADER true, ENCODING 'UTF8', FORCE_NOT_NULL ({keyed}))"
        )
        with cursor.cursor.copy(sql) as copy:
            for block in blocks:
                # A line "\." ends COPY's data early; Python would read on. And PostgreSQL
                # opens a quote anywhere in a field where Python's csv only does at its
                # start: a file with any quote is not sure either. Nor is one with an "=":
                # a cell may be a formula typed as text, which the reader refuses.
                suspicious = (
                    suspicious
                    or b'"' in block
                    or b"=" in block
                    or b"\n\\." in tail + block
                    or b"\r\\." in tail + block
                )
                tail = block[-2:]
                copy.write(block)
        if suspicious:
            return None
        cursor.execute(f"SELECT count(*) FROM {stage}")
        rows = cursor.fetchone()[0]
    return rows or None  # header only: the row path says so


Maps = dict[str, dict[str, str]]


def _certainly_clean(ctx: Context, *, keys_left_to_database: bool) -> Maps | None:
    """What each distinct category/group/county cell becomes, if every row is certainly
    clean; None if not sure. `keys_left_to_database`: skip the duplicate checks (inside
    the file, against the register) — the commit's unique index makes them, and a clash
    rolls back to the row path that names the rows."""
    stage = _stage_name()
    judges = {
        "area": ("substr(id, 1, 6)", _area),
        "birth": ("substr(id, 7, 8)", lambda b: "1" if _birth_ok(b, ctx) else None),
        "category": ("category", lambda c: _row_value(ctx, "category", c)),
        "special_group": ("special_group", lambda g: _row_value(ctx, "special_group", g)),
        "county": ("county", lambda c: _row_value(ctx, "county", c)),
    }
    maps: Maps = {}
    with connection.cursor() as cursor:
        for name, (expr, judge) in judges.items():
            # Values of malformed IDs may be judged too: harmless, the main query refuses those rows.
            limit = MAX_BIRTH_DATES if name == "birth" else MAX_DISTINCT
            cursor.execute(f"SELECT DISTINCT {expr} FROM {stage} LIMIT {limit + 1}")
            values = [value for (value,) in cursor.fetchall()]
            if len(values) > limit:
                return None
            maps[name] = {value: out for value in values if (out := judge(value)) is not None}
            if len(maps[name]) < len(values):
                return None  # some row carries a refused value: the row path names it
        # PostgreSQL's regexes cost microseconds a row; translate/strpos cost a fraction.
        cursor.execute(
            f"""
            SELECT count(*) FROM {stage} s
            WHERE NOT coalesce({CELLS_CLEAN}, false)
        """,
            {"space": _PY_SPACE, "phone": _PHONE},
        )
        if cursor.fetchone()[0]:
            return None
        if keys_left_to_database:
            return maps
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {stage} GROUP BY id HAVING count(*) > 1)")
        if cursor.fetchone()[0]:
            return None
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {stage} s JOIN {Person._meta.db_table} p "
            "ON p.id_number = s.id)"
        )
        return None if cursor.fetchone()[0] else maps


def _area(area: str) -> str | None:
    return "1" if codes.is_known_area(area) else None


def _birth_ok(text: str, ctx: Context) -> bool:
    birth = codes.birth_date_of(text)
    return birth is not None and birth <= ctx.cache["today"]


def _row_value(ctx: Context, key: str, value: str) -> str | None:
    """What the row path makes of this one cell (None: it refuses it)."""
    from enrollment.imports.kinds import _memo, checked, county_of, parse_choice
    from enrollment.models import SpecialGroup

    values = {key: value}
    try:
        if key == "county":
            return county_of(values, ctx)
        if key == "special_group":
            return _memo(
                values, ctx, key, lambda vals: parse_choice(vals, key, SpecialGroup, optional=True)
            )
        return _memo(values, ctx, key, lambda vals: checked(vals, key, v.parse_category))
    except (RowProblem, BusinessRuleError):
        return None


def _insert(ctx: Context, rows: int, maps: Maps) -> int:
    """INSERT … SELECT the staged rows; a load as large as the register itself is written
    with the person table's indexes set aside and rebuilt (pooling.tabular.bulkload)."""
    table = Person._meta.db_table
    if not worth_setting_aside(table, rows):
        return _insert_rows(ctx, maps)
    with indexes_set_aside(table):
        return _insert_rows(ctx, maps)


def _insert_rows(ctx: Context, maps: Maps) -> int:
    params: list[Any] = []

    def case(column: str, key: str) -> str:
        # A handful of distinct cells (labels, county codes): a CASE costs less a row than a join.
        params.extend(item for pair in maps[key].items() for item in pair)
        return f"CASE s.{column}{' WHEN %s THEN %s' * len(maps[key])} END"

    county, category, group = (
        case("county", "county"),
        case("category", "category"),
        case("special_group", "special_group"),
    )
    sex = "CASE WHEN substr(s.id, 17, 1) IN ('1', '3', '5', '7', '9') THEN 'M' ELSE 'F' END"
    with connection.cursor() as cursor:
        # substr(…)::date reads YYYYMMDD (ISO 8601 basic) at a fraction of to_date's cost.
        cursor.execute(
            f"""
            INSERT INTO {Person._meta.db_table} ({", ".join(COLUMNS)})
            SELECT {county}, s.id, s.name, {sex}, substr(s.id, 7, 8)::date, s.phone, s.address,
                   {category}, {group}, CASE WHEN s.prior_months = '' THEN 0 ELSE s.prior_months::int END,
                   %s, %s
            FROM {_stage_name()} s
        """,
            [*params, timezone.now(), ctx.actor.pk if ctx.actor else None],
        )
        return cursor.rowcount

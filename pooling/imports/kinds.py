"""What a kind of import is, and where kinds come from.

A kind says which columns it reads, how one row becomes a record (or row
errors), which key makes two rows duplicates, which keys already exist, and how
records are written. The workflow in `services` does the rest: county checks,
duplicates inside the file, progress, all-or-nothing.

Apps offer kinds in `<app>/imports/kinds.py` with `IMPORT_KINDS.register(SomeKind())`;
nothing here changes when an app adds one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from pooling.kernel.choices import choice_code, choice_list
from pooling.kernel.errors import BusinessRuleError, render
from pooling.kernel.hooks import Hook
from pooling.kernel.money import yuan_to_fen
from pooling.kernel.permissions import Actor
from pooling.kernel.problems import Problem
from pooling.models import Region
from pooling.tabular.reader import Column

REQUIRED = _("必填项为空")
UNKNOWN_COUNTY = _("未知的经办单位代码：%(code)s")
OTHER_COUNTY_ROW = _("该行属于 %(code)s，只能导入本经办单位（%(own)s）的数据")
BAD_CHOICE = _("“%(value)s”不是有效的取值，可选：%(choices)s")

# Optional: a clerk's rows default to their own county.
COUNTY_COLUMN = Column(
    "county",
    gettext_noop("经办机构代码"),
    aliases=("行政区划代码", "区划代码", "县区代码", "county_code"),
    required=False,
    halfwidth=True,
)


class RowProblem(Exception):
    """One cell is wrong; raised by a kind's `clean`, reported as a `Problem` at its row."""

    def __init__(self, column: str, message: Any, **params: Any) -> None:
        self.column = column
        self.message = message
        self.params = params
        self.code = ""
        super().__init__(self.reason())

    @classmethod
    def of(cls, column: str, exc: BusinessRuleError) -> RowProblem:
        """A validator's refusal of this column's cell."""
        problem = cls(column, exc.message, **exc.params)
        problem.code = exc.code
        return problem

    def reason(self) -> str:
        return render(self.message, self.params)

    def at(self, row: int, labels: dict[str, str]) -> Problem:
        """The problem at this row, its column named as the file's header names it."""
        return Problem(
            row, labels.get(self.column, self.column), self.message, self.params, self.code
        )


class RowProblems(Exception):
    """Every wrong cell of one row, so the report lists them all at once."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.reason() for p in problems))


class Cells:
    """Parses a row's cells, collecting problems instead of stopping at the first:
    `cells.take(checked, "birth_date", parse_date)`, then `cells.done()`."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.problems: list[RowProblem] = []

    def take(self, parser: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return parser(self.values, *args, **kwargs)
        except RowProblem as problem:
            self.problems.append(problem)
            return None

    def done(self) -> None:
        if self.problems:
            raise RowProblems(self.problems)


@dataclass
class Context:
    """What a kind may consult while checking rows: counties, the actor's own county,
    and lookups it caches for the whole file."""

    counties: dict[str, Region]
    own_county: str | None
    actor: Actor  # who uploaded the file: every row is written in their name, with their rights
    cache: dict[str, Any] = field(default_factory=dict)
    # The row of the record `write` is handling, and where it reports a service's refusal.
    row: int | None = None
    report: Callable[[Problem], None] = lambda problem: None
    labels: dict[str, str] = field(default_factory=dict)
    # Data rows the preview counted (0 during the preview itself): lets a writer choose
    # a strategy for a large file before it has seen the rows.
    expected_rows: int = 0

    def refuse(
        self,
        exc: BusinessRuleError,
        default_column: str = "",
        columns: dict[str, str] | None = None,
    ) -> None:
        """A service refused the current record: note it; the commit will roll back.

        A service names its own field ("employer"); the report names a column of the file:
        `columns` maps the one to the other, and anything else falls to `default_column`.
        """
        field = (columns or {}).get(exc.field or "", exc.field)
        column = field if field in self.labels else default_column
        self.report(Problem.from_error(exc, row=self.row, column=self.labels.get(column, column)))


class ImportKind:
    """Base for one kind of import. Subclasses set `key`, `label`, `columns` and
    implement `clean` and `write`; the rest has sensible defaults."""

    key: str = ""
    label: Any = ""
    columns: list[Column] = []
    # What its rows change needs this capability too (besides "import.run"), e.g. "person.register".
    capability: str = "import.run"
    # Rows of a kind are written in this many records per database round trip.
    chunk_size = 2000
    # True when `write` relies on a unique constraint instead of `existing` lookups
    # during the commit (e.g. a streaming COPY); a clash then rolls back and the
    # workflow re-reads the file with lookups to name the rows.
    existing_checked_by_database = False

    def prepare(self, ctx: Context) -> None:
        """Load what `clean` will look up (e.g. existing employers), once per file."""

    def prefetch(self, rows: list[dict[str, str]], ctx: Context) -> None:
        """Before `clean` sees these rows (a chunk of `chunk_size`): look up in one query
        what they will need, into `ctx.cache`."""

    def bulk_check(self, batch: Any, ctx: Context, *, write: bool) -> int | None:
        """Optional set-wise path for a whole file (e.g. screened inside the database).

        Return the number of rows when every row is certainly clean — and, with
        `write`, written inside the caller's transaction; None leaves the file to the
        row-by-row path, which names each error. Must never return a count for a
        file the row path would refuse.
        """
        return None

    def clean(self, values: dict[str, str], ctx: Context) -> tuple[str, Any]:
        """Turn one row's values into (county code, record); raise RowProblem(s) if wrong."""
        raise NotImplementedError

    def unique_key(self, record: Any) -> Any:
        """Two rows with the same key in one file are duplicates (None: no check)."""
        return None

    def existing(self, keys: list[Any]) -> set[Any]:
        """Which of these keys are already in the system (checked in chunks)."""
        return set()

    def existing_message(self) -> Any:
        return _("系统中已存在相同记录")

    def existing_column(self) -> str:
        return self.columns[0].key

    def write(self, records: Iterator[Any], ctx: Context) -> int:
        """Write every record (inside the commit's transaction); return how many."""
        raise NotImplementedError

    def rehearse(self, records: Iterator[Any], ctx: Context) -> None:
        """For the preview: apply to the records every rule `write` would, writing nothing,
        and report each refusal with `ctx.refuse` (the default only reads them)."""
        for _record in records:
            pass

    def template_rows(self) -> list[list[str]]:
        """Example data rows for the downloadable template."""
        return []


IMPORT_KINDS: Hook[ImportKind] = Hook("imports.kinds")


def all_kinds() -> dict[str, ImportKind]:
    return {kind.key: kind for kind in IMPORT_KINDS.items()}


UNKNOWN_KIND = _("未知的导入类型：%(kind)s")


def kind_for(key: str) -> ImportKind:
    kind = all_kinds().get(key)
    if kind is None:
        raise BusinessRuleError(
            UNKNOWN_KIND, code="unknown_kind", field="kind", params={"kind": key}
        )
    return kind


# Cell parsers shared by kinds: each raises RowProblem with the project's message.


def required(values: dict[str, str], key: str) -> str:
    value = values.get(key, "")
    if not value:
        raise RowProblem(key, REQUIRED)
    return value


def parse_fen(values: dict[str, str], key: str, *, optional: bool = False) -> int:
    """A cell of yuan (not negative) -> fen, by the one money parser."""
    if optional and not values.get(key, ""):
        return 0
    return int(checked(values, key, lambda value: yuan_to_fen(value, negative=False)))


def parse_choice(
    values: dict[str, str],
    key: str,
    choices: type[models.TextChoices],
    *,
    optional: bool = False,
    default: str = "",
) -> str:
    """Accept a choice by its code (employee), its Chinese label (职工基本医疗保险) or its label
    in the language of whoever runs the import — never depending on that language."""
    value = values.get(key, "")
    if not value:
        if optional:
            return default
        raise RowProblem(key, REQUIRED)
    code = choice_code(choices, value)
    if code is not None:
        return code
    raise RowProblem(key, BAD_CHOICE, value=value, choices=choice_list(choices))


def checked(
    values: dict[str, str], key: str, validator: Callable[..., Any], *, optional: bool = False
) -> Any:
    """Run one of an app's validators on a cell; its BusinessRuleError becomes a RowProblem."""
    value = values.get(key, "")
    if not value:
        if optional:
            return None
        raise RowProblem(key, REQUIRED)
    try:
        return validator(value)
    except BusinessRuleError as exc:
        raise RowProblem.of(key, exc) from None


def county_of(values: dict[str, str], ctx: Context, key: str = "county") -> str:
    """The row's county code: known, and the clerk's own."""
    code = values.get(key, "") or (ctx.own_county or "")
    if not code:
        raise RowProblem(key, REQUIRED)
    if code not in ctx.counties:
        raise RowProblem(key, UNKNOWN_COUNTY, code=code)
    if ctx.own_county is not None and code != ctx.own_county:
        raise RowProblem(key, OTHER_COUNTY_ROW, code=code, own=ctx.own_county)
    return code


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_write(
    model: type[models.Model],
    build: Callable[[Any], models.Model],
    records: Iterator[Any],
    chunk_size: int = 2000,
) -> int:
    """The portable writer: `bulk_create` in chunks (SQLite, small kinds)."""
    written = 0
    for chunk in chunked(records, chunk_size):
        model.objects.bulk_create([build(r) for r in chunk])  # type: ignore[attr-defined]
        written += len(chunk)
    return written

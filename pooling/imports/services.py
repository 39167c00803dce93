"""The import workflow: upload → preview (validate every row) → commit (all or nothing).

Preview and commit read the file the same way (`_checked_records`), so what the
preview promised is what the commit checks again inside its transaction — the
database may have changed in between (someone registered the same person).
A kind may first try its set-wise `bulk_check` (people: screened in PostgreSQL);
only a file it calls certainly clean skips the row-by-row pass.

Commit happens at most once per batch, even when a task is redelivered or two
workers race: the batch is claimed with `UPDATE … WHERE status = 'previewed'`,
and on PostgreSQL the writing transaction holds an advisory lock on the batch, so
a runner that finds the batch still 'committing' can tell a live runner (lock
held: leave it) from a dead one (lock free, its transaction rolled back: take
over).

Per-row audit entries for a million-row import are not wanted: the batch gets
one audit entry at commit (who, when, file, counts).

A batch never stays 'validating' or 'committing' because something went wrong: any
error ends it 'failed' with the reason in Chinese and English (a month without a
published policy, a bug). Only a commit that finds a live runner leaves it alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import (
    DEFAULT_DB_ALIAS,
    DataError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from pooling.imports.kinds import Context, ImportKind, RowProblem, RowProblems, chunked, kind_for
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.kernel.choices import Role
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import require
from pooling.kernel.problems import Problem
from pooling.kernel.scoping import acting_as
from pooling.models import Region, User
from pooling.policy.document import policy_memo
from pooling.tabular.reader import Row, TableError, open_table

MAX_STORED_ERRORS = 5000
PROGRESS_EVERY = 5000
EXISTING_CHUNK = 5000

DUPLICATE_IN_FILE = _("与第 %(row)s 行重复")
ALREADY_COMMITTED = _("该批次已经导入，不能重复提交")
COMMIT_IN_PROGRESS = _("该批次正在提交中，请稍候")
NOT_READY = _("该批次尚未通过校验（有错误或尚未预览完成），不能提交")
NO_FILE = _("请选择要上传的文件")
COMMIT_FAILED = _("提交失败，未写入任何数据：%(reason)s")
PREVIEW_FAILED = _("校验中止，该批次未通过：%(reason)s")
INTERNAL_ERROR = _(
    "处理文件时发生内部错误（%(error)s），未写入任何数据；错误已记录，请联系系统管理员"
)
CHANGED_SINCE_PREVIEW = _("数据在预览后被他人修改，请重新上传预览")


@dataclass
class ErrorSink:
    """Counts every problem; keeps the first MAX_STORED_ERRORS (as `Problem.as_dict()`, the
    reason in both languages) for the page, the report and the API."""

    count: int = 0
    kept: list[dict[str, Any]] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.kept) < MAX_STORED_ERRORS:
            self.kept.append(problem.as_dict())


def batch_upload(*, actor: User, kind: str, file: File) -> ImportBatch:
    """Store an uploaded file as a new batch of the actor's county (preview follows)."""
    require(actor, "import.run")
    require(
        actor, kind_for(kind).capability
    )  # an unknown kind is refused before anything is stored
    if file is None:
        raise BusinessRuleError(NO_FILE, code="no_file", field="file")
    county = actor.region if actor.role == Role.COUNTY_CLERK else None
    with transaction.atomic():
        batch = ImportBatch(
            kind=kind,
            original_name=(file.name or "")[:255],
            uploaded_by=actor,
            county=county,
            stored_name=store_upload(file),
        )
        batch.full_clean()
        batch.save()
    return batch


STORED_STEM = 50  # characters of the uploaded name kept in the stored one


def store_upload(file: Any) -> str:
    """Keep an uploaded file under imports/<year>/<month>/ in the default storage.

    The stored name is the uploaded one shortened: a file system takes 255 *bytes* a name,
    and 100 Chinese characters are 300 (the page answered 500). The batch keeps the
    uploaded name whole, for people; the stored one only has to be recognisable.
    """
    folder = timezone.localdate().strftime("imports/%Y/%m/")
    stem, ext = os.path.splitext(os.path.basename(file.name or ""))
    ext = ext if ext.isascii() and ext[1:].isalnum() and len(ext) <= 8 else ""
    return default_storage.save(folder + (stem[:STORED_STEM] or "upload") + ext.lower(), file)


def batch_preview(*, batch_id: int) -> ImportBatch:
    """Validate every row of the file, store the errors; writes nothing but the batch.

    Idempotent: only a batch still 'uploaded' is validated (a redelivered task
    finds it already claimed and returns it).
    """
    batch = ImportBatch.objects.get(pk=batch_id)
    with acting_as(batch.uploaded_by), policy_memo():
        claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.UPLOADED).update(
            status=ImportStatus.VALIDATING, rows_done=0
        )
        if not claimed:
            batch.refresh_from_db()
            return batch
        sink = ErrorSink()
        file_error = ""
        rows = 0
        try:
            kind = kind_for(batch.kind)
            ctx = _context(batch, kind)
            bulk = kind.bulk_check(batch, ctx, write=False)
            if bulk is not None:
                rows = bulk
            else:
                progress = _Progress(batch_id, side_channel=False)
                # The rules a write would apply, without writing: the preview lists them too.
                kind.rehearse(_checked_records(batch, kind, ctx, sink, progress), ctx)
                rows = progress.done
        except TableError as exc:
            file_error = exc.text()
            sink.add(Problem.from_error(exc, row=exc.row, column=exc.column))
        except Exception as exc:  # anything else ends the batch too, never leaves it 'validating'
            _fail_with(batch_id, PREVIEW_FAILED, exc)
            if not isinstance(exc, BusinessRuleError):
                raise
            batch.refresh_from_db()
            return batch
        # A file with any error ends here, failed: nothing of it can be committed.
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportStatus.FAILED if sink.count else ImportStatus.PREVIEWED,
            rows_total=rows,
            rows_done=rows,
            error_count=sink.count,
            errors=sink.kept,
            file_error=file_error,
            previewed_at=timezone.now(),
        )
        batch.refresh_from_db()
        return batch


def batch_commit(*, batch_id: int) -> ImportBatch:
    """Write every row of a clean batch in one transaction, or none of them.

    Re-validates inside the transaction; any error (or a file changed since the
    preview) rolls everything back and marks the batch failed with its errors.
    """
    batch = ImportBatch.objects.get(pk=batch_id)
    kind = kind_for(batch.kind)
    require(batch.uploaded_by, kind.capability)  # the uploader may have lost the right since
    with acting_as(batch.uploaded_by), policy_memo():
        _claim_for_commit(batch)
        try:
            _commit_claimed(batch)
        except BusinessRuleError as exc:
            if exc.message is COMMIT_IN_PROGRESS:
                raise  # a live runner holds the batch: it ends it, not us
            _fail_with(batch_id, COMMIT_FAILED, exc)  # e.g. no published policy for the month
        except (
            Exception
        ) as exc:  # never left 'committing': failed, and the error goes on to the log
            _fail_with(batch_id, COMMIT_FAILED, exc)
            raise
        batch.refresh_from_db()
        return batch


def _commit_claimed(batch: ImportBatch) -> None:
    batch_id = batch.pk
    kind = kind_for(batch.kind)
    sink = ErrorSink()
    progress = _Progress(batch_id, side_channel=True)
    try:
        with transaction.atomic():
            if not _lock_batch(batch_id):
                raise BusinessRuleError(COMMIT_IN_PROGRESS, code="in_progress")
            ctx = _context(batch, kind)
            bulk = kind.bulk_check(batch, ctx, write=True)
            if bulk is not None:
                written = bulk
            else:
                records = _checked_records(
                    batch, kind, ctx, sink, progress, lookups=not kind.existing_checked_by_database
                )
                written = kind.write(records, ctx)
            if sink.count:
                raise _Rejected()
            _finish(batch, written)
    except _Rejected:
        _fail(batch_id, sink.kept, sink.count, "")
    except TableError as exc:
        _fail(
            batch_id,
            [Problem.from_error(exc, row=exc.row, column=exc.column).as_dict()],
            1,
            exc.text(),
        )
    except DataError as exc:
        # The database refused a value of the file (rolled back): a file problem, not a crash.
        refused = Problem(None, "", COMMIT_FAILED, {"reason": str(exc).splitlines()[0]}, "refused")
        _fail(batch_id, [refused.as_dict()], 1, refused.reason)
    except IntegrityError:
        # Rolled back. Someone wrote a clashing row since the preview: find and name it.
        sink = ErrorSink()
        for _record in _checked_records(
            batch, kind, _context(batch, kind), sink, _Progress(batch_id, side_channel=False)
        ):
            pass
        changed = Problem(None, "", COMMIT_FAILED, {"reason": CHANGED_SINCE_PREVIEW}, "changed")
        _fail(
            batch_id,
            sink.kept or [changed.as_dict()],
            sink.count or 1,
            "" if sink.count else changed.reason,
        )
    finally:
        progress.close()


class _Rejected(Exception):
    """Raised inside the commit transaction to roll it back when a row is wrong."""


def _claim_for_commit(batch: ImportBatch) -> None:
    claimed = ImportBatch.objects.filter(
        pk=batch.pk,
        status=ImportStatus.PREVIEWED,
        error_count=0,
        file_error="",
    ).update(status=ImportStatus.COMMITTING, rows_done=0)
    if claimed:
        return
    # Another process got there first, or the batch is not clean.
    batch.refresh_from_db()
    if batch.status == ImportStatus.COMMITTED:
        raise BusinessRuleError(ALREADY_COMMITTED, code="already_committed")
    if batch.status == ImportStatus.COMMITTING:
        return  # a live runner holds the lock (refused below); a dead one is taken over
    raise BusinessRuleError(NOT_READY, code="not_ready")


def _lock_batch(batch_id: int) -> bool:
    """Take the batch's advisory lock for this transaction; False if a live runner holds it."""
    if connection.vendor != "postgresql":
        return ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.COMMITTING).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, batch_id])
        if not cursor.fetchone()[0]:
            return False
    # Under the lock: a runner that finished before us left the batch committed.
    return ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.COMMITTING).exists()


_LOCK_NAMESPACE = 0x1B7  # "import batch" advisory-lock namespace


def _finish(batch: ImportBatch, written: int) -> None:
    from auditlog.models import LogEntry

    now = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.COMMITTING).update(
        status=ImportStatus.COMMITTED,
        rows_written=written,
        rows_done=batch.rows_total,
        committed_at=now,
    )
    # One audit entry for the whole batch, not one per row (a file may hold a million).
    LogEntry.objects.log_create(
        batch,
        action=LogEntry.Action.UPDATE,
        actor=batch.uploaded_by,
        changes={
            "status": [ImportStatus.PREVIEWED.value, ImportStatus.COMMITTED.value],
            "rows_written": ["0", str(written)],
        },
        additional_data={
            "kind": batch.kind,
            "file": batch.original_name,
            "rows": written,
            "county": batch.county_id,
        },
    )


def _fail(batch_id: int, errors: list[dict[str, Any]], count: int, file_error: str) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportStatus.FAILED, errors=errors, error_count=count, file_error=file_error
    )


def _fail_with(batch_id: int, template: Any, exc: Exception) -> None:
    """End the batch 'failed', saying why in Chinese and English (stored once, read in either)."""
    if isinstance(exc, BusinessRuleError):
        # The reason is rendered when the problem is, in the language it is read in.
        problem = Problem(None, "", template, {"reason": lazy(exc.text, str)()}, exc.code)
    else:  # a crash: say so plainly, the log has the details
        problem = Problem(None, "", INTERNAL_ERROR, {"error": type(exc).__name__}, "internal_error")
    text = " / ".join(
        dict.fromkeys([problem.text("zh-hans"), problem.text("en")])
    )  # one if English is missing
    _fail(batch_id, [problem.as_dict()], 1, text)


def _context(batch: ImportBatch, kind: ImportKind) -> Context:
    counties = {r.code: r for r in Region.objects.filter(level="county")}
    own = batch.county_id if batch.uploaded_by.role == Role.COUNTY_CLERK else None
    ctx = Context(
        counties=counties, own_county=own, actor=batch.uploaded_by, expected_rows=batch.rows_total
    )
    kind.prepare(ctx)
    return ctx


def _checked_records(
    batch: ImportBatch,
    kind: ImportKind,
    ctx: Context,
    sink: ErrorSink,
    progress: _Progress,
    *,
    lookups: bool = True,
) -> Iterator[Any]:
    """Every valid record of the file; every problem goes to `sink` with its row and column.

    `lookups=False` skips asking the database which keys exist (duplicates inside the
    file are still caught): the caller's unique constraint stands guard instead.
    """
    with open_table(default_storage.open(batch.stored_name, "rb"), columns=kind.columns) as table:
        label = table.label_of
        ctx.labels, ctx.report = label, sink.add
        seen: dict[Any, int] = {}
        waiting: list[tuple[Any, int, Any]] = []
        for row in _prefetched(table, kind, ctx):
            progress.tick()
            if row.errors:
                for error in row.errors:
                    sink.add(error)
                continue
            try:
                _county, record = kind.clean(row.values, ctx)
            except RowProblem as problem:
                sink.add(problem.at(row.number, label))
                continue
            except RowProblems as problems:
                for p in problems.problems:
                    sink.add(p.at(row.number, label))
                continue
            key = kind.unique_key(record)
            if key is None:
                ctx.row = row.number
                yield record
                continue
            first = seen.get(key)
            if first is not None:
                sink.add(
                    Problem(
                        row.number,
                        label.get(kind.existing_column(), ""),
                        DUPLICATE_IN_FILE,
                        {"row": first},
                        "duplicate_in_file",
                    )
                )
                continue
            seen[key] = row.number
            if not lookups:
                ctx.row = row.number
                yield record
                continue
            waiting.append((key, row.number, record))
            if len(waiting) >= EXISTING_CHUNK:
                yield from _not_existing(kind, waiting, sink, label, ctx)
                waiting = []
        yield from _not_existing(kind, waiting, sink, label, ctx)


def _prefetched(rows: Iterable[Row], kind: ImportKind, ctx: Context) -> Iterator[Row]:
    """The rows, a chunk at a time, after the kind has looked up what that chunk needs
    (one query per chunk instead of one per row)."""
    for chunk in chunked(rows, kind.chunk_size):
        kind.prefetch([row.values for row in chunk if not row.errors], ctx)
        yield from chunk


def _not_existing(
    kind: ImportKind,
    waiting: list[tuple[Any, int, Any]],
    sink: ErrorSink,
    label: dict[str, str],
    ctx: Context,
) -> Iterator[Any]:
    if not waiting:
        return
    existing = kind.existing([key for key, _row, _record in waiting])
    for key, number, record in waiting:
        if key in existing:
            sink.add(
                Problem(
                    number,
                    label.get(kind.existing_column(), ""),
                    kind.existing_message(),
                    code="exists",
                )
            )
        else:
            ctx.row = number
            yield record


class _Progress:
    """Rows done, written every PROGRESS_EVERY rows where the page can read it.

    During the commit the batch's changes are inside a long transaction nobody else
    sees, so on PostgreSQL progress goes through a second connection (autocommit).
    """

    def __init__(self, batch_id: int, *, side_channel: bool) -> None:
        self.batch_id = batch_id
        self.done = 0
        self._side = None
        if side_channel and connection.vendor == "postgresql":
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
        self._silent = side_channel and self._side is None

    def tick(self) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            self._write()

    def _write(self) -> None:
        if self._silent:
            return
        if self._side is None:
            ImportBatch.objects.filter(pk=self.batch_id).update(rows_done=self.done)
            return
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportBatch._meta.db_table} SET rows_done = %s WHERE id = %s",
                [self.done, self.batch_id],
            )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()

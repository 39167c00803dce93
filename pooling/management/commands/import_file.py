"""Import a file from the command line: the same preview and all-or-nothing commit as the
browser, for the files too large to upload by hand (a county's legacy system at go-live).

    manage.py import_file people 县区人员.csv --user clerk_tinghu [--commit] [--report 错误.csv]

Runs as the named user (a county clerk imports only their county's rows), in this
process rather than through Celery, and leaves an ImportBatch the clerk can open in
the browser like any other. Exit status 1 when the file is refused, with the report
(row, column, reason) on stderr and never a traceback: a crash leaves the batch
failed, its traceback in the log.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pooling.imports.kinds import all_kinds
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.imports.services import INTERNAL_ERROR, batch_commit, batch_preview, batch_upload
from pooling.kernel.errors import BusinessRuleError
from pooling.models import User
from pooling.tabular.reader import error_report_csv

SHOWN_ERRORS = 20
logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "校验并导入一个 CSV/XLSX 文件（先预览；加 --commit 则在无错误时整批写入）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(all_kinds()), help="导入类型")
        parser.add_argument("file", help="CSV（UTF-8/GBK）或 XLSX 文件")
        parser.add_argument("--user", required=True, help="以该用户身份导入（用户名）")
        parser.add_argument("--commit", action="store_true", help="预览无错误时写入")
        parser.add_argument("--report", help="把全部错误写入该 CSV 文件（行号、列、原因）")

    def handle(self, *args, **options):
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"用户不存在或已停用：{options['user']}")
        path = Path(options["file"])
        batch = None
        try:
            with path.open("rb") as f:
                batch = batch_upload(
                    actor=actor, kind=options["kind"], file=File(f, name=path.name)
                )
            batch = batch_preview(batch_id=batch.pk)
            self._summary(batch, options["report"])
            if not batch.is_clean:
                raise CommandError(f"文件未通过校验，未写入任何数据（批次 {batch.pk}）")
            if options["commit"]:
                batch = batch_commit(batch_id=batch.pk)
                if batch.status != ImportStatus.COMMITTED:
                    self._summary(batch, options["report"])
                    raise CommandError(f"提交失败，未写入任何数据（批次 {batch.pk}）")
        except CommandError:
            raise
        except BusinessRuleError as exc:
            raise CommandError(exc.text()) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:
            logger.exception("import_file %s crashed", path)
            if batch is not None:
                self._summary(ImportBatch.objects.get(pk=batch.pk), options["report"])
            raise CommandError(str(INTERNAL_ERROR % {"error": type(exc).__name__})) from exc
        done = (
            f"已导入 {batch.rows_written} 行"
            if batch.status == ImportStatus.COMMITTED
            else "校验通过，未写入（加 --commit 写入）"
        )
        self.stdout.write(self.style.SUCCESS(f"批次 {batch.pk}：{batch.rows_total} 行，{done}"))

    def _summary(self, batch, report: str | None) -> None:
        if batch.file_error and not batch.errors:
            self.stderr.write(batch.file_error)
        if batch.error_count:
            self.stderr.write(
                f"共 {batch.error_count} 处错误，前 {min(SHOWN_ERRORS, batch.error_count)} 处："
            )
        for error in (batch.errors or [])[:SHOWN_ERRORS]:
            self.stderr.write(
                f"  第 {error.get('row') or '-'} 行  {error.get('column') or '-'}：{error['reason']}"
            )
        if report and batch.errors:
            with open(report, "wb") as out:
                for chunk in error_report_csv(batch.errors):
                    out.write(chunk)
            self.stderr.write(f"错误清单已写入 {report}")

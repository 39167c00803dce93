"""Celery tasks of the import workflow: a batch id in, one service call.

Both are idempotent (see pooling/celery.py): the preview claims an 'uploaded'
batch, the commit a 'previewed' one, so a redelivered task changes nothing.
Each service runs as the user who uploaded the file (`acting_as`), so a county
clerk's import stays inside their county even in the worker.

A crash (a bug, a lost database) has already marked the batch failed with a
message for the clerk; the task logs the traceback and returns, so that a page
running the task eagerly (no broker configured) answers with the failed batch
rather than a 500.
"""

from __future__ import annotations

import logging

from celery import shared_task

from pooling.imports.models import ImportStatus

logger = logging.getLogger(__name__)


@shared_task(name="pooling.imports.preview")
def import_preview(batch_id: int) -> str:
    from pooling.imports.services import batch_preview

    try:
        return batch_preview(batch_id=batch_id).status
    except Exception:
        logger.exception("import batch %s: preview crashed", batch_id)
        return ImportStatus.FAILED.value


@shared_task(name="pooling.imports.commit")
def import_commit(batch_id: int) -> str:
    from pooling.imports.services import batch_commit
    from pooling.kernel.errors import BusinessRuleError

    try:
        return batch_commit(batch_id=batch_id).status
    except BusinessRuleError as exc:  # already committed / in progress: nothing to redo
        return exc.code
    except Exception:
        logger.exception("import batch %s: commit crashed", batch_id)
        return ImportStatus.FAILED.value

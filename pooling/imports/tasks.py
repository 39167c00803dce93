"""Celery tasks of the import workflow: a batch id in, one service call.

Both are idempotent (see pooling/celery.py): the preview claims an 'uploaded'
batch, the commit a 'previewed' one, so a redelivered task changes nothing.
Each service runs as the user who uploaded the file (`acting_as`), so a county
clerk's import stays inside their county even in the worker.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="pooling.imports.preview")
def import_preview(batch_id: int) -> str:
    from pooling.imports.services import batch_preview

    return batch_preview(batch_id=batch_id).status


@shared_task(name="pooling.imports.commit")
def import_commit(batch_id: int) -> str:
    from pooling.imports.services import batch_commit
    from pooling.kernel.errors import BusinessRuleError

    try:
        return batch_commit(batch_id=batch_id).status
    except BusinessRuleError as exc:  # already committed / in progress: nothing to redo
        return exc.code

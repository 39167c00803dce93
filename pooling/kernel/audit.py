"""Audit entries for rows written in bulk, and for work a system job does.

`bulk_create` and `update()` send no signals, so django-auditlog records nothing for
rows a batch service writes that way. A batch import of enrolments or declaration lines
still owes the auditor one entry per row — who, when, which values — as the row-by-row
service would have left.

A scheduled job has no user: `system_job(actor)` makes every entry written inside it
name the job (`additional_data["system_actor"]`), so the auditor reads which job did it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str

from pooling.kernel.permissions import Actor, SystemActor, staff_user


def system_note(actor: SystemActor) -> dict[str, str]:
    """What an audit entry records about a system job: its name and what it is."""
    return {"system_actor": actor.name, "system_actor_label": str(actor.label)}


# The job whose block is running in this context: the very dict `system_job` put in auditlog's
# context (see `_name_the_job`).
_JOB: ContextVar[dict[str, Any] | None] = ContextVar("pooling_system_job", default=None)


@contextmanager
def system_job(actor: SystemActor) -> Iterator[SystemActor]:
    """Run a scheduled job's service call: audit entries written inside name the job.

    What auditlog's `set_extra_data` does, without its cost: it connects a pre_save receiver on
    entering and disconnects it on leaving — each a scan of every pre_save receiver and a reset
    of the signal's receiver cache, so every save in the block looks its receivers up again.
    Every interface message runs in a job (settlement/hsa/dispatch.py), so that was paid per
    message. Here one receiver is connected for good (`_name_the_job`), and the job's data is
    put in auditlog's context exactly as `set_extra_data` puts it (and, like it, left there on
    leaving: an enclosing `set_actor` or job stays silenced afterwards, as before)."""
    context = {"additional_data": system_note(actor), "signal_duid": ("system_job", time.time())}
    auditlog_value.set(context)
    token = _JOB.set(context)
    try:
        yield actor
    finally:
        _JOB.reset(token)


def _name_the_job(sender: Any, instance: LogEntry, **kwargs: Any) -> None:
    """An entry saved inside `system_job` names the job — only while the job's data is still
    auditlog's current context (a `set_actor` or job opened inside takes over, as it did when
    each block connected a receiver of its own)."""
    job = _JOB.get()
    if job is not None and auditlog_value.get(None) is job:
        instance.additional_data = job["additional_data"]


pre_save.connect(
    _name_the_job, sender=LogEntry, weak=False, dispatch_uid="pooling.kernel.audit.system_job"
)


def audit_created(objects: Sequence[Model], *, actor: Actor) -> None:
    """One CREATE entry per saved object (all of one model), written in one INSERT."""
    if not objects:
        return
    as_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    # The table's own columns: left to itself the diff also reads reverse one-to-one
    # accessors (an enrolment's `continued_by`), one query a row, to find them empty.
    fields = [f.name for f in objects[0]._meta.concrete_fields]
    _write(
        LogEntry.Action.CREATE,
        [
            (
                obj,
                model_instance_diff(
                    None, obj, fields_to_check=fields, use_json_for_changes=as_json
                ),
            )
            for obj in objects
        ],
        actor,
    )


def audit_updated(changes: Sequence[tuple[Model, dict[str, list[Any]]]], *, actor: Actor) -> None:
    """One UPDATE entry per object an UPDATE statement changed: {field: [old, new]}."""
    _write(
        LogEntry.Action.UPDATE,
        [(obj, {k: [str(v) for v in pair] for k, pair in diff.items()}) for obj, diff in changes],
        actor,
    )


def _write(action: int, rows: list[tuple[Model, Any]], actor: Actor) -> None:
    if not rows:
        return
    content_type = ContentType.objects.get_for_model(rows[0][0])
    cid = get_cid()
    extra = system_note(actor) if isinstance(actor, SystemActor) else None
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=smart_str(obj),
                action=action,
                changes=changes,
                actor=staff_user(actor),
                cid=cid,
                additional_data=extra,
            )
            for obj, changes in rows
        ],
        batch_size=2000,
    )

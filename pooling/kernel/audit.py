"""Audit entries for rows written in bulk, and for work a system job does.

`bulk_create` and `update()` send no signals, so django-auditlog records nothing for
rows a batch service writes that way. A batch import of enrolments or declaration lines
still owes the auditor one entry per row — who, when, which values — as the row-by-row
service would have left.

A scheduled job has no user: `system_job(actor)` makes every entry written inside it
name the job (`additional_data["system_actor"]`), so the auditor reads which job did it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import set_extra_data
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils.encoding import smart_str

from pooling.kernel.permissions import Actor, SystemActor, staff_user


def system_note(actor: SystemActor) -> dict[str, str]:
    """What an audit entry records about a system job: its name and what it is."""
    return {"system_actor": actor.name, "system_actor_label": str(actor.label)}


@contextmanager
def system_job(actor: SystemActor) -> Iterator[SystemActor]:
    """Run a scheduled job's service call: audit entries written inside name the job."""
    with set_extra_data({"additional_data": system_note(actor)}):
        yield actor


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

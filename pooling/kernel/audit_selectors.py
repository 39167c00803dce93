"""The audit trail as an auditor reads it: who changed what, when, on whose record.

django-auditlog stores each change as {field: [old, new]} with field names, raw values
(fen, codes, primary keys, UTC instants) and the object's text at the time (often
"Budget item object (5)"). This module turns them into what a person reads: the field's
Chinese name, amounts in yuan, the label of a choice, the name behind a key, the object's
name with the person, employer or provider it belongs to, and local time throughout.

Search takes one box of text and finds entries about a person, employer or provider of
that name or code (and about everything that points at them: enrolments, declaration
lines, agreements...), entries of a model or touching a field whose Chinese label
matches, and entries whose stored text matches. Apps say which of their rows are such
parties in `<app>/audit.py` (`AUDIT_SUBJECTS.register(AuditSubject(Model, find))`).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pooling.kernel.hooks import Hook
from pooling.kernel.permissions import SYSTEM_ACTORS

ACTIONS = {
    LogEntry.Action.CREATE: gettext_lazy("新增"),
    LogEntry.Action.UPDATE: gettext_lazy("修改"),
    LogEntry.Action.DELETE: gettext_lazy("删除"),
    LogEntry.Action.ACCESS: gettext_lazy("查看"),
}
SUBJECT_MATCHES = 50  # people of one name: enough to find them, not a city's worth
CHUNK = 500
_DEFAULT_REPR = re.compile(r"^\w+ object \(.+\)$")
_IN_FEN = re.compile(r"（分([，,）)])")


@dataclass(frozen=True)
class AuditSubject:
    """A kind of party the trail can be searched by: `find(text)` gives the primary keys
    of the rows whose name or code matches (a few dozen at most)."""

    model: type[models.Model]
    find: Callable[[str], Iterable[Any]]


AUDIT_SUBJECTS: Hook[AuditSubject] = Hook("audit")


@dataclass
class Change:
    """One field's change: its label, and the old and new values as read (amounts in fen
    on `old_fen`/`new_fen`, so pages format them as yuan and exports write numbers)."""

    label: str
    old: str = ""
    new: str = ""
    old_fen: int | None = None
    new_fen: int | None = None

    @property
    def money(self) -> bool:
        return self.old_fen is not None or self.new_fen is not None


@dataclass
class AuditRow:
    entry: LogEntry
    when: datetime  # local time
    actor: str
    action: str
    model_label: str
    object_label: str
    changes: list[Change] = field(default_factory=list)


def audited_models() -> list[type[models.Model]]:
    return sorted(auditlog.get_models(), key=lambda m: str(m._meta.verbose_name))


def model_choices() -> list[tuple[str, str]]:
    """("app_label.model", Chinese name) of every audited model, for a filter."""
    return [(m._meta.label_lower, str(m._meta.verbose_name)) for m in audited_models()]


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A field's Chinese name; an amount kept in fen is read in yuan, and says so."""
    try:
        found = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return name
    if found is None:
        return name
    # A reverse relation (a budget's items) is named by the rows it points from.
    related: Any = found.related_model
    label = str(getattr(found, "verbose_name", None) or related._meta.verbose_name_plural)
    if name.endswith("_fen"):
        label, replaced = _IN_FEN.subn(r"（元\1", label)
        if not replaced:
            label = f"{label}（元）"
    return label


# -- search ------------------------------------------------------------------------------


def audit_search(
    *,
    q: str = "",
    model: str = "",
    actor: str = "",
    action: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[LogEntry]:
    """Entries matching every filter given, newest first. Dates are local calendar days."""
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if model:
        app_label, _sep, name = model.partition(".")
        entries = entries.filter(content_type__app_label=app_label, content_type__model=name)
    if actor:
        entries = entries.filter(Q(actor__username=actor) | Q(actor__display_name__icontains=actor))
    if action is not None:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(timestamp__gte=_local_midnight(date_from))
    if date_to:
        entries = entries.filter(timestamp__lt=_local_midnight(date_to + timedelta(days=1)))
    text = q.strip()
    if text:
        entries = entries.filter(_text_q(text))
    return entries


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _text_q(text: str) -> Q:
    found = [Q(object_repr__icontains=text), *_label_qs(text), *_subject_qs(text)]
    return reduce(operator.or_, found)


def _label_qs(text: str) -> Iterator[Q]:
    """Entries of a model, or touching a field, whose Chinese name contains the text."""
    needle = text.lower()
    for model in audited_models():
        ct = ContentType.objects.get_for_model(model)
        names = (
            str(model._meta.verbose_name).lower(),
            str(model._meta.verbose_name_plural).lower(),
        )
        if any(needle in n for n in names):
            yield Q(content_type=ct)
            continue
        keys = [
            f.name
            for f in model._meta.concrete_fields
            if needle in field_label(model, f.name).lower()
        ]
        if keys:
            yield Q(content_type=ct) & reduce(operator.or_, (Q(changes__has_key=k) for k in keys))


def _subject_qs(text: str) -> Iterator[Q]:
    """Entries of the matching parties and of every audited row that points at them."""
    for subject in AUDIT_SUBJECTS.items():
        pks = list(subject.find(text))[:SUBJECT_MATCHES]
        if not pks:
            continue
        yield _entries_of(subject.model, pks)
        for model, path in _paths_to(subject.model):
            rows = model._default_manager.filter(**{f"{path}__in": pks}).values("pk")
            yield _entries_of(model, rows)


def _entries_of(model: type[models.Model], pks: Any) -> Q:
    return Q(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)


def _paths_to(target: type[models.Model]) -> Iterator[tuple[type[models.Model], str]]:
    """(audited model, lookup path) for each audited model with a key to `target`, directly
    or through one other row (a posting → its personal account → the person)."""
    for model in audited_models():
        if model is target or not isinstance(
            model._meta.pk, models.AutoField | models.BigAutoField
        ):
            continue
        for first in _foreign_keys(model):
            related = first.related_model
            if related is target:
                yield model, first.name
            elif related is not model:
                for second in _foreign_keys(related):
                    if second.related_model is target:
                        yield model, f"{first.name}__{second.name}"


def _foreign_keys(model: Any) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


# -- reading -----------------------------------------------------------------------------


def audit_rows(entries: Iterable[LogEntry]) -> Iterator[AuditRow]:
    """Entries as people read them, looked up a chunk at a time (a few queries per chunk)."""
    chunk: list[LogEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == CHUNK:
            yield from _read(chunk)
            chunk = []
    if chunk:
        yield from _read(chunk)


def _read(entries: list[LogEntry]) -> Iterator[AuditRow]:
    objects = _live_objects(entries)
    names = _key_names(entries)
    for e in entries:
        model = e.content_type.model_class()
        live = objects.get((e.content_type_id, e.object_pk))
        yield AuditRow(
            entry=e,
            when=timezone.localtime(e.timestamp),
            actor=_actor(e),
            action=str(ACTIONS.get(e.action, "")),
            model_label=str(model._meta.verbose_name) if model else e.content_type.model,
            object_label=object_name(live) if live is not None else _stored_name(e, model),
            changes=[
                _change(model, name, pair, names)
                for name, pair in (e.changes or {}).items()
                if not _is_reverse(model, name)
            ],
        )


def _is_reverse(model: type[models.Model] | None, name: str) -> bool:
    """A reverse relation django-auditlog noted at creation ("…ResidentContribution.None"):
    not a value of the row, nothing for a reader."""
    try:
        found = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return False
    return found is not None and found.auto_created and not found.concrete


def _actor(entry: LogEntry) -> str:
    user = entry.actor
    if user is None:  # a system job names itself (pooling.kernel.audit.system_job)
        note = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        job = SYSTEM_ACTORS.get(note.get("system_actor", ""))
        return str(job.label) if job else note.get("system_actor_label") or _("系统")
    return getattr(user, "display_name", "") or user.get_username()


def _stored_name(entry: LogEntry, model: type[models.Model] | None) -> str:
    if entry.object_repr and not _DEFAULT_REPR.match(entry.object_repr):
        return entry.object_repr
    label = model._meta.verbose_name if model else entry.content_type.model
    return f"{label} #{entry.object_pk}"


def object_name(obj: models.Model) -> str:
    """What a person calls a row: its own name, after the party or record it belongs to
    (a declaration line of 张三, an item of the 2026 budget), never "X object (5)"."""
    model = type(obj)
    own = str(obj) if _has_own_name(model) else _own_label(obj)
    owner = "" if _is_subject(model) else _owner_name(obj)
    parts = [p for p in (owner, own) if p]
    return " · ".join(parts) or f"{obj._meta.verbose_name} #{obj.pk}"


def _has_own_name(model: type[models.Model]) -> bool:
    return model.__str__ is not models.Model.__str__


def _own_label(obj: models.Model) -> str:
    """A row without a name of its own: its first choice (an item's 预算科目), else its number."""
    for f in obj._meta.concrete_fields:
        if f.choices and getattr(obj, f.attname) not in (None, ""):
            return str(getattr(obj, f"get_{f.name}_display")())
    return f"{obj._meta.verbose_name} #{obj.pk}"


def _owner_name(obj: models.Model) -> str:
    """The person, employer or provider the row belongs to; else its parent record."""
    keys = [f for f in _foreign_keys(type(obj)) if getattr(obj, f.attname) is not None]
    for fk in sorted(keys, key=lambda f: not _is_subject(f.related_model)):
        related = fk.related_model
        if _is_subject(related) or (
            _has_own_name(related)
            and related._meta.app_label == obj._meta.app_label
            and fk.name not in ("created_by", "actor")
        ):
            return str(getattr(obj, fk.name))
    return ""


def _is_subject(model: Any) -> bool:
    return any(s.model is model for s in AUDIT_SUBJECTS.items())


def _live_objects(entries: list[LogEntry]) -> dict[tuple[int, str], models.Model]:
    """The rows the entries are about, as they are now (one query per model)."""
    wanted: dict[int, set[str]] = {}
    for e in entries:
        wanted.setdefault(e.content_type_id, set()).add(e.object_pk)
    found: dict[tuple[int, str], models.Model] = {}
    for ct_id, pks in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        owners = [f.name for f in _foreign_keys(model)]  # what object_name may read
        for obj in model._default_manager.select_related(*owners).filter(
            pk__in=_typed_pks(model, pks)
        ):
            found[(ct_id, str(obj.pk))] = obj
    return found


def _typed_pks(model: type[models.Model], pks: Iterable[str]) -> list[Any]:
    typed = []
    for pk in pks:
        try:
            typed.append(model._meta.pk.to_python(pk))
        except ValidationError:
            continue
    return typed


def _key_names(entries: list[LogEntry]) -> dict[tuple[Any, str], str]:
    """Names behind the keys in the changes (经办单位 320902 → 亭湖区), one query per model."""
    wanted: dict[Any, set[str]] = {}
    for e in entries:
        model = e.content_type.model_class()
        for name, pair in (e.changes or {}).items():
            fk = _field(model, name)
            if isinstance(fk, models.ForeignKey) and isinstance(pair, list | tuple):
                wanted.setdefault(fk.related_model, set()).update(
                    str(v) for v in pair if _present(v)
                )
    names: dict[tuple[Any, str], str] = {}
    for related, pks in wanted.items():
        for obj in related._default_manager.filter(pk__in=_typed_pks(related, pks)):
            names[(related, str(obj.pk))] = object_name(obj)
    return names


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    try:
        found = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _present(value: Any) -> bool:
    return value not in (None, "", "None")


def _change(
    model: type[models.Model] | None, name: str, pair: Any, names: dict[tuple[Any, str], str]
) -> Change:
    old, new = (
        (pair[0], pair[1]) if isinstance(pair, list | tuple) and len(pair) == 2 else ("", pair)
    )
    found = _field(model, name)
    change = Change(label=field_label(model, name))
    if name.endswith("_fen"):
        change.old_fen, change.new_fen = _fen(old), _fen(new)
        if change.money:
            return change
    change.old, change.new = _value(found, old, names), _value(found, new, names)
    return change


def _fen(value: Any) -> int | None:
    try:
        return int(str(value)) if _present(value) else None
    except ValueError:
        return None


def _value(
    found: models.Field[Any, Any] | None, raw: Any, names: dict[tuple[Any, str], str]
) -> str:
    if not _present(raw):
        return ""
    text = str(raw)
    if found is None:
        return text
    if found.choices:
        return str({str(k): v for k, v in found.flatchoices}.get(text, text))
    if isinstance(found, models.BooleanField):
        return _("是") if text in ("True", "true", "1") else _("否")
    if isinstance(found, models.DateTimeField):
        return _local(text)
    if isinstance(found, models.ForeignKey):
        return names.get((found.related_model, text), text)
    return text


def _local(text: str) -> str:
    """A stored instant (UTC, ISO) in local time, to the second."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"

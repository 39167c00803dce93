"""A new visit's INSERT, written once per process: every 2201 (and 2401) opens one visit, and
`Model.save()` compiled the same INSERT afresh each time — more CPU than PostgreSQL spends on it.

The row is what `save()` writes: each column's value from the field's own `pre_save` (so
`created_at` is stamped as `auto_now_add` does) and `get_db_prep_save` (the JSON of the diagnoses
adapted as the model field adapts it), the id from RETURNING, the instance then marked saved; the
model's pre_save/post_save signals are sent as `save()` sends them. The scope check is the one for
hand-written rows, `assert_writable_values`. On SQLite (the embedded demo) `save()` itself runs.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection
from django.db.models.signals import post_save, pre_save

from pooling.kernel import sqlrows
from pooling.kernel.scoping import assert_writable_values
from settlement.models import Visit


@lru_cache(maxsize=4)
def _insert(vendor: str) -> str:
    """`INSERT INTO visit (<sqlrows.insert_fields>) VALUES (…) RETURNING id`."""
    meta = Visit._meta
    fields = sqlrows.insert_fields(Visit)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
    return f"{sql} RETURNING {quote(str(meta.pk.column))}"


def insert_visit(visit: Visit) -> None:
    """Save a new visit (one without an id yet), as `visit.save()` would."""
    if connection.vendor != "postgresql" or visit.pk is not None:
        visit.save()
        return
    assert_writable_values(
        Visit,
        {
            "provider_id": visit.provider_id,
            "insured_county_id": visit.insured_county_id,
            "handling_unit_id": visit.handling_unit_id,
        },
    )
    sql = _insert(connection.vendor)
    using = connection.alias
    pre_save.send(sender=Visit, instance=visit, raw=False, using=using, update_fields=None)
    values = sqlrows.row_values(Visit, visit)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    assert row is not None
    visit.pk = row[0]
    visit._state.adding, visit._state.db = False, using
    post_save.send(
        sender=Visit, instance=visit, created=True, update_fields=None, raw=False, using=using
    )

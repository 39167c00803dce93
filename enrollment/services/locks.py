"""Who waits for whom: every change to a person's state locks the person's row first.

One order everywhere, so two services can never deadlock on each other:
1. the person rows — one person, or several in ascending id, in one statement;
2. then what hangs off them (enrolments, transfers, the personal account).

The lock is FOR NO KEY UPDATE: it queues behind other writers of the person, but not
behind the foreign-key checks of rows that merely point at the person (a declaration
line or a posting inserted meanwhile does not wait for it, nor it for them).

Locking is not reading: it is done across counties (`unrestricted`), and the
service's own scope checks still decide what the caller may change.
"""

from __future__ import annotations

from collections.abc import Iterable

from enrollment.models import Person
from pooling.kernel.scoping import unrestricted


def lock_person(person: Person) -> Person:
    """Lock the person's row and refresh `person` in place from it: whatever the caller
    held (perhaps read minutes ago on a form) becomes the row as it is now. Returns it."""
    with unrestricted():
        person.refresh_from_db(from_queryset=Person.objects.select_for_update(no_key=True))
    return person


def lock_people(ids: Iterable[int]) -> dict[int, Person]:
    """Lock several people in ascending id (one statement) and return them by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    with unrestricted():
        rows = Person.objects.select_for_update(no_key=True).filter(pk__in=wanted).order_by("pk")
        return {p.pk: p for p in rows}

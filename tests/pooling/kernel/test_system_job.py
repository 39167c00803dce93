"""`system_job`: entries written inside name the job, exactly as auditlog's `set_extra_data` made
them, without connecting a signal receiver per block (every interface message runs in one)."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db.models.signals import pre_save

from pooling.kernel.audit import system_job, system_note
from pooling.kernel.permissions import CYCLE_JOB, SUSPENSIONS_JOB
from pooling.models import Region

pytestmark = pytest.mark.usefixtures("regions")


def _rename(name: str) -> LogEntry:
    region = Region.objects.get(code="320902")
    region.name = name
    region.save()
    return LogEntry.objects.get_for_object(region).latest("timestamp", "pk")


def test_an_entry_inside_names_the_job_and_one_after_does_not():
    with system_job(SUSPENSIONS_JOB) as actor:
        inside = _rename("亭湖区（任务）")
    after = _rename("亭湖区（任务后）")
    assert actor is SUSPENSIONS_JOB
    assert inside.additional_data == system_note(SUSPENSIONS_JOB)
    assert after.additional_data is None


def test_a_job_connects_no_receiver_of_its_own():
    before = list(pre_save.receivers)
    with system_job(SUSPENSIONS_JOB):
        assert pre_save.receivers == before
        _rename("亭湖区（任务）")
    assert pre_save.receivers == before


def test_an_actor_set_inside_a_job_takes_over_the_entries(bureau_admin):
    # As when each block connected its own receiver: the innermost context names the entry.
    with system_job(SUSPENSIONS_JOB), set_actor(bureau_admin):
        entry = _rename("亭湖区（管理员）")
    assert entry.actor == bureau_admin
    assert entry.additional_data is None


def test_an_inner_job_names_its_entries():
    with system_job(CYCLE_JOB):
        outer = _rename("亭湖区（外）")
        with system_job(SUSPENSIONS_JOB):
            inner = _rename("亭湖区（内）")
    assert outer.additional_data == system_note(CYCLE_JOB)
    assert inner.additional_data == system_note(SUSPENSIONS_JOB)


def test_the_job_is_not_named_by_a_write_after_an_error_inside():
    with pytest.raises(RuntimeError), system_job(SUSPENSIONS_JOB):
        raise RuntimeError("the job failed")
    assert _rename("亭湖区（之后）").additional_data is None

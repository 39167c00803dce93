"""A transfer between counties needs the sending county: it releases (转出确认) or objects,
or the deadline passes and the transfers job completes it. Until then the receiving
clerk reads only what the request needs. Every step is audited and on both to-do lists."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from enrollment import services, tasks
from enrollment.models import Enrolment, Person, Transfer, TransferStatus
from enrollment.services import transfers as rules
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import TRANSFERS_JOB
from pooling.kernel.scoping import acting_as
from tests.actors import SETUP
from tests.enrollment import factories as f

APRIL = date(2026, 4, 1)


@pytest.fixture
def asked(county_a, county_b, clerk_b, demo_policy):
    """An employee of 亭湖区 (A); 盐都区 (B) asks for him, knowing his ID number and new employer."""
    e = f.employee_enrolment(county_a, "欧阳明辉", start=date(2026, 1, 1))
    employer = f.employer(county_b, "盐都接收单位")
    with acting_as(clerk_b):
        t = services.transfer_request(
            id_number=e.person.id_number,
            to_county=county_b,
            new_employer=employer,
            effective_month=APRIL,
            reason="工作调动",
            actor=clerk_b,
        )
    return {"e": e, "t": t, "person": e.person, "employer": employer}


def _status(t: Transfer) -> str:
    return Transfer.objects.get(pk=t.pk).status


def test_it_fixes_the_release_deadline_in_working_days_from_the_request():
    # Friday 2026-11-27 + 10 working days: 5 in the week of 30 Nov, 5 in the week of 7 Dec.
    assert rules.release_deadline(date(2026, 11, 27)) == date(2026, 12, 11)


def test_a_clerk_knowing_only_an_id_number_cannot_take_the_person_alone(
    asked, clerk_a, clerk_b, client_for
):
    t, person = asked["t"], asked["person"]
    assert t.status == TransferStatus.PENDING
    assert t.release_due == rules.release_deadline(timezone.localdate())
    with acting_as(clerk_b):
        with pytest.raises(PermissionDenied):
            services.transfer_release(transfer=t, actor=clerk_b)
        assert not Person.objects.filter(pk=person.pk).exists()  # still not theirs to read
    assert Person.objects.get(pk=person.pk).county_id == "320902"
    assert Enrolment.objects.get(pk=asked["e"].pk).status == "active"
    # Nor can a county push one of its own people into another county: the receiver asks.
    own = f.employee_enrolment(asked["e"].county, "乙").person
    with acting_as(clerk_a), pytest.raises(PermissionDenied):
        services.transfer_request(
            id_number=own.id_number,
            to_county=asked["employer"].county,
            new_employer=asked["employer"],
            effective_month=APRIL,
            actor=clerk_a,
        )
    # The person's own page stays closed to B; the transfer page shows only the request.
    page = client_for(clerk_b)
    assert page.get(f"/enrollment/people/{person.pk}/").status_code == 404
    body = page.get(f"/enrollment/transfers/{t.pk}/").content.decode()
    assert "欧***" in body and "欧阳明辉" not in body and person.id_number not in body
    assert 'id="contributions"' not in body and f"/enrollment/transfers/{t.pk}/release/" not in body
    listing = page.get("/enrollment/transfers/").content.decode()
    assert "欧***" in listing and "欧阳明辉" not in listing
    assert "欧阳明辉" in client_for(clerk_a).get(f"/enrollment/transfers/{t.pk}/").content.decode()


def test_the_requester_cannot_release_their_own_request(
    county_a, county_b, city_agent, demo_policy
):
    e = f.employee_enrolment(county_a, "城市经办")
    t = services.transfer_request(
        id_number=e.person.id_number,
        to_county=county_b,
        effective_month=APRIL,
        new_employer=f.employer(county_b, "盐都单位二"),
        actor=city_agent,
    )
    with pytest.raises(BusinessRuleError) as exc:
        services.transfer_release(transfer=t, actor=city_agent)
    assert exc.value.message is rules.SELF_RELEASE
    assert _status(t) == TransferStatus.PENDING


def test_the_sending_county_releases_and_the_person_moves(asked, clerk_a, client_for):
    t = asked["t"]
    response = client_for(clerk_a).post(f"/enrollment/transfers/{t.pk}/release/")
    assert response.status_code == 302
    done = Transfer.objects.get(pk=t.pk)
    assert (done.status, done.released_by, done.released_by_deadline) == (
        TransferStatus.COMPLETED,
        clerk_a,
        False,
    )
    person = Person.objects.get(pk=asked["person"].pk)
    new = Enrolment.objects.get(pk=asked["e"].pk).continued_by
    assert (person.county_id, new.county_id, new.employer, new.start_month) == (
        "320903",
        "320903",
        asked["employer"],
        APRIL,
    )
    entries = LogEntry.objects.get_for_object(done).order_by("timestamp")
    assert entries.last().actor == clerk_a
    assert entries.last().changes_dict["status"] == ["pending", "completed"]


def test_an_objection_needs_a_reason_and_ends_the_request(asked, clerk_a, clerk_b, client_for):
    t = asked["t"]
    with acting_as(clerk_a), pytest.raises(BusinessRuleError) as exc:
        services.transfer_object(transfer=t, reason="  ", actor=clerk_a)
    assert exc.value.field == "reason"
    page = client_for(clerk_a)
    page.post(f"/enrollment/transfers/{t.pk}/object/", {"reason": ""})
    assert _status(t) == TransferStatus.PENDING  # no reason, nothing done
    page.post(f"/enrollment/transfers/{t.pk}/object/", {"reason": "该人员尚有欠费未清缴"})
    objected = Transfer.objects.get(pk=t.pk)
    assert (objected.status, objected.objection, objected.objected_by) == (
        TransferStatus.OBJECTED,
        "该人员尚有欠费未清缴",
        clerk_a,
    )
    assert LogEntry.objects.get_for_object(objected).latest("timestamp").actor == clerk_a
    # The receiving county reads why; the person stays where they were.
    assert (
        "该人员尚有欠费未清缴"
        in client_for(clerk_b).get(f"/enrollment/transfers/{t.pk}/").content.decode()
    )
    assert Person.objects.get(pk=asked["person"].pk).county_id == "320902"
    # The deadline job never completes an objected transfer.
    assert (
        tasks.complete_due_transfers((objected.release_due + timedelta(days=30)).isoformat()) == []
    )


def test_it_completes_by_itself_after_the_deadline_unless_released_or_objected(asked):
    t = Transfer.objects.get(pk=asked["t"].pk)
    assert (
        tasks.complete_due_transfers(t.release_due.isoformat()) == []
    )  # the last day is still the county's
    assert _status(t) == TransferStatus.PENDING
    assert tasks.complete_due_transfers((t.release_due + timedelta(days=1)).isoformat()) == [t.pk]
    done = Transfer.objects.get(pk=t.pk)
    assert (done.status, done.released_by, done.released_by_deadline) == (
        TransferStatus.COMPLETED,
        None,
        True,
    )
    assert Person.objects.get(pk=t.person_id).county_id == "320903"
    entry = LogEntry.objects.get_for_object(done).latest("timestamp")
    assert entry.additional_data["system_actor"] == TRANSFERS_JOB.name
    assert (
        tasks.complete_due_transfers((t.release_due + timedelta(days=2)).isoformat()) == []
    )  # idempotent


@pytest.mark.django_db
def test_beat_runs_the_deadline_job_daily():
    from django_celery_beat.models import PeriodicTask

    from pooling.celery import app

    job = PeriodicTask.objects.get(task="enrollment.complete_due_transfers")
    assert (job.enabled, job.crontab.hour, job.crontab.minute) == (True, "1", "20")
    assert "enrollment.complete_due_transfers" in app.tasks


def test_a_due_transfer_a_rule_now_refuses_stays_pending_and_the_others_complete(
    asked, county_a, county_b, clerk_b
):
    resident = f.person(county_a, "居民乙", category="resident_adult")
    services.enrol(person=resident, scheme="resident", start_month=date(2026, 1, 1), actor=SETUP)
    with acting_as(clerk_b):
        second = services.transfer_request(
            id_number=resident.id_number,
            to_county=county_b,
            effective_month=APRIL,
            new_address="盐都区新都路8号",
            actor=clerk_b,
        )
    Person.objects.filter(pk=asked["person"].pk).update(died_on=date(2026, 3, 5))
    day = max(asked["t"].release_due, second.release_due) + timedelta(days=1)
    assert tasks.complete_due_transfers(day.isoformat()) == [second.pk]
    assert _status(asked["t"]) == TransferStatus.PENDING


def test_both_counties_see_it_on_their_to_do_lists(asked, clerk_a, clerk_b, client_for):
    sender = client_for(clerk_a).get("/").content.decode()
    receiver = client_for(clerk_b).get("/").content.decode()
    assert '待转出确认</span><span class="w-value">1<' in sender
    assert '转入待转出地确认</span><span class="w-value">1<' in receiver
    assert '待转出确认</span><span class="w-value">0<' in receiver
    assert "/enrollment/transfers/?direction=out&amp;status=pending" in sender


def test_cancelling_asks_for_confirmation_and_a_reason(asked, clerk_b, client_for):
    t, page = asked["t"], client_for(clerk_b)
    body = page.get(f"/enrollment/transfers/{t.pk}/").content.decode()
    start = body.index(f"/enrollment/transfers/{t.pk}/cancel/")
    form = body[start : body.index("</form>", start)]
    assert 'name="reason" required' in form and "return confirm(" in form
    page.post(f"/enrollment/transfers/{t.pk}/cancel/", {})
    assert _status(t) == TransferStatus.PENDING
    page.post(f"/enrollment/transfers/{t.pk}/cancel/", {"reason": "本人放弃转入"})
    done = Transfer.objects.get(pk=t.pk)
    assert (done.status, done.cancel_reason, done.cancelled_by) == (
        TransferStatus.CANCELLED,
        "本人放弃转入",
        clerk_b,
    )
    assert "本人放弃转入" in page.get(f"/enrollment/transfers/{t.pk}/").content.decode()
    assert LogEntry.objects.get_for_object(done).latest("timestamp").changes_dict[
        "cancel_reason"
    ] == ["", "本人放弃转入"]


def test_the_release_and_objection_buttons_ask_for_confirmation(asked, clerk_a, client_for):
    body = client_for(clerk_a).get(f"/enrollment/transfers/{asked['t'].pk}/").content.decode()
    for action in ("release", "object"):
        start = body.index(f"/enrollment/transfers/{asked['t'].pk}/{action}/")
        assert "return confirm(" in body[start : body.index("</form>", start)], action
    assert 'name="reason" required' in body[body.index("/object/") :]


def test_the_admin_shows_the_receiving_clerk_only_the_masked_name(asked, clerk_b, client_for):
    clerk_b.is_staff = True
    clerk_b.save()
    page = client_for(clerk_b)
    listing = page.get("/admin/enrollment/transfer/").content.decode()
    assert (
        "欧***" in listing
        and "欧阳明辉" not in listing
        and asked["person"].id_number not in listing
    )
    detail = page.get(f"/admin/enrollment/transfer/{asked['t'].pk}/change/").content.decode()
    assert (
        "欧***" in detail and "欧阳明辉" not in detail and asked["person"].id_number not in detail
    )
    assert page.post("/admin/enrollment/transfer/export/", {"format": "0"}).status_code == 403


def test_a_county_clerk_asks_only_into_their_own_county(clerk_b, client_for, regions):
    form = client_for(clerk_b).get("/enrollment/transfers/new/").content.decode()
    select = form[form.index('name="to_county"') :]
    select = select[: select.index("</select>")]
    assert "320903" in select and "320902" not in select

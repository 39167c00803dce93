"""Irreversible steps ask before they act (the page's one mechanism: `onclick="return
confirm(...)"`), and where the record must say why, the service refuses to go without a
reason, which is stored, audited and shown. (Transfers: test_transfer_release.py.)"""

from datetime import date

import pytest
from auditlog.models import LogEntry

from enrollment import services
from enrollment.models import Enrolment, EnrolmentStatus, Referral, ReferralStatus
from tests.actors import SETUP
from tests.enrollment import factories as f


def _form(body: str, action: str) -> str:
    start = body.index(action)
    return body[start : body.index("</form>", start)]


@pytest.fixture
def enrolled(county_a, demo_policy):
    return f.employee_enrolment(county_a, "暂停测试", start=date(2026, 1, 1))


def test_suspending_and_ending_ask_and_need_a_reason(enrolled, clerk_a, client_for):
    page, e = client_for(clerk_a), enrolled
    person_url = f"/enrollment/people/{e.person_id}/"
    body = page.get(person_url).content.decode()
    for action in ("suspend", "end"):
        form = _form(body, f"/enrollment/enrolments/{e.pk}/{action}/")
        assert "return confirm(" in form and 'name="reason" required' in form, action
    page.post(f"/enrollment/enrolments/{e.pk}/suspend/", {})
    assert (
        Enrolment.objects.get(pk=e.pk).status == EnrolmentStatus.ACTIVE
    )  # no reason, nothing done
    page.post(f"/enrollment/enrolments/{e.pk}/suspend/", {"reason": "单位停产，暂停缴费"})
    suspended = Enrolment.objects.get(pk=e.pk)
    assert (suspended.status, suspended.status_reason) == (
        EnrolmentStatus.SUSPENDED,
        "单位停产，暂停缴费",
    )
    assert LogEntry.objects.get_for_object(suspended).latest("timestamp").actor == clerk_a
    assert "单位停产，暂停缴费" in page.get(person_url).content.decode()
    page.post(f"/enrollment/enrolments/{e.pk}/end/", {"end_month": "2026-03"})
    assert Enrolment.objects.get(pk=e.pk).status == EnrolmentStatus.SUSPENDED
    page.post(f"/enrollment/enrolments/{e.pk}/end/", {"end_month": "2026-03", "reason": "出国定居"})
    ended = Enrolment.objects.get(pk=e.pk)
    assert (ended.status, ended.end_month, ended.status_reason) == (
        EnrolmentStatus.ENDED,
        date(2026, 3, 1),
        "出国定居",
    )


def test_revoking_or_refusing_a_referral_asks_and_needs_a_reason(enrolled, clerk_a, client_for):
    applied = services.referral_apply(
        person=enrolled.person,
        kind="referral",
        destination="南京鼓楼医院",
        valid_from=date(2026, 3, 1),
        valid_to=date(2026, 4, 30),
        actor=SETUP,
    )
    page, url = client_for(clerk_a), f"/enrollment/referrals/{applied.pk}/"
    assert "return confirm(" in _form(page.get(url).content.decode(), 'id="reject-referral"')
    page.post(url, {"decision": "reject", "note": ""})
    assert Referral.objects.get(pk=applied.pk).status == ReferralStatus.APPLIED
    page.post(url, {"decision": "approve", "note": ""})  # approving needs no reason
    assert Referral.objects.get(pk=applied.pk).status == ReferralStatus.APPROVED
    assert "return confirm(" in _form(page.get(url).content.decode(), 'id="revoke-referral"')
    page.post(url, {"decision": "revoke", "note": ""})
    assert Referral.objects.get(pk=applied.pk).status == ReferralStatus.APPROVED
    page.post(url, {"decision": "revoke", "note": "患者已转回本地治疗"})
    revoked = Referral.objects.get(pk=applied.pk)
    assert (revoked.status, revoked.decision_note) == (ReferralStatus.REVOKED, "患者已转回本地治疗")
    assert "患者已转回本地治疗" in page.get(url).content.decode()

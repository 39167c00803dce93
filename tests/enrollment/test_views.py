"""The clerk's pages: every page renders, forms show errors beside the field, scoping holds."""

from datetime import date

import pytest
from django.urls import reverse

from enrollment import services
from enrollment.models import Enrolment, Person, Transfer
from pooling.kernel.choices import Scheme
from tests.actors import SETUP
from tests.enrollment import factories as f


@pytest.fixture
def world(county_a, county_b, demo_policy):
    e = f.employee_enrolment(county_a, "页面甲", start=date(2026, 1, 1))
    assert e.employer is not None
    services.declaration_line_add(
        employer=e.employer,
        month=date(2026, 1, 1),
        person=e.person,
        declared_base_fen=500000,
        actor=SETUP,
    )
    ref = services.referral_apply(
        person=e.person,
        kind="referral",
        destination="南京鼓楼医院",
        valid_from=date(2026, 3, 1),
        valid_to=date(2026, 4, 1),
        actor=SETUP,
    )
    b = f.employee_enrolment(county_b, "页面乙")
    t = services.transfer_request(
        id_number=e.person.id_number,
        to_county=county_b,
        new_employer=b.employer,
        effective_month=date(2026, 3, 1),
        actor=SETUP,
    )
    return {"e": e, "ref": ref, "t": t, "b": b}


def test_it_renders_every_page_for_a_clerk(client_for, clerk_a, world):
    client = client_for(clerk_a)
    e = world["e"]
    urls = [
        reverse("enrollment:index") + "?q=页面",
        reverse("enrollment:people"),
        reverse("enrollment:person_new"),
        reverse("enrollment:person", args=[e.person_id]),
        reverse("enrollment:person_enrol", args=[e.person_id]),
        reverse("enrollment:person_resident_payment", args=[e.person_id]),
        reverse("enrollment:referral_new", args=[e.person_id]),
        reverse("enrollment:employers"),
        reverse("enrollment:employer_new"),
        reverse("enrollment:employer", args=[e.employer_id]),
        reverse("enrollment:employer_declare", args=[e.employer_id]),
        reverse("enrollment:declarations"),
        reverse("enrollment:arrears"),
        reverse("enrollment:collection_new"),
        reverse("enrollment:overlaps"),
        reverse("enrollment:transfers"),
        reverse("enrollment:transfer_new"),
        reverse("enrollment:transfer", args=[world["t"].pk]),
        reverse("enrollment:referrals"),
        reverse("enrollment:referral", args=[world["ref"].pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "页面乙" not in response.content.decode(), url
    page = client.get(reverse("enrollment:index") + "?q=页面").content.decode()
    assert "页面甲" in page


def test_it_hides_other_counties_people_and_employers(client_for, clerk_b, world):
    client = client_for(clerk_b)
    e = world["e"]
    assert client.get(reverse("enrollment:person", args=[e.person_id])).status_code == 404
    assert client.get(reverse("enrollment:employer", args=[e.employer_id])).status_code == 404
    # The pending transfer is theirs to see (they are the receiving county).
    assert client.get(reverse("enrollment:transfer", args=[world["t"].pk])).status_code == 200


def test_it_shows_a_bad_id_number_error_beside_the_field(client_for, clerk_a, county_a):
    response = client_for(clerk_a).post(
        reverse("enrollment:person_new"),
        {
            "county": county_a.pk,
            "id_number": "360426199101010072",
            "name": "赵六",
            "category": "in_service",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_id_number_error"' in html and "校验码错误" in html


def test_it_registers_and_enrols_through_the_forms(client_for, clerk_a, county_a, demo_policy):
    client = client_for(clerk_a)
    response = client.post(
        reverse("enrollment:person_new"),
        {
            "county": county_a.pk,
            "id_number": "360426199101010071",
            "name": "赵六",
            "category": "resident_adult",
        },
    )
    person = Person.objects.get(id_number="360426199101010071")
    assert response.status_code == 302 and response.url == reverse(
        "enrollment:person", args=[person.pk]
    )
    response = client.post(
        reverse("enrollment:person_enrol", args=[person.pk]),
        {"scheme": Scheme.RESIDENT, "start_month": "2026-02"},
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(person=person).start_month == date(2026, 2, 1)
    response = client.post(
        reverse("enrollment:person_enrol", args=[person.pk]),
        {"scheme": Scheme.EMPLOYEE, "start_month": "2026-13"},
    )
    assert 'id="id_start_month_error"' in response.content.decode()


def test_it_declares_with_a_clamp_warning(client_for, clerk_a, county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    client = client_for(clerk_a)
    response = client.post(
        reverse("enrollment:employer_declare", args=[e.employer_id]),
        {"month": "2026-01", f"base_{e.pk}": "3000"},
        follow=True,
    )
    html = response.content.decode()
    assert "已按下限 4,500.00 元核定" in html
    assert e.person.declaration_lines.get().base_fen == 450000


def test_it_refuses_the_release_by_the_receiving_county(client_for, clerk_a, clerk_b, world):
    t = world["t"]
    response = client_for(clerk_b).post(reverse("enrollment:transfer_release", args=[t.pk]), {})
    assert response.status_code == 403
    assert Transfer.objects.get(pk=t.pk).status == "pending"
    response = client_for(clerk_a).post(reverse("enrollment:transfer_release", args=[t.pk]), {})
    assert response.status_code == 302
    assert Transfer.objects.get(pk=t.pk).status == "completed"


def test_it_lets_the_auditor_read_but_not_register(client_for, auditor, world):
    client = client_for(auditor)
    assert client.get(reverse("enrollment:person", args=[world["e"].person_id])).status_code == 200
    assert client.get(reverse("enrollment:person_new")).status_code == 403


def test_it_edits_a_person_and_an_employer_with_errors_beside_the_field(
    client_for, clerk_a, county_a
):
    p = f.person(county_a, "改名前")
    e = f.employer(county_a, "改名前公司")
    client = client_for(clerk_a)
    response = client.post(
        reverse("enrollment:person_edit", args=[p.pk]),
        {"name": "改名后", "category": "in_service", "phone": "123"},
    )
    assert 'id="id_phone_error"' in response.content.decode()
    response = client.post(
        reverse("enrollment:person_edit", args=[p.pk]),
        {"name": "改名后", "category": "in_service", "phone": "13912345678"},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.name, p.phone) == ("改名后", "13912345678")
    response = client.post(
        reverse("enrollment:employer_edit", args=[e.pk]),
        {"name": "新名公司", "status": "suspended"},
    )
    assert response.status_code == 302
    e.refresh_from_db()
    assert (e.name, e.status) == ("新名公司", "suspended")


def test_it_says_which_county_holds_an_id_number_and_nothing_more(client_for, clerk_b, county_a):
    p = f.person(county_a, "外县人员")
    html = (
        client_for(clerk_b).get(reverse("enrollment:index") + f"?q={p.id_number}").content.decode()
    )
    assert "该身份证号码已在亭湖区参保登记" in html and "外县人员" not in html
    assert f"transfers/new/?id_number={p.id_number}" in html

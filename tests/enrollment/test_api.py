"""The handling API: county-scoped, writes through services, refusals as bilingual 400s."""

from datetime import date

import pytest

from enrollment.models import Person, Transfer
from tests.enrollment import factories as f

API = "/api/v1/enrollment"


@pytest.fixture
def api_a(client_for, clerk_a):
    return client_for(clerk_a)


def test_it_registers_searches_and_enrols_a_person(api_a, county_a, demo_policy):
    r = api_a.post(
        f"{API}/people/",
        {
            "county": "320902",
            "id_number": "360426199101010071",
            "name": "钱七",
            "category": "resident_adult",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert (r.json()["sex"], r.json()["birth_date"]) == ("M", "1991-01-01")
    assert [p["name"] for p in api_a.get(f"{API}/people/?q=钱").json()] == ["钱七"]
    pk = r.json()["id"]
    r = api_a.post(
        f"{API}/enrolments/",
        {"person": pk, "scheme": "resident", "start_month": "2026-02"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert (r.json()["start_month"], r.json()["waiting_months"]) == ("2026-02-01", 3)


def test_it_refuses_double_enrolment_in_both_languages(api_a, county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    r = api_a.post(
        f"{API}/enrolments/",
        {"person": e.person_id, "scheme": "resident", "start_month": "2026-03"},
        content_type="application/json",
    )
    body = r.json()
    assert r.status_code == 400, body
    assert (
        body["code"] == "double_enrolment"
        and "避免重复参保" in body["detail_zh"]
        and body["field"] == "scheme"
    )


def test_it_refuses_a_bad_id_number_with_its_code(api_a, county_a):
    r = api_a.post(
        f"{API}/people/",
        {
            "county": "320902",
            "id_number": "360426199101010072",
            "name": "钱七",
            "category": "in_service",
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "id_check"


def test_it_declares_and_reports_clamping(api_a, county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    assert e.employer is not None
    r = api_a.post(
        f"{API}/declarations/",
        {
            "employer": e.employer_id,
            "month": "2026-01",
            "rows": [{"id_number": e.person.id_number, "declared_base_fen": 100000}],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["declaration"]["lines"][0]["base_fen"] == 450000 and body["warnings"]
    assert api_a.get(f"{API}/declarations/arrears/").json()["count"] == 1
    r = api_a.post(
        f"{API}/collections/",
        {
            "tax_ref": "SW-1",
            "credit_code": e.employer.credit_code,
            "month": "2026-01",
            "amount_fen": body["declaration"]["total_fen"],
            "received_on": "2026-02-10",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert api_a.get(f"{API}/declarations/arrears/").json()["count"] == 0


def test_it_scopes_lists_and_records_by_county(client_for, clerk_b, county_a, county_b):
    a = f.person(county_a, "亭湖人")
    f.person(county_b, "盐都人")
    api_b = client_for(clerk_b)
    names = [p["name"] for p in api_b.get(f"{API}/people/").json()["results"]]
    assert names == ["盐都人"]
    assert api_b.get(f"{API}/people/{a.pk}/").status_code == 404
    assert api_b.get(f"{API}/people/{a.pk}/history/").status_code == 404


def test_it_transfers_through_the_api_asked_by_the_receiver_released_by_the_sender(
    client_for, clerk_a, clerk_b, county_a, county_b, demo_policy
):
    e = f.employee_enrolment(county_a, start=date(2026, 1, 1))
    employer_b = f.employer(county_b)
    api_b = client_for(clerk_b)
    r = api_b.post(
        f"{API}/transfers/",
        {"id_number": e.person.id_number, "to_county": "320903", "effective_month": "2026-04"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "参保单位" in r.content.decode()  # no ground, no transfer
    r = api_b.post(
        f"{API}/transfers/",
        {
            "id_number": e.person.id_number,
            "to_county": "320903",
            "new_employer": employer_b.pk,
            "effective_month": "2026-04",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = api_b.post(f"{API}/transfers/{pk}/release/", {}, content_type="application/json")
    assert r.status_code == 403
    r = client_for(clerk_a).post(
        f"{API}/transfers/{pk}/object/", {}, content_type="application/json"
    )
    assert r.status_code == 400  # an objection says why
    r = client_for(clerk_a).post(
        f"{API}/transfers/{pk}/release/", {}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert Transfer.objects.get().status == "completed"
    assert Person.objects.get().county_id == "320903"
    history = api_b.get(f"{API}/people/{e.person_id}/history/").json()
    assert [x["county"] for x in history["enrolments"]] == ["320902", "320903"]


def test_it_lets_the_auditor_read_but_not_write(client_for, auditor, county_a):
    f.person(county_a)
    api = client_for(auditor)
    assert api.get(f"{API}/people/").status_code == 200
    r = api.post(
        f"{API}/people/",
        {
            "county": "320902",
            "id_number": "360426199101010071",
            "name": "x",
            "category": "in_service",
        },
        content_type="application/json",
    )
    assert r.status_code == 403


def test_it_documents_the_endpoints_in_the_openapi_schema(client_for, city_agent):
    schema = client_for(city_agent).get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/enrollment/people/",
        "/api/v1/enrollment/transfers/{id}/release/",
        "/api/v1/enrollment/declarations/",
        "/api/v1/enrollment/referrals/{id}/decide/",
    ):
        assert path in schema["paths"], path

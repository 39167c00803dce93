"""Bad input over the national interface: each answered `infcode -1` with a precise Chinese
message naming the field and the rule, and nothing written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from providers.choices import State
from providers.models import ProviderEvent
from settlement.models import Accumulator, FeeDetail, Message, Settlement, Visit
from tests.settlement.hsa_client import psn, refused

MODELS = (Visit, FeeDetail, Settlement, Message, Accumulator)


def counts() -> tuple[int, ...]:
    from pooling.kernel.scoping import unrestricted

    with unrestricted():
        return tuple(m.objects.count() for m in MODELS)


@pytest.fixture
def open_visit(hsa, people):
    mdtrt_id = hsa.register(people.employee)
    assert hsa.fees(mdtrt_id, people.employee, [("001102000000100", "1", "20.00")])["infcode"] == 0
    return mdtrt_id


def test_it_refuses_a_body_that_is_not_json(hsa, client):
    before = counts()
    response = client.post(
        "/api/hsa/",
        data=b"<xml/>",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hsa.token}",
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    refused(response.json(), "JSON")
    assert counts() == before


def test_it_refuses_an_envelope_without_input_or_infno(hsa):
    body = hsa.envelope("2201", {})
    del body["input"]
    refused(hsa.post("2201", {}, body=body), "input")
    body = hsa.envelope("2201", {"data": {}})
    del body["infno"]
    refused(hsa.post("2201", {}, body=body), "infno")


def test_it_refuses_an_unknown_infno(hsa):
    refused(hsa.post("9999", {"data": {}}), "9999")


def test_it_refuses_a_wrong_or_missing_sign_no(hsa, people):
    before = counts()
    hsa.sign_no = "WRONG"
    refused(
        hsa.post(
            "2201",
            {
                "data": {
                    "psn_no": psn(people.employee),
                    "insutype": "310",
                    "begntime": f"{timezone.localtime():%Y-%m-%d} 08:00:00",
                }
            },
        ),
        "sign_no",
        "9001",
    )
    hsa.sign_no = ""
    refused(hsa.post("1101", {"data": {"psn_no": psn(people.employee)}}), "sign_no")
    assert counts() == before


def test_it_refuses_a_msgid_of_another_provider_or_shape(hsa, people):
    other = "H32090299999" + hsa.msgid()[12:]
    refused(
        hsa.post("1101", {"data": {"psn_no": psn(people.employee)}}, msgid=other),
        "msgid",
        hsa.provider.national_code,
    )
    refused(
        hsa.post("1101", {"data": {"psn_no": psn(people.employee)}}, msgid="123"), "msgid", "30"
    )


def test_it_refuses_a_fixmedins_code_that_is_not_the_credentials(hsa, people):
    body = hsa.envelope("1101", {"data": {"psn_no": psn(people.employee)}})
    body["fixmedins_code"] = "H32090299999"
    refused(hsa.post("1101", {}, body=body), "fixmedins_code", hsa.provider.national_code)


def test_it_answers_401_in_the_interfaces_form_without_a_credential(hsa, client):
    response = client.post(
        "/api/hsa/", data="{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer K1.x"
    )
    assert response.status_code == 401
    refused(response.json(), "Authorization")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("cnt", "-1", ("cnt", "正数")),
        ("pric", "abc", ("pric", "金额")),
        ("pric", "1.234", ("pric", "两位小数")),
        ("det_item_fee_sumamt", "99.00", ("det_item_fee_sumamt", "不等于")),
        ("fee_ocur_time", "2026/01/01", ("fee_ocur_time", "yyyy-MM-dd")),
    ],
)
def test_it_refuses_a_bad_fee_line_naming_its_row_and_field(hsa, people, field, value, words):
    mdtrt_id = hsa.register(people.employee)
    before = counts()
    good = {
        "feedetl_sn": "S0",
        "mdtrt_id": mdtrt_id,
        "psn_no": psn(people.employee),
        "chrg_bchno": "B1",
        "fee_ocur_time": f"{timezone.localtime():%Y-%m-%d} 09:00:00",
        "med_list_codg": "001102000000100",
        "det_item_fee_sumamt": "20.00",
        "cnt": "1",
        "pric": "20.00",
    }
    bad = {**good, "feedetl_sn": "S1", field: value}
    answer = refused(hsa.post("2204", {"feedetail": [good, bad]}), *words)
    # The line is named: by its position in the message, or by its serial number.
    assert "第 2 条" in answer["err_msg"] or "S1" in answer["err_msg"]
    assert counts() == before


def test_it_refuses_a_total_that_does_not_equal_its_details(hsa, people, open_visit):
    before = counts()
    refused(hsa.settle(open_visit, people.employee, "25.00"), "medfee_sumamt", "20.00")
    assert counts() == before


def test_it_refuses_a_dead_person(hsa, people):
    person = people.employee
    person.died_on = timezone.localdate() - timedelta(days=3)
    person.save(update_fields=["died_on"])
    before = counts()
    answer = hsa.post(
        "2201",
        {
            "data": {
                "psn_no": psn(person),
                "insutype": "310",
                "begntime": f"{timezone.localtime():%Y-%m-%d} 08:00:00",
            }
        },
    )
    refused(answer, "死亡")
    assert counts() == before


def test_it_refuses_a_person_not_enrolled_in_the_named_scheme(hsa, people):
    answer = hsa.post(
        "2201",
        {
            "data": {
                "psn_no": psn(people.employee),
                "insutype": "390",
                "begntime": f"{timezone.localtime():%Y-%m-%d} 08:00:00",
            }
        },
    )
    refused(answer, "居民医保", "参保")


def test_it_refuses_a_suspended_provider(hsa, people, open_visit):
    today = timezone.localdate()
    ProviderEvent.objects.create(
        provider=hsa.provider,
        action="suspend",
        from_state=State.PERFORMING,
        to_state=State.SUSPENDED,
        effective_on=today - timedelta(days=1),
        reason="暂停",
    )
    before = counts()
    refused(hsa.settle(open_visit, people.employee, "20.00"), hsa.provider.national_code, "暂停")
    refused(
        hsa.post(
            "2201",
            {
                "data": {
                    "psn_no": psn(people.employee),
                    "insutype": "310",
                    "begntime": f"{today:%Y-%m-%d} 08:00:00",
                }
            },
        ),
        "不能结算",
    )
    assert counts() == before


def test_it_refuses_a_service_date_in_the_future(hsa, people):
    tomorrow = timezone.localdate() + timedelta(days=1)
    answer = hsa.post(
        "2201",
        {
            "data": {
                "psn_no": psn(people.employee),
                "insutype": "310",
                "begntime": f"{tomorrow:%Y-%m-%d} 08:00:00",
            }
        },
    )
    refused(answer, "begntime", "晚于今天")


def test_it_refuses_a_person_in_the_waiting_period(hsa, people):
    from enrollment.models import Enrolment

    Enrolment.objects.filter(person=people.resident).update(
        benefits_from=date.today() + timedelta(days=60)
    )
    answer = hsa.post(
        "2201",
        {
            "data": {
                "psn_no": psn(people.resident),
                "insutype": "390",
                "begntime": f"{timezone.localtime():%Y-%m-%d} 08:00:00",
            }
        },
    )
    refused(answer, "等待期")


def test_it_never_answers_with_html_or_a_stack_trace(hsa, monkeypatch, people):
    from settlement.hsa.transactions import person as person_tx

    def broken(ctx):
        raise RuntimeError("secret internals")

    monkeypatch.setitem(
        __import__("settlement.hsa.dispatch", fromlist=["x"]).TRANSACTIONS,
        "1101",
        __import__("settlement.hsa.dispatch", fromlist=["x"]).Transaction(
            "1101", "x", broken, False, True
        ),
    )
    answer = refused(hsa.post("1101", {"data": {"psn_no": psn(people.employee)}}), "事件编号")
    assert "secret" not in str(answer) and person_tx is not None

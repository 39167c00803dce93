"""An outpatient visit over the national interface, hand-computed.

Employee in service, 二级 hospital, ordinary outpatient (demo policy): deductible 600.00 a
year, fund ratio 55 %, annual limit 3,000.00; class B first self-paid 10 %.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.utils import timezone

from settlement.models import Accumulator, Settlement
from tests.settlement.hsa_client import psn


def test_it_settles_an_outpatient_visit_with_the_national_fields(hsa, people):
    person = people.employee
    mdtrt_id = hsa.register(person)
    upload = hsa.fees(
        mdtrt_id,
        person,
        [
            ("001102000000100", "1", "20.00"),  # 甲 诊查费 20.00
            ("XJ01DCC118A001010104443", "2", "50.00"),  # 乙 100.00, 10 % first self-paid
            ("XD11AXM011F001010100900", "1", "30.00"),  # 丙 30.00, fully self-paid
            ("XX00NOTINCATALOGUE000000", "1", "5.00"),  # not in the catalogue: self-paid, said so
            ("250101001000000", "1", "1000.00"),  # 甲 1000.00
        ],
    )
    assert upload["infcode"] == 0, upload
    classes = {r["chrgitm_lv"] for r in upload["output"]["result"]}
    assert classes == {"01", "02", "03"}
    assert any(r["memo"] for r in upload["output"]["result"] if r["chrgitm_lv"] == "03")

    answer = hsa.settle(mdtrt_id, person, "1155.00", acct=True)
    assert answer["infcode"] == 0, answer
    info = answer["output"]["setlinfo"]
    # total 1155; excluded 35; class B self-pay 10; in scope 1110; deductible 600;
    # fund 55 % of 510 = 280.50; own 874.50, the account pays its in-scope part up to its balance 500.
    assert info["medfee_sumamt"] == Decimal("1155.00")
    assert info["fulamt_ownpay_amt"] == Decimal("35.00")
    assert info["preselfpay_amt"] == Decimal("10.00")
    assert info["inscp_scp_amt"] == Decimal("1110.00")
    assert info["act_pay_dedc"] == Decimal("600.00")
    assert info["hifp_pay"] == Decimal("280.50")
    assert info["pool_prop_selfpay"] == Decimal("0.5500")
    assert info["acct_pay"] == Decimal("500.00")
    assert info["psn_cash_pay"] == Decimal("374.50")
    assert info["balc"] == Decimal("0.00")
    assert info["fund_pay_sumamt"] == Decimal("280.50")
    assert any("丙类" in line or "目录外" in line for line in info["setl_proc_info"])

    acc = Accumulator.objects.get(
        person=person, year=Settlement.objects.get().year, scheme="employee"
    )
    assert acc.deductible_paid == {"outpatient": 60000} and acc.fund_paid == {"outpatient": 28050}


def test_it_answers_a_repeated_message_with_the_same_answer_and_refuses_another_payload(
    hsa, people
):
    person = people.employee
    mdtrt_id = hsa.register(person)
    hsa.fees(mdtrt_id, person, [("001102000000100", "1", "20.00")])
    body = hsa.envelope(
        "2207",
        {
            "data": {
                "psn_no": "",
                "mdtrt_id": mdtrt_id,
                "medfee_sumamt": "20.00",
                "insutype": "310",
                "acct_used_flag": "0",
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": person.id_number,
            }
        },
    )
    first = hsa.post("2207", {}, body=body)
    again = hsa.post("2207", {}, body=body)
    assert first["infcode"] == 0 and again["output"] == first["output"]
    assert Settlement.objects.count() == 1
    body["input"]["data"]["medfee_sumamt"] = "21.00"
    other = hsa.post("2207", {}, body=body)
    assert other["infcode"] == -1 and body["msgid"] in other["err_msg"]


def test_a_message_is_one_transaction_a_refusal_inside_the_service_leaves_nothing_and_no_extra_savepoint(
    hsa, people
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from settlement.models import Message, Visit, VisitStatus

    person = people.employee
    mdtrt_id = hsa.register(person)
    assert hsa.fees(mdtrt_id, person, [("001102000000100", "1", "20.00")])["infcode"] == 0
    # The total is checked inside settlement_settle, after the person and the visit are locked.
    refused = hsa.settle(mdtrt_id, person, "25.00")
    assert refused["infcode"] == -1 and "20.00" in refused["err_msg"]
    assert not Settlement.objects.exists()
    assert Visit.objects.get().status == VisitStatus.OPEN
    assert not Message.objects.filter(infno="2207").exists()  # the msgid claim went with it
    with CaptureQueriesContext(connection) as seen:
        answer = hsa.settle(mdtrt_id, person, "20.00")
    assert answer["infcode"] == 0, answer
    # Only the message's own block (a savepoint here, as the test runs in a transaction): the
    # services open none (the first accumulator is inserted in the settling statement itself).
    sql = [q["sql"] for q in seen.captured_queries]
    opened = [sql[n + 1][:30] for n, q in enumerate(sql) if q.startswith("SAVEPOINT")]
    assert opened == ["INSERT INTO settlement_message"]


def test_a_settlement_is_six_statements_once_the_lookups_are_remembered(hsa, people, settings):
    """2207 with the lookup memo warm (as in production, HSA_LOOKUP_TTL_SECONDS): claim the msgid;
    the visit with its person locked; the visit locked with enrolment, accumulator and balance; the
    fee lines; settlement + accumulator + fee lines + visit in one statement; store the answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.HSA_LOOKUP_TTL_SECONDS = 60
    # Statements bound on the client, so the debug log names each (prepared ones log no text).
    settings.HSA_PREPARED_STATEMENTS = False
    person = people.resident
    warm = hsa.register(person, insutype="390")
    hsa.fees(warm, person, [("001102000000100", "1", "20.00")])
    assert hsa.settle(warm, person, "20.00", insutype="390")["infcode"] == 0
    mdtrt_id = hsa.register(person, insutype="390")
    hsa.fees(mdtrt_id, person, [("001102000000100", "1", "20.00")])
    with CaptureQueriesContext(connection) as seen:
        answer = hsa.settle(mdtrt_id, person, "20.00", insutype="390")
    assert answer["infcode"] == 0, answer
    sql = [q["sql"] for q in seen.captured_queries if "SAVEPOINT" not in q["sql"]]
    if connection.vendor == "postgresql":  # elsewhere settle_sql takes the ORM's statements
        assert [q.split()[0] for q in sql] == [
            "INSERT",
            "SELECT",
            "SELECT",
            "SELECT",
            "WITH",
            "UPDATE",
        ], sql
    # Two 20.00 visits, both inside the resident's outpatient deductible: the fund pays nothing.
    acc = Accumulator.objects.get(person=person, scheme="resident")
    assert acc.settlements == 2
    assert acc.deductible_paid == {"outpatient": 4000} and acc.fund_paid == {"outpatient": 0}


def test_a_repeat_answered_by_another_server_process_has_the_same_amounts(hsa, people):
    """The stored answer of a message is replayed to its repeat by whichever worker gets it
    (another gunicorn process, or the same after a restart): its amounts must still be JSON
    numbers, as in the first answer — not the placeholder text of the process that stored it."""
    from django.utils import timezone

    from settlement.hsa import envelope
    from settlement.models import Message

    person = people.employee
    mdtrt_id = hsa.register(person)
    hsa.fees(mdtrt_id, person, [("001102000000100", "1", "20.00")])
    data = {"mdtrt_id": mdtrt_id, "medfee_sumamt": "20.00", "insutype": "310"}
    data |= {"acct_used_flag": "0", "mdtrt_cert_type": "02", "mdtrt_cert_no": person.id_number}

    def send(body: bytes) -> bytes:
        auth = f"Bearer {hsa.token}"
        response = hsa.client.post(
            "/api/hsa/", data=body, content_type="application/json", HTTP_AUTHORIZATION=auth
        )
        return bytes(response.content)

    first = send(json.dumps(hsa.envelope("2207", {"data": data})).encode())
    stored = Message.objects.filter(infno="2207").get().response
    # The same answer as another process stored it: its own placeholder around each amount.
    foreign = json.loads(json.dumps(stored).replace(envelope._TOKEN, "@@" + "0f" * 8 + "@@"))
    repeat = json.dumps(hsa.envelope("2207", {"data": data})).encode()
    env = envelope.parse(repeat)
    Message.objects.create(
        month=env.month,
        msgid=env.msgid,
        provider=hsa.provider,
        infno="2207",
        payload_sha256=env.payload_sha256,
        response=foreign,
        received_at=timezone.now(),
    )
    again = send(repeat)
    assert b"@@" not in again, again[:300]
    assert json.loads(again)["output"] == json.loads(first)["output"]
    assert b'"hifp_pay":' in again and b'"hifp_pay":"' not in again  # a JSON number
    assert Settlement.objects.count() == 1


def test_a_visit_named_by_psn_no_keeps_the_certificate_the_hospital_read(hsa, people):
    """With psn_no the person is known; the certificate beside it is what was presented:
    an e-certificate's token (01) or a social-security card's own number (03) — up to the
    interface's 50 characters, and neither of them an ID number to compare with."""
    person = people.employee
    for cert_type, cert_no in (("01", "320900ec" + "a1b2c3d4" * 5), ("03", "A01234567")):
        answer = hsa.post(
            "2201",
            {
                "data": {
                    "psn_no": psn(person),
                    "insutype": "310",
                    "med_type": "11",
                    "begntime": f"{timezone.localtime():%Y-%m-%d} 08:30:00",
                    "mdtrt_cert_type": cert_type,
                    "mdtrt_cert_no": cert_no,
                }
            },
        )
        assert answer["infcode"] == 0, (cert_type, answer)
    other = hsa.post(
        "2201",
        {
            "data": {
                "psn_no": psn(person),
                "insutype": "310",
                "med_type": "11",
                "begntime": f"{timezone.localtime():%Y-%m-%d} 08:30:00",
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": people.retiree.id_number,
            }
        },
    )
    assert other["infcode"] == -1 and other["err_field"] == "mdtrt_cert_no", other


def test_a_price_written_to_the_interfaces_six_decimals_is_the_same_fen(hsa, people):
    """pric is a 16,6 number in the interface and cnt 16,4: many HIS send every decimal of their
    column ("12.500000", 2.0000). The value is whole fen and a whole count, so it settles; a real
    third decimal of a fen is still refused."""
    person = people.employee
    mdtrt_id = hsa.register(person)
    upload = hsa.fees(mdtrt_id, person, [("001102000000100", "2.0000", "12.500000")])
    assert upload["infcode"] == 0, upload
    sub_fen = hsa.fees(mdtrt_id, person, [("001102000000100", "1", "12.505000")])
    assert sub_fen["infcode"] == -1 and sub_fen["err_field"] == "pric", sub_fen
    sent = hsa.envelope("2204", {"feedetail": []})
    sent["input"]["feedetail"] = [
        {
            "feedetl_sn": "N1",
            "mdtrt_id": mdtrt_id,
            "chrg_bchno": "B1",
            "psn_no": psn(person),
            "fee_ocur_time": f"{timezone.localtime():%Y-%m-%d} 09:00:00",
            "med_list_codg": "001102000000100",
            "det_item_fee_sumamt": "@@AMOUNT@@",
            "cnt": "@@CNT@@",
            "pric": "@@PRICE@@",
        }
    ]
    raw = (
        json.dumps(sent)
        .replace('"@@AMOUNT@@"', "12.50")
        .replace('"@@CNT@@"', "1.0000")
        .replace('"@@PRICE@@"', "12.500000")
    )
    response = hsa.client.post(
        "/api/hsa/",
        data=raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hsa.token}",
    )
    assert response.json()["infcode"] == 0, response.json()
    settled = hsa.settle(mdtrt_id, person, "37.50")
    assert settled["infcode"] == 0, settled["err_msg"]
    assert settled["output"]["setlinfo"]["medfee_sumamt"] == Decimal("37.50")

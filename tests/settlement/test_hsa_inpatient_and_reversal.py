"""Inpatient stays, cancellation, reversal (冲正) and the queries, hand-computed.

Employee in service, 二级 hospital, inpatient (demo policy): deductible 800.00 for the first
admission of the year and 400.00 for a later one, fund ratio 88 %, annual cap 450,000.00.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from pooling.kernel.scoping import unrestricted
from settlement.models import Accumulator, Settlement, SettlementReversal
from settlement.services import account
from tests.actors import SETUP
from tests.settlement.hsa_client import psn

STAY = [
    ("110900001000000", "3", "100.00"),
    ("001103000000100", "3", "20.00"),
    ("XJ01DCC118A001010104443", "10", "50.00"),
    ("210103017000000", "1", "200.00"),
    ("110900002000000", "2", "150.00"),
]  # 1,360.00: class B 1,000.00 of it, 10 % self-paid


def admit_and_discharge(hsa, person, lines=STAY):
    return hsa.stay(person, lines)


def settle_stay(hsa, person, mdtrt_id, total="1360.00", acct=False, infno="2304"):
    return hsa.post(
        infno,
        {
            "data": {
                "psn_no": psn(person),
                "mdtrt_id": mdtrt_id,
                "medfee_sumamt": total,
                "insutype": "310",
                "acct_used_flag": "1" if acct else "0",
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": person.id_number,
            }
        },
    )


def test_it_settles_a_first_and_a_later_admission_with_their_own_deductibles(hsa, people):
    person = people.employee
    first = settle_stay(hsa, person, admit_and_discharge(hsa, person))
    assert first["infcode"] == 0, first
    info = first["output"]["setlinfo"]
    # in scope 1,260.00 − 800.00 = 460.00 × 88 % = 404.80
    assert (
        info["preselfpay_amt"],
        info["inscp_scp_amt"],
        info["act_pay_dedc"],
        info["hifp_pay"],
    ) == (Decimal("100.00"), Decimal("1260.00"), Decimal("800.00"), Decimal("404.80"))
    second = settle_stay(hsa, person, admit_and_discharge(hsa, person))["output"]["setlinfo"]
    # later admission: deductible 400.00; 860.00 × 88 % = 756.80
    assert (second["act_pay_dedc"], second["hifp_pay"]) == (Decimal("400.00"), Decimal("756.80"))
    acc = Accumulator.objects.get(person=person, scheme="employee")
    assert acc.admissions == 2 and acc.fund_paid == {"inpatient": 40480 + 75680}


def test_it_refuses_to_settle_a_stay_before_discharge_and_a_mid_settlement(hsa, people):
    person = people.employee
    answer = hsa.post(
        "2401",
        {
            "mdtrtinfo": {
                "psn_no": psn(person),
                "insutype": "310",
                "med_type": "21",
                "begntime": timezone.localtime().strftime("%Y-%m-%d 07:00:00"),
            }
        },
    )
    mdtrt_id = answer["output"]["result"]["mdtrt_id"]
    refusal = settle_stay(hsa, person, mdtrt_id)
    assert refusal["infcode"] == -1 and (
        "出院" in refusal["err_msg"] or "费用明细" in refusal["err_msg"]
    )


def test_it_cancels_a_settlement_restoring_accumulators_and_the_account_exactly(hsa, people):
    person = people.employee
    mdtrt_id = admit_and_discharge(hsa, person)
    balance_before = account.balance(person=person)
    info = settle_stay(hsa, person, mdtrt_id, acct=True)["output"]["setlinfo"]
    assert info["acct_pay"] == Decimal("500.00")  # the whole balance: own part is 955.20
    assert account.balance(person=person) == balance_before - 50000
    cancel = hsa.post(
        "2305", {"data": {"psn_no": psn(person), "mdtrt_id": mdtrt_id, "setl_id": info["setl_id"]}}
    )
    assert cancel["infcode"] == 0, cancel
    undone = cancel["output"]["setlinfo"]
    assert undone["hifp_pay"] == -info["hifp_pay"] and undone["refd_setl_flag"] == "1"
    acc = Accumulator.objects.get(person=person, scheme="employee")
    assert (
        acc.admissions == 0
        and acc.fund_paid == {"inpatient": 0}
        and acc.deductible_paid == {"inpatient": 0}
    )
    assert account.balance(person=person) == balance_before
    with unrestricted():
        original = Settlement.objects.get(kind="settle")
        assert original.hifp_pay == 40480  # never edited
    again = hsa.post(
        "2305", {"data": {"psn_no": psn(person), "mdtrt_id": mdtrt_id, "setl_id": info["setl_id"]}}
    )
    assert again["infcode"] == -1 and "已撤销" in again["err_msg"]
    # the stay can be settled again, as a first admission again
    resettled = settle_stay(hsa, person, mdtrt_id)["output"]["setlinfo"]
    assert resettled["act_pay_dedc"] == Decimal("800.00")


def test_it_reverses_a_settlement_by_its_message_id_once_and_answers_for_unknown_ones(hsa, people):
    person = people.employee
    mdtrt_id = admit_and_discharge(hsa, person)
    msgid = hsa.msgid()
    body = hsa.envelope(
        "2304",
        {
            "data": {
                "psn_no": psn(person),
                "mdtrt_id": mdtrt_id,
                "medfee_sumamt": "1360.00",
                "insutype": "310",
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": person.id_number,
            }
        },
        msgid,
    )
    assert hsa.post("2304", {}, body=body)["infcode"] == 0
    first = hsa.post("2601", {"data": {"psn_no": psn(person), "omsgid": msgid, "oinfno": "2304"}})
    assert first["infcode"] == 0 and first["output"]["data"]["memo"] == "冲正成功"
    second = hsa.post("2601", {"data": {"psn_no": psn(person), "omsgid": msgid, "oinfno": "2304"}})
    assert second["infcode"] == 0 and "无需冲正" in second["output"]["data"]["memo"]
    assert SettlementReversal.objects.count() == 1
    unknown = hsa.post(
        "2601", {"data": {"psn_no": psn(person), "omsgid": hsa.msgid(), "oinfno": "2207"}}
    )
    assert unknown["infcode"] == 0 and "未生效" in unknown["output"]["data"]["memo"]


def test_it_answers_queries_and_reconciliation_with_its_own_figures(hsa, people):
    person = people.employee
    mdtrt_id = admit_and_discharge(hsa, person)
    info = settle_stay(hsa, person, mdtrt_id)["output"]["setlinfo"]
    found = hsa.post("5203", {"data": {"psn_no": psn(person), "setl_id": info["setl_id"]}})
    assert found["output"]["setlinfo"]["hifp_pay"] == info["hifp_pay"]
    fees = hsa.post("5204", {"data": {"mdtrt_id": mdtrt_id}})["output"]["output"]
    assert len(fees) == 5 and {f["setl_id"] for f in fees} == {info["setl_id"]}
    today = timezone.localdate().isoformat()
    agree = hsa.post(
        "3201",
        {
            "data": {
                "insutype": "310",
                "clr_type": "21",
                "stmt_begndate": today,
                "stmt_enddate": today,
                "medfee_sumamt": "1360.00",
                "fund_pay_sumamt": "404.80",
                "acct_pay": "0",
                "fixmedins_setl_cnt": 1,
            }
        },
    )
    assert agree["output"]["stmtinfo"]["stmt_rslt"] == "0", agree
    differ = hsa.post(
        "3201",
        {
            "data": {
                "insutype": "310",
                "stmt_begndate": today,
                "stmt_enddate": today,
                "medfee_sumamt": "1300.00",
                "fund_pay_sumamt": "404.80",
                "acct_pay": "0",
                "fixmedins_setl_cnt": 2,
            }
        },
    )
    text = differ["output"]["stmtinfo"]["stmt_rslt_dscr"]
    assert (
        differ["output"]["stmtinfo"]["stmt_rslt"] == "1"
        and "医疗费总额" in text
        and "结算笔数" in text
    )
    detail = hsa.post(
        "3202",
        {
            "data": {"stmt_begndate": today, "stmt_enddate": today},
            "detail": [
                {
                    "setl_id": info["setl_id"],
                    "medfee_sumamt": "1360.00",
                    "fund_pay_sumamt": "404.80",
                    "acct_pay": "0",
                },
                {"setl_id": "202601999", "medfee_sumamt": "10.00"},
            ],
        },
    )
    results = {r["setl_id"]: r["stmt_rslt"] for r in detail["output"]["output"]}
    assert results == {info["setl_id"]: "0", "202601999": "1"}


def test_it_tells_who_the_person_is_and_their_insurance(hsa, people):
    answer = hsa.post(
        "1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": people.employee.id_number}}
    )
    assert answer["infcode"] == 0
    assert answer["output"]["baseinfo"]["psn_no"] == psn(people.employee)
    (insu,) = answer["output"]["insuinfo"]
    assert insu["insutype"] == "310" and insu["balc"] == Decimal("500.00")
    employer = people.employee.enrolments.get().employer
    assert employer is not None and insu["emp_name"] == employer.name
    ecert = hsa.post("1101", {"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": "x"}})
    assert ecert["infcode"] == -1 and "电子凭证" in ecert["err_msg"]


def test_it_reconciles_accumulators_with_settlements_and_finds_tampering(hsa, people):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from enrollment.services.sweep import account_postings_sweep_all

    person = people.employee
    info = settle_stay(hsa, person, admit_and_discharge(hsa, person), acct=True)["output"][
        "setlinfo"
    ]
    hsa.post("2305", {"data": {"mdtrt_id": info["mdtrt_id"], "setl_id": info["setl_id"]}})
    settle_stay(hsa, person, admit_and_discharge(hsa, person), acct=True)
    call_command(
        "reconcile", stdout=__import__("io").StringIO()
    )  # passes, with postings not yet swept
    account_postings_sweep_all(
        until=timezone.localdate(), actor=SETUP
    )  # payments and the refund reach the books
    call_command("reconcile", stdout=__import__("io").StringIO())
    Accumulator.objects.filter(person=person).update(fund_paid={"inpatient": 1})
    out = __import__("io").StringIO()
    try:
        call_command("reconcile", stdout=out)
    except CommandError:
        pass
    else:
        raise AssertionError("reconcile should fail")
    assert "待遇累计分项与结算记录不符" in out.getvalue()


def test_reconciliation_takes_a_cancelled_settlement_as_we_answered_it_negative(hsa, people):
    """2305 answers the cancellation with its own setl_id and negative amounts
    (refd_setl_flag 1); a provider reconciles with those figures, as they were given."""
    person = people.employee
    mdtrt_id = admit_and_discharge(hsa, person)
    info = settle_stay(hsa, person, mdtrt_id)["output"]["setlinfo"]
    undone = hsa.post(
        "2305", {"data": {"psn_no": psn(person), "mdtrt_id": mdtrt_id, "setl_id": info["setl_id"]}}
    )["output"]["setlinfo"]
    assert undone["medfee_sumamt"] == Decimal("-1360.00")
    today = timezone.localdate().isoformat()
    refunds = hsa.post(
        "3201",
        {
            "data": {
                "stmt_begndate": today,
                "stmt_enddate": today,
                "refd_setl_flag": "1",
                "medfee_sumamt": str(undone["medfee_sumamt"]),
                "fund_pay_sumamt": str(undone["fund_pay_sumamt"]),
                "acct_pay": str(undone["acct_pay"]),
                "fixmedins_setl_cnt": -1,
            }
        },
    )
    assert refunds["infcode"] == 0, refunds
    assert refunds["output"]["stmtinfo"]["stmt_rslt"] == "0", refunds
    rows = [
        {
            "setl_id": answer["setl_id"],
            "medfee_sumamt": str(answer["medfee_sumamt"]),
            "fund_pay_sumamt": str(answer["fund_pay_sumamt"]),
            "acct_pay": str(answer["acct_pay"]),
            "refd_setl_flag": answer["refd_setl_flag"],
        }
        for answer in (info, undone)
    ]
    detail = hsa.post(
        "3202", {"data": {"stmt_begndate": today, "stmt_enddate": today}, "detail": rows}
    )
    assert detail["infcode"] == 0, detail
    results = {r["setl_id"]: r["stmt_rslt"] for r in detail["output"]["output"]}
    assert results == {info["setl_id"]: "0", undone["setl_id"]: "0"}, detail

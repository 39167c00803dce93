"""A second pair of eyes on the real-time settlement's rules (issue 12, 2.–5.): each test is an
attack a checker would try, on a boundary the other suites do not reach.

World (tests/settlement/conftest.py): a 二级 hospital of 亭湖区 in performance since 2025-01-01,
an employee in service (personal account 500.00) and an adult resident, the demo policy
(effective 2026-01-01) and catalogue. SERVICE is a class-A service item of that catalogue.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from enrollment.models import DiseaseRegistration, DiseaseRegistrationStatus, Enrolment
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import unrestricted
from providers.choices import State
from providers.models import Agreement, ProviderEvent
from settlement.models import Accumulator, FeeDetail, Message, Settlement, Visit
from settlement.services import account
from tests.settlement.hsa_client import psn, refused

SERVICE = "001102000000100"
MODELS = (Visit, FeeDetail, Settlement, Message, Accumulator)


def counts() -> tuple[int, ...]:
    with unrestricted():
        return tuple(m.objects.count() for m in MODELS)


def ok(answer):
    assert answer["infcode"] == 0, (answer["err_msg"], answer)
    return answer["output"]


def today_at(hour: str, days: int = 0) -> str:
    return f"{timezone.localdate() - timedelta(days=days):%Y-%m-%d} {hour}"


def registration(hsa, person, *, insutype="310", med_type="11", diag="", days=0):
    data = {
        "psn_no": psn(person),
        "insutype": insutype,
        "med_type": med_type,
        "begntime": today_at("08:30:00", days),
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": person.id_number,
    }
    if diag:
        data.update(dise_codg=diag, dise_name="诊断")
    return {"data": data}


def visit_with_a_line(hsa, person, *, days=0, **options) -> str:
    mdtrt_id = ok(hsa.post("2201", registration(hsa, person, days=days, **options)))["data"][
        "mdtrt_id"
    ]
    ok(hsa.fees(mdtrt_id, person, [(SERVICE, "1", "20.00")], when=today_at("09:00:00", days)))
    return mdtrt_id


# -- the provider on the service date ----------------------------------------------------------


def test_a_provider_suspended_on_the_service_date_itself_settles_nothing(hsa, people):
    mdtrt_id = visit_with_a_line(hsa, people.employee)
    ProviderEvent.objects.create(
        provider=hsa.provider,
        action="suspend",
        from_state=State.PERFORMING,
        to_state=State.SUSPENDED,
        effective_on=timezone.localdate(),  # from today: today's care is not settled
        reason="暂停",
    )
    before = counts()
    refused(hsa.settle(mdtrt_id, people.employee, "20.00"), hsa.provider.national_code)
    refused(hsa.post("2201", registration(hsa, people.employee)), "fixmedins_code")
    assert counts() == before


def test_a_provider_suspended_today_does_not_settle_yesterdays_care_either(hsa, people):
    # "Nothing is settled while suspended": the visit of yesterday was in performance, the
    # settlement today is not; the error names today. Resumed, the same message settles.
    mdtrt_id = visit_with_a_line(hsa, people.employee, days=1)
    event = ProviderEvent.objects.create(
        provider=hsa.provider,
        action="suspend",
        from_state=State.PERFORMING,
        to_state=State.SUSPENDED,
        effective_on=timezone.localdate(),
        reason="暂停",
    )
    before = counts()
    answer = hsa.settle(mdtrt_id, people.employee, "20.00")
    refused(answer, hsa.provider.national_code)
    assert timezone.localdate().isoformat() in answer["err_msg"]
    assert counts() == before
    event.delete()
    ok(hsa.settle(mdtrt_id, people.employee, "20.00"))


def test_an_agreement_ended_on_the_service_date_or_starting_the_next_day_settles_nothing(
    hsa, people
):
    mdtrt_id = visit_with_a_line(hsa, people.employee)
    agreement = Agreement.objects.get(provider=hsa.provider)
    agreement.ended_on = timezone.localdate()  # terminated today (解除协议)
    agreement.save(update_fields=["ended_on"])
    before = counts()
    refused(hsa.settle(mdtrt_id, people.employee, "20.00"), hsa.provider.national_code)
    agreement.ended_on = None
    agreement.term_start = timezone.localdate() + timedelta(days=1)  # signed, in force tomorrow
    agreement.save(update_fields=["ended_on", "term_start"])
    refused(hsa.settle(mdtrt_id, people.employee, "20.00"), hsa.provider.national_code)
    assert counts() == before


# -- the person on the service date ------------------------------------------------------------


def test_a_person_who_died_on_the_service_date_is_settled_and_the_day_after_is_not(hsa, people):
    person = people.employee
    mdtrt_id = visit_with_a_line(hsa, person)
    yesterday = visit_with_a_line(hsa, person, days=1)
    with unrestricted():
        person.died_on = timezone.localdate() - timedelta(days=1)
        person.save(update_fields=["died_on"])
    refused(hsa.settle(mdtrt_id, person, "20.00"), "死亡")
    ok(hsa.settle(yesterday, person, "20.00"))  # care on the day of death is care


def test_the_waiting_period_ends_on_its_first_day_of_benefits(hsa, people):
    person = people.resident
    with unrestricted():
        Enrolment.objects.filter(person=person).update(
            benefits_from=timezone.localdate() + timedelta(days=1)
        )
    refused(hsa.post("2201", registration(hsa, person, insutype="390")), "等待期")
    with unrestricted():
        Enrolment.objects.filter(person=person).update(benefits_from=timezone.localdate())
    ok(hsa.post("2201", registration(hsa, person, insutype="390")))


# -- 门慢/门特 only for a registered person --------------------------------------------------


def _register_disease(person, *, status, valid_from, valid_to):
    with unrestricted():
        DiseaseRegistration.objects.create(
            county=person.county,
            person=person,
            disease_code="M03900",
            disease_name="高血压",
            valid_from=valid_from,
            valid_to=valid_to,
            status=status,
        )


CHRONIC_CASES = {
    # Demo policy, employee in service, 二级: 高血压 M03900 pays 60 % without a deductible;
    # ordinary outpatient care has a 600.00 deductible, so a 20.00 visit gets no fund payment.
    "approved and valid": (DiseaseRegistrationStatus.APPROVED, 0, 30, Decimal("12.00")),
    "expired yesterday": (DiseaseRegistrationStatus.APPROVED, 400, -1, Decimal("0.00")),
    "valid from tomorrow": (DiseaseRegistrationStatus.APPROVED, -1, 30, Decimal("0.00")),
    "applied, not approved": (DiseaseRegistrationStatus.APPLIED, 30, 30, Decimal("0.00")),
    "revoked": (DiseaseRegistrationStatus.REVOKED, 30, 30, Decimal("0.00")),
}


@pytest.mark.parametrize("case", CHRONIC_CASES)
def test_a_chronic_visit_pays_the_diseases_ratio_only_to_a_registered_person(hsa, people, case):
    status, began_days_ago, ends_in_days, hifp = CHRONIC_CASES[case]
    today = timezone.localdate()
    person = people.employee
    _register_disease(
        person,
        status=status,
        valid_from=today - timedelta(days=began_days_ago),
        valid_to=today + timedelta(days=ends_in_days),
    )
    mdtrt_id = visit_with_a_line(hsa, person, med_type="14", diag="M03900")
    info = ok(hsa.settle(mdtrt_id, person, "20.00", med_type="14"))["setlinfo"]  # never refused
    assert info["hifp_pay"] == hifp  # 20.00 × 60 % = 12.00 registered; else 0 (deductible)
    if hifp == 0:
        assert any("按普通门诊结算" in str(line) for line in info["setl_proc_info"]), info


# -- versions: the catalogue on each line's date, the policy on the discharge date ------------


def _catalogue_from(on: date, code: str, cls: str, *, maker, checker):
    from pooling.benefits.catalogue.models import CatalogueItem, CatalogueStatus, CatalogueVersion

    version = CatalogueVersion.objects.create(
        code=f"T{on:%Y%m%d}",
        title="测试目录",
        effective_from=on,
        status=CatalogueStatus.PUBLISHED,
        imported_by=maker,
        published_by=checker,
        published_at=timezone.now(),
    )
    CatalogueItem.objects.create(version=version, kind="item", code=code, name="测试项目", cls=cls)
    return version


def _policy_from(on: date, *, inpatient_level2_pct: str, bureau_admin, bureau_checker):
    import json
    from pathlib import Path

    from pooling.models import PolicyStatus, PolicyVersion

    path = Path(__file__).resolve().parents[2] / "pooling/policy/documents/demo-2026.json"
    doc = json.loads(path.read_text("utf-8"))
    for rule in doc["benefits"]["inpatient"]:
        if (rule["scheme"], rule["category"], rule["hospital_level"]) == (
            "employee",
            "in_service",
            "level2",
        ):
            rule["ratio_pct"] = inpatient_level2_pct
    doc.update(code=f"T{on:%Y%m%d}", effective_from=on.isoformat())
    PolicyVersion.objects.create(
        code=doc["code"],
        title="测试政策",
        effective_from=on,
        document=doc,
        status=PolicyStatus.PUBLISHED,
        drafted_by=bureau_admin,
        approved_by=bureau_checker,
        published_at=timezone.now(),
    )
    return doc["code"]


def test_a_stay_across_version_changes_takes_each_lines_catalogue_and_the_discharge_policy(
    hsa, people, bureau_admin, bureau_checker
):
    person = people.employee
    today = timezone.localdate()
    stay = ok(
        hsa.post(
            "2401",
            {
                "mdtrtinfo": {
                    "psn_no": psn(person),
                    "insutype": "310",
                    "med_type": "21",
                    "begntime": today_at("10:00:00", 3),
                }
            },
        )
    )["result"]["mdtrt_id"]
    # From yesterday the catalogue moves SERVICE out (丙类); from today inpatient care at a
    # 二级 hospital is paid 50 % instead of 88 %.
    _catalogue_from(
        today - timedelta(days=1), SERVICE, "C", maker=bureau_admin, checker=bureau_checker
    )
    code = _policy_from(
        today, inpatient_level2_pct="50", bureau_admin=bureau_admin, bureau_checker=bureau_checker
    )

    def line(sn, days, price):
        return {
            "feedetl_sn": sn,
            "mdtrt_id": stay,
            "psn_no": psn(person),
            "fee_ocur_time": today_at("09:00:00", days),
            "med_list_codg": SERVICE,
            "det_item_fee_sumamt": price,
            "cnt": "1",
            "pric": price,
        }

    result = ok(hsa.post("2301", {"feedetail": [line("V1", 2, "1000.00"), line("V2", 0, "30.00")]}))
    assert [r["chrgitm_lv"] for r in result["result"]] == ["01", "03"]  # A before, C after
    ok(hsa.post("2402", {"dscginfo": {"mdtrt_id": stay, "endtime": today_at("08:00:00")}}))
    info = ok(
        hsa.post(
            "2304",
            {"data": {"psn_no": psn(person), "mdtrt_id": stay, "medfee_sumamt": "1030.00"}},
        )
    )["setlinfo"]
    # In scope 1,000.00 (the class-A line); 30.00 outside the catalogue. First admission:
    # deductible 800.00; (1,000.00 − 800.00) × 50 % = 100.00 under the policy of the discharge date.
    assert info["fulamt_ownpay_amt"] == Decimal("30.00")
    assert info["act_pay_dedc"] == Decimal("800.00")
    assert info["hifp_pay"] == Decimal("100.00")
    with unrestricted():
        assert Settlement.objects.get(kind="settle").policy_code == code


def test_an_outpatient_visit_of_yesterday_settled_today_keeps_yesterdays_versions(
    hsa, people, bureau_admin, bureau_checker
):
    person = people.employee
    mdtrt_id = visit_with_a_line(hsa, person, days=1)  # class A yesterday: 20.00 in scope
    today = timezone.localdate()
    _catalogue_from(today, SERVICE, "C", maker=bureau_admin, checker=bureau_checker)
    _policy_from(
        today, inpatient_level2_pct="50", bureau_admin=bureau_admin, bureau_checker=bureau_checker
    )
    info = ok(hsa.settle(mdtrt_id, person, "20.00"))["setlinfo"]
    assert info["fulamt_ownpay_amt"] == Decimal("0.00") and info["inscp_scp_amt"] == Decimal(
        "20.00"
    )
    with unrestricted():
        assert Settlement.objects.get(kind="settle").policy_code != f"T{today:%Y%m%d}"


# -- reversal --------------------------------------------------------------------------------


def test_a_2601_restores_account_and_accumulators_exactly_and_2208_then_finds_it_reversed(
    hsa, people
):
    person = people.employee
    mdtrt_id = visit_with_a_line(hsa, person)
    balance = account.balance(person=person)
    msgid = hsa.msgid()
    payload = hsa.settle_payload(mdtrt_id, person, "20.00", acct=True)
    info = ok(hsa.post("2207", payload, msgid=msgid))["setlinfo"]
    # Outpatient, employee: 600.00 deductible not met, so the account pays all 20.00.
    assert info["acct_pay"] == Decimal("20.00") and info["act_pay_dedc"] == Decimal("20.00")
    assert account.balance(person=person) == balance - 2000
    memo = ok(
        hsa.post("2601", {"data": {"psn_no": psn(person), "omsgid": msgid, "oinfno": "2207"}})
    )
    assert memo["data"]["memo"] == "冲正成功"
    assert account.balance(person=person) == balance
    with unrestricted():
        acc = Accumulator.objects.get(person=person, scheme="employee")
    assert acc.deductible_paid == {"outpatient": 0} and acc.fund_paid == {"outpatient": 0}
    assert acc.settlements == 0
    refused(hsa.post("2208", {"data": {"setl_id": info["setl_id"]}}), "已撤销")
    # The settling message again: its stored answer, not a second settlement.
    again = ok(hsa.post("2207", payload, msgid=msgid))["setlinfo"]
    assert again["setl_id"] == info["setl_id"]
    with unrestricted():
        assert Settlement.objects.count() == 2


# -- exactly once across time ----------------------------------------------------------------


def test_a_message_replayed_weeks_later_gets_its_stored_answer_or_a_refusal(
    hsa, people, monkeypatch
):
    person = people.employee
    mdtrt_id = visit_with_a_line(hsa, person)
    msgid = hsa.msgid()
    payload = hsa.settle_payload(mdtrt_id, person, "20.00")
    first = ok(hsa.post("2207", payload, msgid=msgid))["setlinfo"]
    # Three weeks on (the next month): the provider's system signs in again and replays it.
    later = timezone.now() + timedelta(days=21)
    monkeypatch.setattr(timezone, "now", lambda: later)
    answer = hsa.post("9001", {"signIn": {"opter_no": "001"}})
    hsa.sign_no = ok(answer)["signinoutb"]["sign_no"]
    before = counts()
    again = ok(hsa.post("2207", payload, msgid=msgid))["setlinfo"]
    assert again["setl_id"] == first["setl_id"] and again["hifp_pay"] == first["hifp_pay"]
    changed = hsa.settle_payload(mdtrt_id, person, "20.00", acct=True)
    refused(hsa.post("2207", changed, msgid=msgid), "msgid")
    assert counts() == before


# -- a settlement's consistency with its visit ------------------------------------------------


def test_a_settlement_naming_another_med_type_than_its_visit_is_refused(hsa, people):
    """Registered as 普通门诊 (11): a 2207 saying 门诊慢特病 (14) would otherwise be settled
    as 11 with the provider believing it was 14 (2203 changes a visit's med_type)."""
    mdtrt_id = visit_with_a_line(hsa, people.employee)
    payload = hsa.settle_payload(mdtrt_id, people.employee, "20.00")
    payload["data"]["med_type"] = "14"
    before = counts()
    answer = refused(hsa.post("2207", payload), "med_type=14", "11")
    assert "differs from the medical type 11" in answer["err_msg_en"]
    refused(hsa.post("2206", payload), "med_type")
    assert counts() == before


def test_a_settlement_without_fee_details_is_refused(hsa, people):
    mdtrt_id = ok(hsa.post("2201", registration(hsa, people.employee)))["data"]["mdtrt_id"]
    before = counts()
    refused(hsa.settle(mdtrt_id, people.employee, "0.00"), "费用明细")
    assert counts() == before


# -- credentials -----------------------------------------------------------------------------


def test_a_credential_revoked_mid_day_stops_its_system_and_its_sign_in(hsa, people, clerk_a):
    from settlement.models import Credential
    from settlement.services.credentials import credential_issue, credential_revoke

    mdtrt_id = visit_with_a_line(hsa, people.employee)
    with unrestricted():
        credential = Credential.objects.get(provider=hsa.provider)
    credential_revoke(credential=credential, reason="密钥泄露", actor=clerk_a)
    before = counts()
    refused(hsa.settle(mdtrt_id, people.employee, "20.00"), "密钥")
    # A new key for the provider: the leaked key's sign-in of this morning is not the new key's.
    hsa.token = credential_issue(provider=hsa.provider, label="HIS2", actor=clerk_a).token
    refused(hsa.settle(mdtrt_id, people.employee, "20.00"), "sign_no")
    assert counts() == before


# -- maternity -------------------------------------------------------------------------------


def test_the_maternity_scheme_settles_maternity_care_only(hsa, people):
    """510 with ordinary outpatient care (11) has no maternity sum to pay: it was registered, then
    refused at settlement naming an internal field (maternity_kind)."""
    before = counts()
    answer = hsa.post("2201", registration(hsa, people.employee, insutype="510", med_type="11"))
    refused(answer, "insutype=510", "med_type=11")
    assert "settles only maternity" in answer["err_msg_en"]
    assert counts() == before


def test_maternity_care_is_not_settled_for_a_man_even_when_2203_changes_the_med_type(hsa, people):
    man = people.employee  # tests/enrollment/factories.person: male unless told otherwise
    before = counts()
    answer = refused(hsa.post("2201", registration(hsa, man, med_type="51")), "男性", "med_type=51")
    assert "is male" in answer["err_msg_en"]
    assert counts() == before
    mdtrt_id = visit_with_a_line(hsa, man)
    ok(hsa.post("2203", {"mdtrtinfo": {"mdtrt_id": mdtrt_id, "med_type": "51"}}))
    before = counts()
    refused(hsa.settle(mdtrt_id, man, "20.00", med_type="51"), "男性")
    assert counts() == before


def test_a_womans_prenatal_visit_is_paid_by_the_maternity_fund(hsa, people, county_a):
    from pooling.kernel.choices import Scheme
    from tests.enrollment import factories as ef

    woman = ef.person(county_a, "职工丁", male=False, birth=date(1994, 2, 1))
    with unrestricted():
        Enrolment.objects.create(
            county=county_a,
            person=woman,
            scheme=Scheme.EMPLOYEE,
            employer=ef.employer(county_a, "盐城另一有限公司"),
            start_month=date(2025, 1, 1),
            benefits_from=date(2025, 1, 1),
        )
    mdtrt_id = visit_with_a_line(hsa, woman, med_type="51")
    output = ok(hsa.settle(mdtrt_id, woman, "20.00", med_type="51"))
    info = output["setlinfo"]
    # Prenatal checks: paid in full up to the 1,000.00 sum of the demo policy: 20.00 × 100 %.
    assert info["hifp_pay"] == Decimal("20.00") and info["psn_cash_pay"] == Decimal("0.00")
    assert [d["fund_pay_type"] for d in output["setldetail"]] == ["510100"]  # the maternity book


def test_an_unknown_delivery_type_is_refused_on_the_interface_and_in_the_service(hsa, people):
    # matn_type is 1 顺产 or 2 剖宫产: "3" was read as 顺产 and paid its sum.
    from settlement.hsa.shapes import visit_from
    from settlement.services.settle import SettleInput, settlement_quote

    mdtrt_id = visit_with_a_line(hsa, people.employee)
    payload = hsa.settle_payload(mdtrt_id, people.employee, "20.00")
    payload["data"]["matn_type"] = "3"
    before = counts()
    refused(hsa.post("2207", payload), "matn_type", "1/2")
    assert counts() == before
    with unrestricted():
        visit = visit_from({"mdtrt_id": mdtrt_id})
    with pytest.raises(BusinessRuleError) as refusal:
        settlement_quote(data=SettleInput(visit=visit, acct_used=False, delivery="3"))
    assert refusal.value.field == "matn_type" and "剖宫产" in refusal.value.text("zh-hans")

"""The rules fixed for the national interface hold on the other channels too (issue 12): claims by
file (批量结算), the REST resource /api/v1/settlements/settle/ and 零星报销 entered by a clerk.

(1) a provider not in performance today settles nothing, even earlier care — file and REST
    (n.a. to 零星报销: the person paid a provider outside the city's agreements);
(2) maternity care (51/52) is a woman's, and insutype 510 settles maternity care only;
(3) each fee line keeps the class of the catalogue in force on its own date.
World: tests/settlement/conftest.py; SERVICE is a class-A item of the demo catalogue.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import unrestricted
from providers.choices import State
from providers.models import ProviderEvent
from settlement.models import FeeDetail, Reimbursement, Settlement, Visit
from settlement.services.reimbursement import Item, reimbursement_enter
from tests.enrollment.imports.helpers import commit, preview
from tests.settlement.hsa_client import psn
from tests.settlement.test_claims_by_file import csv, day, rows_for
from tests.settlement.test_rt_review import (
    SERVICE,
    _catalogue_from,
    counts,
    ok,
    today_at,
    visit_with_a_line,
)


def suspend_from_today(provider):
    return ProviderEvent.objects.create(
        provider=provider,
        action="suspend",
        from_state=State.PERFORMING,
        to_state=State.SUSPENDED,
        effective_on=timezone.localdate(),
        reason="暂停",
    )


def nothing_written():
    with unrestricted():
        return not Visit.objects.exists() and not Settlement.objects.exists()


def refused_file(clerk, rows):
    """The preview's problems as {(row, column): reason}; the commit refuses; nothing written."""
    batch = preview(clerk, "settlement_claims", csv(rows))
    problems = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    with pytest.raises(BusinessRuleError):
        commit(batch)
    assert nothing_written()
    return problems


def outpatient_row(hospital, person, *, insutype="310", med_type="11", visit_no="MZ7", days=2):
    return [
        hospital.national_code,
        visit_no,
        person.id_number,
        insutype,
        med_type,
        f"{day(days)} 09:00:00",
        "",
        "",
        "0",
        "1",
        SERVICE,
        "诊查费",
        "1",
        "20.00",
        "20.00",
        f"{day(days)} 09:10:00",
    ]


# -- claims by file ---------------------------------------------------------------------------


def test_file_a_provider_suspended_today_settles_no_earlier_visit(hospital, people, clerk_a):
    # The visits are of 2 and 5–1 days ago, when the agreement held; from today it is suspended.
    suspend_from_today(hospital)
    problems = refused_file(clerk_a, rows_for(hospital, people))
    # Row 2 opens visit MZ1 (rows 2–3), row 4 visit ZY1: each named at the provider's column.
    for row in (2, 4):
        reason = problems[(row, "定点机构编码")]
        assert hospital.national_code in reason and timezone.localdate().isoformat() in reason


def test_file_maternity_care_is_a_womans_and_510_settles_maternity_only(hospital, people, clerk_a):
    man = people.employee  # factories.person: male unless told otherwise
    rows = [
        *rows_for(hospital, people),  # rows 2–4: a clean outpatient visit and a stay
        outpatient_row(hospital, man, med_type="51", visit_no="SY1"),  # row 5
        outpatient_row(hospital, man, insutype="510", med_type="11", visit_no="SY2"),  # row 6
    ]
    problems = refused_file(clerk_a, rows)
    assert "男性" in problems[(5, "医疗类别")] and "med_type=51" in problems[(5, "医疗类别")]
    assert "insutype=510" in problems[(6, "医疗类别")]
    assert set(problems) == {(5, "医疗类别"), (6, "医疗类别")}, problems


def test_file_a_stay_across_a_catalogue_change_keeps_each_lines_class(
    hospital, people, clerk_a, bureau_admin, bureau_checker
):
    # From yesterday the catalogue moves SERVICE to 丙类: the line of 2 days ago stays 甲类.
    _catalogue_from(
        timezone.localdate() - timedelta(days=1),
        SERVICE,
        "C",
        maker=bureau_admin,
        checker=bureau_checker,
    )
    person = people.employee

    def line(sn, days, price):
        return [
            hospital.national_code,
            "ZY9",
            person.id_number,
            "310",
            "21",
            f"{day(3)} 10:00:00",
            f"{day(0)} 08:00:00",
            "",
            "0",
            sn,
            SERVICE,
            "",
            "1",
            price,
            price,
            f"{day(days)} 07:00:00",
        ]

    batch = preview(
        clerk_a, "settlement_claims", csv([line("V1", 2, "1000.00"), line("V2", 0, "30.00")])
    )
    assert batch.error_count == 0, batch.errors
    assert commit(batch).status == "committed"
    with unrestricted():
        assert list(FeeDetail.objects.order_by("feedetl_sn").values_list("cls", flat=True)) == [
            "A",
            "C",
        ]
        row = Settlement.objects.get()
    # 30.00 (the 丙类 line of today) is paid wholly by the person; 1,000.00 (甲类) is in scope.
    assert row.fulamt_ownpay_amt == 3000 and row.inscp_scp_amt == 100000


# -- the REST resource ------------------------------------------------------------------------


def api_settle(clerk, mdtrt_id, **extra):
    client = Client()
    client.force_login(clerk)
    return client.post(
        "/api/v1/settlements/settle/",
        {"mdtrt_id": mdtrt_id, **extra},
        content_type="application/json",
    )


def test_api_a_provider_suspended_today_settles_not_even_yesterdays_visit(hsa, people, clerk_a):
    mdtrt_id = visit_with_a_line(hsa, people.employee, days=1)
    event = suspend_from_today(hsa.provider)
    before = counts()
    for extra in ({"quote_only": True}, {}):
        answer = api_settle(clerk_a, mdtrt_id, **extra)
        assert answer.status_code == 400, answer.content
        body = answer.json()
        assert body["code"] == "provider_not_settleable" and body["field"] == "fixmedins_code"
        assert timezone.localdate().isoformat() in body["detail_zh"] and body["detail_en"]
    assert counts() == before
    event.delete()
    assert api_settle(clerk_a, mdtrt_id).status_code == 201  # resumed: the same request settles


def test_api_maternity_care_is_not_settled_for_a_man(hsa, people, clerk_a):
    man = people.employee
    mdtrt_id = visit_with_a_line(hsa, man)
    ok(hsa.post("2203", {"mdtrtinfo": {"mdtrt_id": mdtrt_id, "med_type": "51"}}))
    before = counts()
    answer = api_settle(clerk_a, mdtrt_id)
    assert answer.status_code == 400 and answer.json()["code"] == "not_maternal", answer.content
    assert "男性" in answer.json()["detail_zh"] and answer.json()["field"] == "med_type"
    assert counts() == before


def test_api_510_settles_maternity_care_only(hsa, people, clerk_a, county_a):
    from datetime import date

    from enrollment.models import Enrolment
    from pooling.kernel.choices import Scheme
    from tests.enrollment import factories as ef

    woman = ef.person(county_a, "职工戊", male=False, birth=date(1994, 2, 1))
    with unrestricted():
        Enrolment.objects.create(
            county=county_a,
            person=woman,
            scheme=Scheme.EMPLOYEE,
            employer=ef.employer(county_a, "盐城第三有限公司"),
            start_month=date(2025, 1, 1),
            benefits_from=date(2025, 1, 1),
        )
    mdtrt_id = visit_with_a_line(hsa, woman, insutype="510", med_type="51")
    # 2203 turns the prenatal visit into ordinary outpatient care (11) under 510.
    ok(hsa.post("2203", {"mdtrtinfo": {"mdtrt_id": mdtrt_id, "med_type": "11"}}))
    before = counts()
    answer = api_settle(clerk_a, mdtrt_id)
    assert answer.status_code == 400 and answer.json()["code"] == "maternity_only", answer.content
    assert counts() == before


def test_api_a_visit_of_yesterday_keeps_yesterdays_catalogue(
    hsa, people, clerk_a, bureau_admin, bureau_checker
):
    mdtrt_id = visit_with_a_line(hsa, people.employee, days=1)  # 20.00, 甲类 yesterday
    _catalogue_from(timezone.localdate(), SERVICE, "C", maker=bureau_admin, checker=bureau_checker)
    answer = api_settle(clerk_a, mdtrt_id)
    assert answer.status_code == 201, answer.content
    assert answer.json()["inscp_scp_amt"] == 2000 and answer.json()["fulamt_ownpay_amt"] == 0


# -- 零星报销 ------------------------------------------------------------------------------------


def enter(person, clerk, *, insutype="310", med_type="11", begin_on=None, code=SERVICE):
    return reimbursement_enter(
        person=person,
        kind="ooc_registered",
        insutype=insutype,
        med_type=med_type,
        hospital_name="南京鼓楼医院",
        hospital_level="level3",
        hospital_area_code="320106",
        begin_on=begin_on or timezone.localdate() - timedelta(days=2),
        items=[Item(code, "诊查费", Decimal(1), 2000, 2000)],
        actor=clerk,
    )


@pytest.mark.parametrize(
    ("insutype", "med_type", "code", "words"),
    [("310", "51", "not_maternal", "男性"), ("510", "11", "maternity_only", "insutype=510")],
)
def test_reimbursement_maternity_rules(catalogue, people, clerk_a, insutype, med_type, code, words):
    with pytest.raises(BusinessRuleError) as refused:
        enter(people.employee, clerk_a, insutype=insutype, med_type=med_type)
    error = refused.value
    assert error.code == code and error.field == "med_type" and words in error.text("zh-hans")
    assert error.text("en") != error.text("zh-hans")
    with unrestricted():
        assert not Reimbursement.objects.exists()


def test_reimbursement_items_take_the_catalogue_of_the_care_date(
    catalogue, people, clerk_a, city_agent, bureau_admin, bureau_checker
):
    from settlement.services.reimbursement import reimbursement_quote

    claim = enter(people.employee, clerk_a)  # outpatient care 2 days ago, SERVICE 甲类 then
    _catalogue_from(
        timezone.localdate() - timedelta(days=1),
        SERVICE,
        "C",
        maker=bureau_admin,
        checker=bureau_checker,
    )
    row = reimbursement_quote(claim=claim)
    assert row.inscp_scp_amt == 2000 and row.fulamt_ownpay_amt == 0


# -- (4) the second tier: 大额补充 above the basic cap, 大病保险 on the year's 合规自付 -------------
# The demo policy's figures, worked out by hand in tests/settlement/test_second_tier_views.py:
# employee, 二级: a first stay of 500,000.00 → (500,000.00 − 800.00) × 88 % = 439,296.00, leaving
# 10,704.00 of the 450,000.00 cap; a later stay of 20,000.00 → base 19,600.00, the cap reached at
# 10,704.00 ÷ 88 % → 12,163.64, 7,436.36 above it × 90 % = 6,692.72 大额补充; cash 20,000.00 −
# 10,704.00 − 6,692.72 = 2,603.28. Resident, 二级: 500,000.00 → (500,000.00 − 600.00) × 70 % =
# 349,580.00, cut to the 300,000.00 cap; 合规自付 200,000.00, 185,000.00 above 15,000.00 → 60 % ×
# 100,000.00 + 70 % × 85,000.00 = 119,500.00 大病保险; cash 80,500.00.
LATER_EMPLOYEE_STAY = (1070400, 669272, 0, 260328)  # hifp, hifob, hifmi, cash (fen)
RESIDENT_STAY = (30000000, 0, 11950000, 8050000)


def tiers(row):
    return (row.hifp_pay, row.hifob_pay, row.hifmi_pay, row.psn_cash_pay)


def test_file_pays_the_second_tier_as_the_interface_does(hospital, people, clerk_a):
    from tests.settlement.test_hand_computed import BLOOD

    def stay(visit_no, person, insutype, quantity):
        return [
            hospital.national_code,
            visit_no,
            person.id_number,
            insutype,
            "21",
            f"{day(3)} 10:00:00",
            f"{day(0)} 08:00:00",
            "",
            "0",
            "1",
            BLOOD,
            "",
            str(quantity),
            "1000.00",
            f"{quantity * 1000}.00",
            f"{day(2)} 09:00:00",
        ]

    rows = [
        stay("ZYA", people.employee, "310", 500),
        stay("ZYB", people.employee, "310", 20),  # settled after ZYA, in the same file
        stay("ZYC", people.resident, "390", 500),
    ]
    batch = preview(clerk_a, "settlement_claims", csv(rows))
    assert batch.error_count == 0, batch.errors
    assert commit(batch).status == "committed"
    with unrestricted():
        first, later, resident = Settlement.objects.order_by("id")
    assert first.hifp_pay == 43929600
    assert tiers(later) == LATER_EMPLOYEE_STAY
    assert tiers(resident) == RESIDENT_STAY


def test_api_pays_the_second_tier_as_the_interface_does(hsa, people, clerk_a):
    from tests.settlement.test_hand_computed import BIG, OVER, admitted

    admitted(hsa, people.employee, BIG, "500000.00")  # the first stay, by the interface
    later = api_settle(clerk_a, hsa.stay(people.employee, OVER))
    resident = api_settle(clerk_a, hsa.stay(people.resident, BIG, insutype="390"))
    for answer, expected in ((later, LATER_EMPLOYEE_STAY), (resident, RESIDENT_STAY)):
        assert answer.status_code == 201, answer.content
        body = answer.json()
        got = (body["hifp_pay"], body["hifob_pay"], body["hifmi_pay"], body["psn_cash_pay"])
        assert got == expected


def test_reimbursement_pays_critical_illness_on_the_years_eligible_self_payment(
    catalogue, people, clerk_b, city_agent
):
    from settlement.services.reimbursement import reimbursement_decide
    from tests.settlement.test_hand_computed import BLOOD

    today = timezone.localdate()
    claim = reimbursement_enter(
        person=people.resident,
        kind="local",  # a local stay not settled online: no out-of-city reduction
        insutype="390",
        med_type="21",
        hospital_name="盐城市第二人民医院",
        hospital_level="level2",
        begin_on=today - timedelta(days=8),
        end_on=today - timedelta(days=2),
        items=[Item(BLOOD, "血常规", Decimal(500), 100000, 50000000)],
        actor=clerk_b,  # the resident is 盐都区's
    )
    claim = reimbursement_decide(claim=claim, approve=True, note="同意", actor=city_agent)
    with unrestricted():
        row = Settlement.objects.get(pk=claim.settlement_id, month=claim.settlement_month)
    assert tiers(row) == RESIDENT_STAY
    assert claim.payable_fen == 30000000 + 11950000


# -- a file's report names the row at fault, not only its visit's first row -------------------


def test_file_names_the_row_of_the_line_or_the_cell_at_fault(hospital, people, clerk_a):
    rows = rows_for(hospital, people)  # rows 2–3: visit MZ1; row 4: stay ZY1
    rows[1][15] = f"{day(3)} 09:00:00"  # row 3's line the day before the visit began
    problems = refused_file(clerk_a, rows)
    assert list(problems) == [(3, "费用发生时间")], problems

    rows = rows_for(hospital, people)
    rows[1][4] = "13"  # row 3 names another medical type than its visit's first row
    problems = refused_file(clerk_a, rows)
    assert list(problems) == [(3, "医疗类别")], problems


def inpatient_claim(person, clerk, items):
    today = timezone.localdate()
    return reimbursement_enter(
        person=person,
        kind="local",
        insutype="310",
        med_type="21",
        hospital_name="盐城市第二人民医院",
        hospital_level="level2",
        begin_on=today - timedelta(days=8),
        end_on=today - timedelta(days=2),
        items=items,
        actor=clerk,
    )


def test_reimbursement_a_stay_across_a_catalogue_change_keeps_each_items_class(
    catalogue, people, clerk_a, bureau_admin, bureau_checker
):
    from settlement.services.reimbursement import reimbursement_quote

    today = timezone.localdate()
    # From 4 days ago SERVICE is 丙类; the stay ran from 8 to 2 days ago.
    _catalogue_from(
        today - timedelta(days=4), SERVICE, "C", maker=bureau_admin, checker=bureau_checker
    )
    before = Item(SERVICE, "诊查费", Decimal(1), 2000, 2000, on=today - timedelta(days=6))
    after = Item(SERVICE, "诊查费", Decimal(1), 3000, 3000, on=today - timedelta(days=3))
    undated = Item(SERVICE, "诊查费", Decimal(1), 500, 500)  # no date: the discharge date's
    row = reimbursement_quote(
        claim=inpatient_claim(people.employee, clerk_a, [before, after, undated])
    )
    # 20.00 甲类 on its day; 30.00 and 5.00 丙类 (the catalogue of 3 and 2 days ago): 35.00 own.
    assert row.inscp_scp_amt == 2000 and row.fulamt_ownpay_amt == 3500


def test_reimbursement_refuses_an_item_dated_outside_the_stay(catalogue, people, clerk_a):
    today = timezone.localdate()
    late = Item(SERVICE, "诊查费", Decimal(1), 2000, 2000, on=today - timedelta(days=1))
    with pytest.raises(BusinessRuleError) as refused:
        inpatient_claim(people.employee, clerk_a, [late])
    error = refused.value
    assert error.field == "items" and "第 1 项" in error.text("zh-hans")
    assert (today - timedelta(days=1)).isoformat() in error.text("en")
    assert error.text("en") != error.text("zh-hans")


def test_reimbursement_page_takes_an_items_date(catalogue, people, client_for, clerk_a):
    today = timezone.localdate()
    form = {
        "person": people.employee.id_number,
        "kind": "local",
        "insutype": "310",
        "med_type": "21",
        "hospital_name": "市一院",
        "hospital_level": "level2",
        "begin_on": (today - timedelta(days=8)).isoformat(),
        "end_on": (today - timedelta(days=2)).isoformat(),
        "item-TOTAL_FORMS": "1",
        "item-INITIAL_FORMS": "0",
        "item-MIN_NUM_FORMS": "0",
        "item-MAX_NUM_FORMS": "200",
        "item-0-code": SERVICE,
        "item-0-name": "诊查费",
        "item-0-quantity": "1",
        "item-0-price": "20.00",
        "item-0-on": (today - timedelta(days=1)).isoformat(),  # after the discharge
    }
    client = client_for(clerk_a)
    page = client.post("/settlement/reimbursements/new/", form)
    assert page.status_code == 200 and "不在就诊期间" in page.content.decode()
    form["item-0-on"] = (today - timedelta(days=6)).isoformat()
    assert client.post("/settlement/reimbursements/new/", form).status_code == 302
    with unrestricted():
        assert Reimbursement.objects.get().items[0]["on"] == form["item-0-on"]


def employed_woman(county, name: str, employer: str):
    """A woman in service with her own employer, insured since 2025-01 (maternity care is hers)."""
    from datetime import date

    from enrollment.models import Enrolment
    from pooling.kernel.choices import Scheme
    from tests.enrollment import factories as ef

    woman = ef.person(county, name, male=False, birth=date(1994, 2, 1))
    with unrestricted():
        Enrolment.objects.create(
            county=county,
            person=woman,
            scheme=Scheme.EMPLOYEE,
            employer=ef.employer(county, employer),
            start_month=date(2025, 1, 1),
            benefits_from=date(2025, 1, 1),
        )
    return woman


def test_api_settles_a_caesarean_with_its_own_sum(hsa, people, clerk_a, county_a):
    from tests.settlement.test_hand_computed import BLOOD

    woman = employed_woman(county_a, "职工己", "盐城第四有限公司")
    admission = {"psn_no": psn(woman), "insutype": "310", "med_type": "52"}
    admission["begntime"] = today_at("10:00:00", 3)
    mdtrt_id = ok(hsa.post("2401", {"mdtrtinfo": admission}))["result"]["mdtrt_id"]
    line = {"feedetl_sn": "D1", "mdtrt_id": mdtrt_id, "psn_no": psn(woman), "med_list_codg": BLOOD}
    line.update(fee_ocur_time=today_at("09:00:00", 2), cnt="5", pric="1000.00")
    ok(hsa.post("2301", {"feedetail": [{**line, "det_item_fee_sumamt": "5000.00"}]}))
    ok(hsa.post("2402", {"dscginfo": {"mdtrt_id": mdtrt_id, "endtime": today_at("08:00:00")}}))
    # The demo policy's delivery sums, each paid up to the stay's 5,000.00: 顺产 2,000.00,
    # 剖宫产 3,500.00 — as 2207's matn_type says it on the national interface.
    quote = api_settle(clerk_a, mdtrt_id, quote_only=True, matn_type="1")
    assert quote.status_code == 200 and quote.json()["hifp_pay"] == 200000, quote.content
    settled = api_settle(clerk_a, mdtrt_id, matn_type="2")
    assert settled.status_code == 201 and settled.json()["hifp_pay"] == 350000, settled.content
    assert api_settle(clerk_a, mdtrt_id, matn_type="3").status_code == 400


def test_file_settles_a_caesarean_with_its_own_sum(hospital, people, clerk_a, county_a):
    from tests.settlement.test_claims_by_file import HEADER
    from tests.settlement.test_hand_computed import BLOOD

    woman = employed_woman(county_a, "职工庚", "盐城第五有限公司")

    def delivery_file(kind):
        row = [
            hospital.national_code,
            "FM1",
            woman.id_number,
            "310",
            "52",
            f"{day(3)} 10:00:00",
            f"{day(0)} 08:00:00",
            "",
            "0",
            "1",
            BLOOD,
            "",
            "5",
            "1000.00",
            "5000.00",
            f"{day(2)} 09:00:00",
            kind,
        ]
        return f"{HEADER},生育类别\n{','.join(row)}\n".encode()

    batch = preview(clerk_a, "settlement_claims", delivery_file("3"))
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "生育类别")], batch.errors
    batch = preview(clerk_a, "settlement_claims", delivery_file("2"))
    assert batch.error_count == 0, batch.errors
    assert commit(batch).status == "committed"
    with unrestricted():
        # 剖宫产: the demo policy's 3,500.00, within the stay's 5,000.00 (顺产 would be 2,000.00).
        assert Settlement.objects.get().hifp_pay == 350000

"""The clerk's settlement pages: lists, the detail with its explanation, printing, reversing with a
reason, credentials — county-scoped."""

from __future__ import annotations

import re

import pytest

from settlement.models import Credential, Settlement


@pytest.fixture
def settled(hsa, people):
    person = people.resident
    mdtrt_id = hsa.register(person, insutype="390")
    hsa.fees(mdtrt_id, person, [("001102000000100", "1", "200.00")])
    info = hsa.settle(mdtrt_id, person, "200.00", insutype="390")["output"]["setlinfo"]
    return info["setl_id"]


def test_it_lists_and_explains_a_settlement_to_both_counties_clerks(
    settled, client_for, clerk_a, clerk_b
):
    # clerk_a handles the hospital; clerk_b's county is the resident's: both see it.
    for clerk in (clerk_a, clerk_b):
        client = client_for(clerk)
        page = client.get("/settlement/settlements/").content.decode()
        assert settled in page
        detail = client.get(f"/settlement/s/{settled}/").content.decode()
        assert "起付标准" in detail and "居民丙" in detail
        assert client.get(f"/settlement/s/{settled}/print/").status_code == 200


def test_it_hides_a_settlement_from_a_third_county(settled, client_for, regions):
    from pooling.kernel.choices import Role
    from pooling.kernel.regions import StaffSpec, staff_ensure

    outsider = staff_ensure(
        spec=StaffSpec("clerk_c", Role.COUNTY_CLERK, "c", "320904"), password="x-pass-2026"
    )
    client = client_for(outsider)
    assert settled not in client.get("/settlement/settlements/").content.decode()
    assert client.get(f"/settlement/s/{settled}/").status_code == 404
    assert client.post(f"/settlement/s/{settled}/reverse/", {"reason": "x"}).status_code == 404


def test_it_reverses_with_a_reason_and_shows_the_history(settled, client_for, clerk_a, auditor):
    client = client_for(clerk_a)
    page = client.get(f"/settlement/s/{settled}/").content.decode()
    assert "confirm(" in page and 'name="reason"' in page
    refused = client.post(
        f"/settlement/s/{settled}/reverse/", {"reason": " "}, follow=True
    ).content.decode()
    assert "请填写撤销原因" in refused and Settlement.objects.count() == 1
    done = client.post(
        f"/settlement/s/{settled}/reverse/", {"reason": "收费有误"}, follow=True
    ).content.decode()
    assert "收费有误" in done and Settlement.objects.filter(kind="reverse").count() == 1
    original = client.get(f"/settlement/s/{settled}/").content.decode()
    assert "已撤销" in original and 'name="reason"' not in original
    assert (
        'name="reason"' not in client_for(auditor).get(f"/settlement/s/{settled}/").content.decode()
    )


def test_it_issues_a_credential_once_and_revokes_it_with_a_reason(
    hsa, client_for, clerk_a, clerk_b
):
    client = client_for(clerk_a)
    url = f"/settlement/providers/{hsa.provider.pk}/credentials/"
    page = client.post(url + "issue/", {"label": "新HIS"}, follow=True).content.decode()
    shown = re.search(r'<code id="issued-token">([^<]+)</code>', page)
    assert shown is not None, page
    token = shown.group(1)
    assert token.startswith("K") and "." in token
    assert token not in client.get(url).content.decode()  # shown once
    credential = Credential.objects.get(label="新HIS")
    client.post(url + "revoke/", {"credential": credential.pk, "reason": "泄露"})
    credential.refresh_from_db()
    assert credential.status == "revoked" and credential.revoke_reason == "泄露"
    # another county's clerk cannot manage this provider's keys
    assert client_for(clerk_b).post(url + "issue/", {"label": "x"}).status_code == 404


def test_it_shows_the_years_accumulators_on_the_persons_page(settled, client_for, clerk_b, people):
    page = client_for(clerk_b).get(f"/enrollment/people/{people.resident.pk}/").content.decode()
    assert "待遇累计与结算" in page and settled in page


def test_it_enters_and_decides_a_reimbursement_through_the_pages(
    catalogue, people, client_for, clerk_a, city_agent
):
    from datetime import timedelta

    from django.utils import timezone

    from settlement.models import Reimbursement

    today = timezone.localdate()
    form = {
        "person": people.employee.id_number,
        "kind": "local",
        "insutype": "310",
        "med_type": "11",
        "hospital_name": "市一院",
        "hospital_level": "level2",
        "begin_on": (today - timedelta(days=2)).isoformat(),
        "item-TOTAL_FORMS": "2",
        "item-INITIAL_FORMS": "0",
        "item-MIN_NUM_FORMS": "0",
        "item-MAX_NUM_FORMS": "200",
        "item-0-code": "250101001000000",
        "item-0-name": "血常规",
        "item-0-quantity": "1",
        "item-0-price": "1000.00",
        "item-1-code": "",
        "item-1-name": "",
        "item-1-quantity": "",
        "item-1-price": "",
    }
    response = client_for(clerk_a).post("/settlement/reimbursements/new/", form)
    claim = Reimbursement.objects.get()
    assert response.status_code == 302 and claim.total_fen == 100000
    own = client_for(clerk_a).get(f"/settlement/reimbursements/{claim.pk}/").content.decode()
    assert "审核通过" not in own  # not for the clerk who entered it
    page = client_for(city_agent).get(f"/settlement/reimbursements/{claim.pk}/").content.decode()
    assert "审核通过" in page and "confirm(" in page
    assert "市一院（二级）" in page and "level2" not in page  # the level's name, not its code
    client_for(city_agent).post(
        f"/settlement/reimbursements/{claim.pk}/decide/", {"approve": "1", "note": "同意"}
    )
    claim.refresh_from_db()
    # 二级 outpatient, in service: (1,000.00 − 600.00) × 55 % = 220.00
    assert claim.status == "decided" and claim.payable_fen == 22000
    assert (
        "220.00"
        in client_for(clerk_a).get(f"/settlement/reimbursements/{claim.pk}/print/").content.decode()
    )


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_detail_names_the_codes_and_units_in_the_readers_language(settled, client_for, clerk_a):
    # The settlement is resident (390) general outpatient (11); the resident is enrolled in
    # 盐都区 (320903), the hospital is handled by 亭湖区 (320902).
    chinese = client_for(clerk_a).get(f"/settlement/s/{settled}/").content.decode()
    assert "390 城乡居民基本医疗保险" in chinese and "11 普通门诊" in chinese
    assert "盐都区（320903）" in chinese and "亭湖区（320902）" in chinese
    page = english(client_for(clerk_a)).get(f"/settlement/s/{settled}/").content.decode()
    assert "390 Urban and rural resident basic medical insurance" in page
    assert "11 General outpatient" in page
    assert "11 普通门诊" not in page and "城乡居民基本医疗保险" not in page  # item names are data


def test_a_reversed_settlements_print_says_so_in_either_language(settled, client_for, clerk_a):
    client = client_for(clerk_a)
    assert (
        'id="reversed-mark"' not in client.get(f"/settlement/s/{settled}/print/").content.decode()
    )
    client.post(f"/settlement/s/{settled}/reverse/", {"reason": "收费有误"})
    reversal = Settlement.objects.get(kind="reverse").setl_id
    printed = client.get(f"/settlement/s/{settled}/print/").content.decode()
    assert 'id="reversed-mark"' in printed and f"由撤销记录 {reversal}" in printed
    english_print = english(client).get(f"/settlement/s/{settled}/print/").content.decode()
    assert f"Revoked</strong> by cancellation record {reversal}" in english_print
    # Labels end in ": " in English, the full-width colon only in Chinese.
    assert "Scheme: Urban and rural resident basic medical insurance" in english_print
    assert "险种：城乡居民基本医疗保险" in printed and "：" not in english_print.split("<h1", 1)[1]
    # The city's name is data: it follows the English title rather than running into it.
    assert "盐城市Basic" not in english_print
    assert "Basic medical insurance expense settlement statement, 盐城市</h1>" in english_print
    detail = english(client).get(f"/settlement/s/{settled}/").content.decode()
    assert "Revoked</span> by cancellation record" in detail and "Reversed by" not in detail
    reversal_print = client.get(
        f"/settlement/s/{reversal}/print/"
    ).content.decode()  # still English
    assert (
        'id="reversed-mark"' in reversal_print and "Cancellation record</strong>" in reversal_print
    )


def test_the_persons_accumulators_name_the_scheme_and_the_care_type(
    settled, client_for, clerk_b, people
):
    url = f"/enrollment/people/{people.resident.pk}/"
    page = client_for(clerk_b).get(url).content.decode()
    panel = page.split("待遇累计与结算", 1)[1]
    # Stored as scheme "resident" and scope "outpatient": the page shows their names.
    assert "<td>城乡居民基本医疗保险</td>" in panel and "普通门诊统筹：" in panel
    assert "<td>resident</td>" not in panel and "outpatient：" not in panel
    assert "结算记录将在结算模块上线后显示于此" not in page  # the panel is here
    english_page = english(client_for(clerk_b)).get(url).content.decode()
    assert "<td>Urban and rural resident basic medical insurance</td>" in english_page


def test_the_reimbursement_forms_code_choices_follow_the_readers_language(client_for, clerk_a):
    page = english(client_for(clerk_a)).get("/settlement/reimbursements/new/").content.decode()
    assert '<option value="310" selected>Employee basic medical insurance</option>' in page
    assert '<option value="11">General outpatient</option>' in page
    assert "普通门诊" not in page


def test_the_list_names_scheme_and_medical_type(settled, client_for, clerk_a):
    # The settlement is 390 / 11: named, with the codes kept in the cell's title.
    client = client_for(clerk_a)
    page = client.get("/settlement/settlements/").content.decode()
    assert (
        '<td title="390 / 11">城乡居民基本医疗保险<br><span class="muted">普通门诊</span>' in page
    )
    english_list = english(client).get("/settlement/settlements/").content.decode()
    assert "Urban and rural resident basic medical insurance<br>" in english_list
    assert "普通门诊" not in english_list

"""The parameter form makes the same validated document as an upload, through the same maker-checker."""

from __future__ import annotations

import pytest

from pooling.models import PolicyStatus, PolicyVersion
from pooling.policy.forms import ParametersForm
from pooling.policy.parameters import document_with, parameters_of
from tests.pooling.policy.policy_docs import demo_doc

pytestmark = pytest.mark.django_db


def posted(**changes: str) -> dict[str, str]:
    """The form as the page shows it for the demo document, with some fields retyped."""
    data = {name: str(value) for name, value in ParametersForm(base=demo_doc()).initial.items()}
    assert (
        data["employee-average_monthly_wage"] == "7500.00"
        and data["benefits-inpatient-0-ratio_pct"] == "85"
    )
    return data | changes


def test_unchanged_parameters_give_back_the_base_document():
    base = demo_doc()
    assert document_with(base, {}) == base
    form = ParametersForm(posted(), base=base)
    assert form.is_valid(), form.errors
    assert form.document() == base  # "7.0" stays "7" as the same rate; everything else as it was
    assert len(parameters_of(base)) == 3 + 7 + 7 + 3 + 16 * 4 + 16 * 3


def test_the_form_drafts_what_the_json_upload_would_and_two_administrators_publish_it(
    client_for, demo_policy, bureau_admin, bureau_checker, clerk_a
):
    maker, checker = client_for(bureau_admin), client_for(bureau_checker)
    page = maker.get("/policy/parameters/").content.decode()
    assert (
        'value="7500.00"' in page
        and "上年度全市职工月平均工资" in page
        and "职工基本医疗保险 在职职工 三级" in page
    )
    assert "$." not in page.split('id="policy-parameters"')[1]  # fields in words, never paths
    response = maker.post(
        "/policy/parameters/",
        posted(
            **{
                "from": "YC-2026",
                "code": "YC-2027",
                "effective_from": "2027-01-01",
                "employee-average_monthly_wage": "7,800",
                "benefits-inpatient-0-ratio_pct": "87%",
                "resident-special_group_subsidy-tekun": "450",
            }
        ),
    )
    assert response.status_code == 302 and response["Location"] == "/policy/v/YC-2027/"
    expected = demo_doc(code="YC-2027", effective_from="2027-01-01")
    expected["employee"]["average_monthly_wage"] = "7800.00"
    expected["benefits"]["inpatient"][0]["ratio_pct"] = "87"
    expected["resident"]["special_group_subsidy"]["tekun"] = "450.00"
    draft = PolicyVersion.objects.get(code="YC-2027")
    assert (
        draft.document == expected
        and draft.status == PolicyStatus.DRAFT
        and draft.drafted_by == bureau_admin
    )
    assert 'id="edit-parameters"' in maker.get("/policy/v/YC-2027/").content.decode()
    maker.post("/policy/v/YC-2027/submit/")
    maker.post("/policy/v/YC-2027/approve/")  # the maker cannot publish their own draft
    assert PolicyVersion.objects.get(code="YC-2027").status == PolicyStatus.SUBMITTED
    checker.post("/policy/v/YC-2027/approve/")
    assert PolicyVersion.objects.get(code="YC-2027").status == PolicyStatus.PUBLISHED
    assert client_for(clerk_a).get("/policy/parameters/").status_code == 403
    clerk_page = client_for(clerk_a).get("/policy/v/YC-2027/").content.decode()
    assert (
        'id="draft-from"' not in clerk_page and 'id="edit-parameters"' not in clerk_page
    )  # no button they cannot use
    assert (
        'href="/policy/parameters/?from=YC-2027" id="draft-from"'
        in maker.get("/policy/v/YC-2027/").content.decode()
    )
    # A published version is never edited: its parameters page starts a new draft from it.
    assert (
        maker.get("/policy/v/YC-2027/parameters/")["Location"] == "/policy/parameters/?from=YC-2027"
    )


def test_refusals_show_beside_their_field_and_nothing_is_saved(
    client_for, demo_policy, bureau_admin
):
    maker = client_for(bureau_admin)
    page = maker.post(
        "/policy/parameters/",
        posted(
            **{
                "code": "YC-2027",
                "effective_from": "2027-01-01",
                "employee-base_ceiling_pct": "50",
                "benefits-outpatient_pooling-2-ratio_pct": "abc",
            }
        ),
    ).content.decode()
    assert "百分比格式不正确：abc" in page
    page = maker.post(
        "/policy/parameters/",
        posted(
            **{"code": "YC-2027", "effective_from": "2027-01-01", "employee-base_ceiling_pct": "50"}
        ),
    ).content.decode()
    assert "缴费基数上限必须高于下限" in page and 'id="id_employee-base_ceiling_pct"' in page
    page = maker.post("/policy/parameters/", posted()).content.decode()  # the base's own code
    assert "版本号 YC-2026 已存在" in page
    assert PolicyVersion.objects.count() == 1


def test_a_draft_is_edited_in_place(client_for, bureau_admin):
    from pooling.policy.services import policy_draft_import

    policy_draft_import(document=demo_doc(), actor=bureau_admin)
    response = client_for(bureau_admin).post(
        "/policy/v/YC-2026/parameters/", posted(**{"benefits-class_b_self_pay_pct": "12.5"})
    )
    assert response.status_code == 302
    version = PolicyVersion.objects.get()
    assert (
        version.document["benefits"]["class_b_self_pay_pct"] == "12.5"
        and version.status == PolicyStatus.DRAFT
    )

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from pooling.kernel.errors import BusinessRuleError
from pooling.models import PolicyStatus, PolicyVersion
from pooling.policy.document import policy_in_force
from pooling.policy.guards import PolicyVersionFrozen
from pooling.policy.services import (
    DATE_TAKEN,
    INVALID_DOCUMENT,
    NOT_EDITABLE,
    SAME_PERSON,
    PolicyDocumentInvalid,
    policy_approve_publish,
    policy_draft_import,
    policy_draft_update,
    policy_reject,
    policy_submit,
)
from tests.pooling.policy.policy_docs import demo_doc
from tests.races import blind_once

pytestmark = pytest.mark.django_db


def publish(doc, maker, checker):
    version = policy_draft_import(document=doc, actor=maker)
    policy_submit(version=version, actor=maker)
    return policy_approve_publish(version=version, actor=checker)


def test_it_saves_nothing_when_any_part_of_the_document_is_invalid(bureau_admin):
    doc = demo_doc()
    doc["benefits"]["inpatient"][5]["ratio_pct"] = "eighty"
    with pytest.raises(PolicyDocumentInvalid) as info:
        policy_draft_import(document=doc, actor=bureau_admin)
    assert info.value.message == INVALID_DOCUMENT
    assert [p.column for p in info.value.problems] == ["$.benefits.inpatient[5].ratio_pct"]
    assert "$.benefits.inpatient[5].ratio_pct" in info.value.as_dict()["detail_zh"]
    assert not PolicyVersion.objects.exists()


def test_it_publishes_only_with_a_second_bureau_admin(bureau_admin, bureau_checker):
    version = policy_draft_import(document=demo_doc(), actor=bureau_admin)
    assert version.status == PolicyStatus.DRAFT and version.drafted_by == bureau_admin
    policy_submit(version=version, actor=bureau_admin)
    with pytest.raises(BusinessRuleError) as info:
        policy_approve_publish(version=version, actor=bureau_admin)
    assert info.value.message == SAME_PERSON
    published = policy_approve_publish(version=version, actor=bureau_checker)
    assert published.status == PolicyStatus.PUBLISHED and published.approved_by == bureau_checker
    assert policy_in_force(on=date(2026, 1, 1)).code == "YC-2026"


def test_it_refuses_other_roles_at_every_step(clerk_a, city_agent, finance, auditor, bureau_admin):
    version = policy_draft_import(document=demo_doc(), actor=bureau_admin)
    policy_submit(version=version, actor=bureau_admin)
    for outsider in (clerk_a, city_agent, finance, auditor):
        with pytest.raises(PermissionDenied, match="起草、提交政策版本"):
            policy_draft_import(document=demo_doc(code="OTHER"), actor=outsider)
        with pytest.raises(PermissionDenied, match="复核发布或退回政策版本"):
            policy_approve_publish(version=version, actor=outsider)
    assert list(PolicyVersion.objects.values_list("code", "status")) == [
        ("YC-2026", PolicyStatus.SUBMITTED)
    ]


def test_an_editor_of_a_draft_becomes_its_maker(bureau_admin, bureau_checker):
    version = policy_draft_import(document=demo_doc(), actor=bureau_admin)
    policy_submit(version=version, actor=bureau_admin)
    policy_reject(version=version, actor=bureau_checker, reason="起付线请复核")
    doc = demo_doc(title="改过的标题")
    version = policy_draft_update(version=version, document=doc, actor=bureau_checker)
    policy_submit(version=version, actor=bureau_checker)
    with pytest.raises(BusinessRuleError) as info:
        policy_approve_publish(version=version, actor=bureau_checker)
    assert info.value.message == SAME_PERSON
    assert policy_approve_publish(version=version, actor=bureau_admin).title == "改过的标题"


def test_a_published_version_cannot_be_changed_through_services_or_the_orm(
    bureau_admin, bureau_checker
):
    version = publish(demo_doc(), bureau_admin, bureau_checker)
    with pytest.raises(BusinessRuleError) as info:
        policy_draft_update(version=version, document=demo_doc(title="x"), actor=bureau_admin)
    assert info.value.message == NOT_EDITABLE
    version.document = {**version.document, "title": "悄悄改"}
    with pytest.raises(PolicyVersionFrozen):
        version.save()
    # Django deletes inside atomic(savepoint=False): our own savepoint keeps the test usable.
    with pytest.raises(PolicyVersionFrozen), transaction.atomic():
        PolicyVersion.objects.get(pk=version.pk).delete()
    with pytest.raises(PolicyVersionFrozen), transaction.atomic():
        PolicyVersion.objects.filter(pk=version.pk).delete()
    assert PolicyVersion.objects.get(pk=version.pk).document["title"] == demo_doc()["title"]


RAW_CHANGES = [
    "UPDATE pooling_policyversion SET document = '{}'::jsonb WHERE id = %s",
    "UPDATE pooling_policyversion SET effective_from = '2020-01-01' WHERE id = %s",
    "UPDATE pooling_policyversion SET status = 'draft' WHERE id = %s",
    "DELETE FROM pooling_policyversion WHERE id = %s",
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger exists on PostgreSQL only")
def test_the_database_refuses_raw_sql_changes_to_a_published_version(bureau_admin, bureau_checker):
    version = publish(demo_doc(), bureau_admin, bureau_checker)
    for sql in RAW_CHANGES:
        with pytest.raises(IntegrityError, match="published policy version YC-2026"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [version.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyVersion.objects.filter(pk=version.pk).update(title="ORM update() bypasses save()")
    # A draft stays freely editable by SQL (the trigger guards published rows only).
    draft = policy_draft_import(
        document=demo_doc(code="YC-2027", effective_from="2027-01-01"), actor=bureau_admin
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pooling_policyversion SET title = 'ok' WHERE id = %s", [draft.pk])
    assert PolicyVersion.objects.get(pk=version.pk).document == demo_doc()


def test_each_date_is_judged_by_the_version_in_force_on_it(bureau_admin, bureau_checker):
    publish(demo_doc(), bureau_admin, bureau_checker)
    later = demo_doc(code="YC-2026H2", effective_from="2026-07-01")
    later["employee"]["average_monthly_wage"] = "8000.00"
    publish(later, bureau_admin, bureau_checker)
    # An unpublished draft with an earlier date never counts.
    policy_draft_import(
        document=demo_doc(code="YC-DRAFT", effective_from="2026-03-01"), actor=bureau_admin
    )
    assert policy_in_force(on=date(2026, 6, 30)).code == "YC-2026"
    assert policy_in_force(on=date(2026, 6, 30)).employee.average_monthly_wage_fen == 750_000
    assert policy_in_force(on=date(2026, 7, 1)).code == "YC-2026H2"
    assert policy_in_force(on=date(2026, 7, 1)).employee.average_monthly_wage_fen == 800_000
    assert policy_in_force(on=date(2030, 1, 1)).code == "YC-2026H2"


def test_it_refuses_two_published_versions_for_one_date(bureau_admin, bureau_checker):
    publish(demo_doc(), bureau_admin, bureau_checker)
    twin = policy_draft_import(document=demo_doc(code="YC-2026B"), actor=bureau_admin)
    policy_submit(version=twin, actor=bureau_admin)
    with pytest.raises(BusinessRuleError) as info:
        policy_approve_publish(version=twin, actor=bureau_checker)
    assert info.value.message == DATE_TAKEN


def test_it_names_the_version_published_for_the_date_meanwhile(
    bureau_admin, bureau_checker, monkeypatch
):
    from pooling.kernel import review  # the maker-checker policy and catalogues share

    publish(demo_doc(), bureau_admin, bureau_checker)
    twin = policy_draft_import(document=demo_doc(code="YC-2026B"), actor=bureau_admin)
    policy_submit(version=twin, actor=bureau_admin)
    blind_once(
        monkeypatch, review, "_check_date_free"
    )  # the other approval committed after our look
    with pytest.raises(BusinessRuleError) as info:
        policy_approve_publish(version=twin, actor=bureau_checker)
    assert info.value.message == DATE_TAKEN and "YC-2026" in info.value.text()
    twin.refresh_from_db()
    assert twin.status == PolicyStatus.SUBMITTED

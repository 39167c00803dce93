"""The checker's home page lists the policy and catalogue versions waiting for their review."""

from __future__ import annotations

import datetime as dt

import pytest

from pooling.benefits.catalogue.models import CatalogueVersion
from pooling.benefits.catalogue.services import catalogue_submit
from pooling.policy.services import policy_draft_import, policy_submit
from tests.pooling.policy.policy_docs import demo_doc

pytestmark = pytest.mark.django_db


def test_the_checker_sees_what_waits_for_review_and_the_maker_sees_it_waits_for_another(
    client_for, bureau_admin, bureau_checker, clerk_a, city_agent
):
    policy = policy_draft_import(
        document=demo_doc(code="YC-2027", effective_from="2027-01-01"), actor=bureau_admin
    )
    policy_submit(version=policy, actor=bureau_admin)
    policy_draft_import(
        document=demo_doc(code="YC-DRAFT", effective_from="2028-01-01"), actor=bureau_admin
    )
    catalogue = CatalogueVersion.objects.create(
        code="CAT-2027",
        title="2027 年目录",
        imported_by=bureau_admin,
        effective_from=dt.date(2027, 1, 1),
    )
    catalogue_submit(version=catalogue, actor=bureau_admin)

    page = client_for(bureau_checker).get("/").content.decode()
    assert "待复核政策版本" in page and 'href="/policy/v/YC-2027/"' in page
    assert "待复核医保目录版本" in page and f'href="/policy/catalogues/{catalogue.pk}/"' in page
    assert "YC-DRAFT" not in page  # a draft is not the checker's yet
    assert "bureau_admin 于" in page and "本人提交" not in page

    maker = client_for(bureau_admin).get("/").content.decode()
    assert 'href="/policy/v/YC-2027/"' in maker and "本人提交，等待另一位管理员复核" in maker

    for other in (clerk_a, city_agent):  # no review capability, no review list
        assert "待复核政策版本" not in client_for(other).get("/").content.decode()

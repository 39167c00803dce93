"""Sending a policy or catalogue version back asks first and carries the reviewer's reason."""

from __future__ import annotations

from datetime import date

import pytest

from pooling.benefits.catalogue import services as catalogue
from pooling.benefits.catalogue.importer import catalogue_import
from pooling.policy import services as policy
from tests.pooling.policy.policy_docs import demo_doc

pytestmark = pytest.mark.django_db
CATALOGUE = "目录类别,编码,名称,甲乙类\n药品,XA01ABD075A002010100483,地喹氯铵含片,甲\n".encode()


def _form(body: str, marker: str) -> str:
    start = body.index(marker)
    return body[body.rindex("<form", 0, start) : body.index("</form>", start)]


def test_rejecting_a_policy_or_catalogue_version_asks_for_confirmation_and_a_reason(
    bureau_admin, bureau_checker, client_for
):
    version = policy.policy_submit(
        version=policy.policy_draft_import(document=demo_doc(code="CONFIRM-1"), actor=bureau_admin),
        actor=bureau_admin,
    )
    checker = client_for(bureau_checker)
    form = _form(checker.get(f"/policy/v/{version.code}/").content.decode(), 'id="reject-policy"')
    assert "return confirm(" in form and 'name="reason"' in form
    draft = catalogue_import(
        data=CATALOGUE,
        filename="c.csv",
        code="CONFIRM-C",
        title="测试",
        effective_from=date(2026, 1, 1),
        actor=bureau_admin,
    )
    submitted = catalogue.catalogue_submit(version=draft, actor=bureau_admin)
    form = _form(
        checker.get(f"/policy/catalogues/{submitted.pk}/").content.decode(), 'id="reject-catalogue"'
    )
    assert "return confirm(" in form and 'name="reason" required' in form

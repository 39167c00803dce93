"""An import batch never stays 'validating' or 'committing': whatever goes wrong ends it
'failed', saying why in Chinese and English."""

from __future__ import annotations

import pytest

from enrollment.imports.kinds import DeclarationKind
from pooling.imports import services
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.kernel.errors import BusinessRuleError
from pooling.policy.document import NO_POLICY
from tests.enrollment import factories as f
from tests.enrollment.imports.helpers import commit, preview, upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def declaration_file(county_a) -> bytes:
    e = f.employee_enrolment(county_a)
    assert e.employer is not None
    return (
        "统一社会信用代码,费款所属期,身份证号码,申报工资基数（元）\n"
        f"{e.employer.credit_code},2026-01,{e.person.id_number},6500\n"
    ).encode()


def test_it_fails_a_declarations_preview_for_a_month_without_a_published_policy(
    clerk_a, declaration_file
):
    batch = preview(clerk_a, "declarations", declaration_file)
    assert batch.status == ImportStatus.FAILED
    zh = str(
        services.PREVIEW_FAILED
        % {"reason": BusinessRuleError(NO_POLICY, params={"on": "2026-01-01"}).text("zh-hans")}
    )
    assert batch.file_error.startswith(zh)
    assert " / " in batch.file_error and "2026-01-01" in batch.file_error.split(" / ")[1]
    [error] = batch.errors  # one Problem, its reason stored in both languages
    assert (error["row"], error["column"], error["code"]) == (None, "", "no_policy")
    assert f"{error['reason']} / {error['reason_en']}" == batch.file_error
    assert not batch.is_clean


def test_it_fails_a_commit_whose_rules_raise_instead_of_leaving_it_committing(
    clerk_a, declaration_file, demo_policy, monkeypatch
):
    batch = preview(clerk_a, "declarations", declaration_file)
    assert batch.is_clean

    def no_policy(self, records, ctx):
        raise BusinessRuleError(NO_POLICY, code="no_policy", params={"on": "2026-01-01"})

    monkeypatch.setattr(DeclarationKind, "write", no_policy)
    batch = commit(batch)
    assert batch.status == ImportStatus.FAILED
    assert (
        "2026-01-01" in batch.file_error
        and str(services.COMMIT_FAILED).split("：")[0] in batch.file_error
    )


def test_it_fails_the_batch_on_an_unexpected_error_and_still_reports_it(
    clerk_a, declaration_file, monkeypatch
):
    def broken(self, records, ctx):
        raise RuntimeError("bug")

    monkeypatch.setattr(DeclarationKind, "rehearse", broken)
    batch = upload(clerk_a, "declarations", declaration_file)
    with pytest.raises(RuntimeError):
        services.batch_preview(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "RuntimeError" in batch.file_error


def test_it_leaves_a_batch_a_live_runner_is_committing_alone(
    clerk_a, declaration_file, demo_policy, monkeypatch
):
    batch = preview(clerk_a, "declarations", declaration_file)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTING)
    monkeypatch.setattr(services, "_lock_batch", lambda batch_id: False)  # another worker holds it
    with pytest.raises(BusinessRuleError) as exc:
        services.batch_commit(batch_id=batch.pk)
    assert exc.value.message is services.COMMIT_IN_PROGRESS
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTING

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from pooling.models import PolicyStatus, PolicyVersion
from tests.pooling.policy.policy_docs import DEMO, demo_doc

pytestmark = pytest.mark.django_db


def test_import_then_export_gives_back_the_same_file(tmp_path, bureau_admin, bureau_checker):
    call_command(
        "import_policy", str(DEMO), "--as", "bureau_admin", "--publish-by", "bureau_checker"
    )
    version = PolicyVersion.objects.get(code="YC-2026")
    assert version.status == PolicyStatus.PUBLISHED
    assert (version.drafted_by, version.approved_by) == (bureau_admin, bureau_checker)
    out = tmp_path / "out.json"
    call_command("export_policy", "YC-2026", "-o", str(out))
    # Byte for byte: key order is restored from the schema although jsonb sorts keys.
    assert out.read_text("utf-8") == DEMO.read_text("utf-8")


def test_import_reports_every_problem_and_imports_nothing(tmp_path, bureau_admin, bureau_checker):
    doc = demo_doc()
    doc["benefits"]["out_of_city"]["unregistered_ratio_reduction_pct"] = "25"
    doc["resident"]["year"] = "2026"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(CommandError) as info:
        call_command(
            "import_policy", str(bad), "--as", "bureau_admin", "--publish-by", "bureau_checker"
        )
    assert "$.resident.year：类型应为整数" in str(info.value)
    assert not PolicyVersion.objects.exists()


def test_import_refuses_a_self_approval_and_leaves_no_draft(bureau_admin):
    with pytest.raises(CommandError, match="另一位市医保局管理员"):
        call_command(
            "import_policy", str(DEMO), "--as", "bureau_admin", "--publish-by", "bureau_admin"
        )
    assert not PolicyVersion.objects.exists()


def test_import_names_the_line_of_a_json_syntax_error(tmp_path, bureau_admin):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "code": "x",\n  oops\n}', "utf-8")
    with pytest.raises(CommandError, match="第 3:3 处"):
        call_command("import_policy", str(bad), "--as", "bureau_admin")


def test_import_county_baselines_reports_rows_and_saves_all_or_nothing(tmp_path, bureau_admin):
    from pooling.models import CountyBaselineItem
    from tests.pooling.policy.policy_docs import DEMO_BASELINES

    bad = tmp_path / "bad.csv"
    bad.write_text("区划代码,项目代码,数值\n320902,classb,abc\n", "utf-8")
    with pytest.raises(CommandError, match="第 2 行「数值」：应为数字"):
        call_command("import_county_baselines", str(bad), "--as", "bureau_admin")
    assert not CountyBaselineItem.objects.exists()
    call_command("import_county_baselines", str(DEMO_BASELINES), "--as", "bureau_admin")
    assert CountyBaselineItem.objects.count() == 12

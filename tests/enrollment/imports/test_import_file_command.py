"""manage.py import_file: the browser's preview and commit, for files too large to upload."""

from __future__ import annotations

import csv

import pytest
from django.core.management import CommandError, call_command

from enrollment.models import Person
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.kernel.scoping import unrestricted
from tests.enrollment.imports.helpers import bad_check, id_number, people_csv


def _file(tmp_path, rows):
    path = tmp_path / "人员.csv"
    path.write_bytes(people_csv(rows))
    return path


def _people() -> int:
    with unrestricted():
        return Person.objects.count()


def test_a_clean_file_is_committed_as_the_clerk(tmp_path, clerk_a, capsys):
    path = _file(
        tmp_path,
        [
            [id_number(seq=1), "张三", "在职职工", "320902"],
            [id_number(seq=2), "李四", "退休人员", ""],
        ],
    )
    call_command("import_file", "people", str(path), "--user", clerk_a.username, "--commit")
    assert "2 行，已导入 2 行" in capsys.readouterr().out
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.uploaded_by, batch.county_id) == (
        ImportStatus.COMMITTED,
        clerk_a,
        "320902",
    )
    assert _people() == 2


def test_without_commit_it_only_validates(tmp_path, clerk_a, capsys):
    call_command(
        "import_file",
        "people",
        str(_file(tmp_path, [[id_number(seq=1), "张三", "在职职工", ""]])),
        "--user",
        clerk_a.username,
    )
    assert "校验通过，未写入" in capsys.readouterr().out
    assert _people() == 0 and ImportBatch.objects.get().status == ImportStatus.PREVIEWED


def test_a_bad_row_refuses_the_whole_file_and_reports_it(tmp_path, clerk_a, capsys):
    path = _file(
        tmp_path,
        [
            [id_number(seq=1), "张三", "在职职工", "320902"],
            [bad_check(id_number(seq=2)), "李四", "在职职工", "320902"],
            [id_number(seq=3), "王五", "在职职工", "320903"],
        ],
    )
    report = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match="未通过校验"):
        call_command(
            "import_file",
            "people",
            str(path),
            "--user",
            clerk_a.username,
            "--commit",
            "--report",
            str(report),
        )
    err = capsys.readouterr().err
    assert "第 3 行  身份证号码：身份证号码校验码错误" in err
    assert (
        "第 4 行" in err and "只能导入本经办单位" in err
    )  # county B's row, refused for county A's clerk
    rows = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["行号", "列", "原因"] and [r[0] for r in rows[1:]] == ["3", "4"]
    assert _people() == 0


def test_an_unknown_user_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("import_file", "people", str(_file(tmp_path, [])), "--user", "nobody")

"""Malformed files through every door: the pages, the API and `manage.py import_file`.

For each file of the corpus (tests/pooling/imports/malformed.py): the batch ends
failed with the reader's errors (row, column, reason), no table changed, every page
and the commit answer without a 500, and the command prints the report and exits
with an error — never a traceback.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from pooling.imports import services
from pooling.imports.kinds import Context
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.tabular import errors
from tests.pooling.imports.malformed import CASES, Case

ROOT = Path(__file__).resolve().parents[3]
IDS = [c.name for c in CASES]
# What an upload itself writes: the batch (with its errors) and sessions of the signed-in page.
WRITTEN_BY_AN_UPLOAD = {ImportBatch._meta.db_table, LogEntry._meta.db_table, "django_session"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def table_counts() -> dict[str, int]:
    """Rows in every table of the database (a staging table left behind shows up too),
    and the audit entries of anything but a batch."""
    with connection.cursor() as cursor:
        names = [
            n for n in connection.introspection.table_names(cursor) if n not in WRITTEN_BY_AN_UPLOAD
        ]
        counts = {}
        for name in names:
            cursor.execute(f'SELECT count(*) FROM "{name}"')
            counts[name] = cursor.fetchone()[0]
    counts["audit entries"] = LogEntry.objects.exclude(content_type__model="importbatch").count()
    return counts


def found(batch: ImportBatch) -> list[tuple[int | None, str, str]]:
    return [(e["row"], e["column"], e["reason"]) for e in batch.errors]


def assert_refused(case: Case, before: dict[str, int]) -> ImportBatch:
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED
    assert found(batch) == case.expected
    assert batch.error_count == len(case.expected) and not batch.is_clean
    assert table_counts() == before, "a refused file changed a table"
    return batch


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_pages_refuse_each_malformed_file(
    case, client_for, clerk_a, django_capture_on_commit_callbacks
):
    client = client_for(clerk_a)
    before = table_counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:upload"),
            {"kind": "people", "file": SimpleUploadedFile(case.filename, case.data)},
        )
    assert response.status_code == 302
    batch = assert_refused(case, before)
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert escape(case.expected[0][2]) in page and "commit-button" not in page
    report = b"".join(client.get(reverse("imports:errors_csv", args=[batch.pk])).streaming_content)
    assert [r[2] for r in csv.reader(report.decode("utf-8-sig").splitlines())][1:] == [
        r for _r, _c, r in case.expected
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert response.status_code == 200 and str(services.NOT_READY) in response.content.decode()
    assert table_counts() == before


@pytest.mark.parametrize("case", CASES[::3], ids=IDS[::3])
def test_the_api_refuses_each_malformed_file(
    case, client_for, clerk_a, django_capture_on_commit_callbacks
):
    client = client_for(clerk_a)
    before = table_counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports/",
            {"kind": "people", "file": SimpleUploadedFile(case.filename, case.data)},
        )
    assert response.status_code == 201, response.content
    batch = assert_refused(case, before)
    listed = client.get(f"/api/v1/imports/{batch.pk}/errors/").json()
    assert [(e["row"], e["column"], e["reason"]) for e in listed["results"]] == case.expected
    response = client.post(f"/api/v1/imports/{batch.pk}/commit/")
    assert response.status_code == 400 and response.json()["detail_zh"] == str(services.NOT_READY)
    assert table_counts() == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_command_line_refuses_each_malformed_file(case, tmp_path, clerk_a, capsys):
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    report = tmp_path / "错误.csv"
    before = table_counts()
    with pytest.raises(CommandError, match="未通过校验"):  # printed as a message, not a traceback
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
    for reason in (r for _row, _column, r in case.expected):
        assert reason in err
    assert [r[2] for r in csv.reader(report.read_text(encoding="utf-8-sig").splitlines())][1:] == [
        r for _r, _c, r in case.expected
    ]
    assert_refused(case, before)


@pytest.mark.django_db(transaction=True)
def test_the_real_command_exits_non_zero_without_a_traceback(tmp_path, clerk_a):
    db = connection.settings_dict
    env = {
        **os.environ,
        "POOLING_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "pooling.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    for case in (CASES[0], next(c for c in CASES if c.name == "GBK file with a UTF-8 row")):
        path = tmp_path / case.filename
        path.write_bytes(case.data)
        done = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "import_file",
                "people",
                str(path),
                "--user",
                clerk_a.username,
                "--commit",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=120,
        )
        err = done.stderr.decode()
        assert done.returncode == 1 and "Traceback" not in err and case.expected[0][2] in err, err


def test_a_crash_leaves_the_batch_failed_and_answers_without_a_500(
    client_for, clerk_a, monkeypatch, django_capture_on_commit_callbacks
):
    def crash(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(services, "open_table", crash)
    client = client_for(clerk_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:upload"),
            {"kind": "employers", "file": SimpleUploadedFile("a.csv", b"x")},
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportStatus.FAILED
    assert batch.file_error.startswith(
        str(services.INTERNAL_ERROR % {"error": "ZeroDivisionError"})
    )
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 200


def test_every_message_of_the_reader_has_its_english():
    messages = [v for k, v in vars(errors).items() if k.isupper() and k != "CHAR_NAMES"]
    messages += list(errors.CHAR_NAMES.values()) + [services.INTERNAL_ERROR]
    with translation.override("en"):
        untranslated = [str(m) for m in messages if not str(m).isascii()]
    assert untranslated == []


def test_a_value_the_database_refuses_at_commit_fails_the_batch_without_a_crash(
    clerk_a, monkeypatch
):
    from django.db import DataError

    from enrollment.imports.kinds import PersonKind
    from tests.enrollment.imports.helpers import commit, id_number, people_csv, preview

    batch = preview(clerk_a, "people", people_csv([[id_number(), "张三", "在职职工", "320902"]]))
    assert batch.is_clean

    def refused(self: PersonKind, records: Iterator[Any], ctx: Context) -> int:
        list(records)
        raise DataError("value too long for type character varying(50)\nCONTEXT: COPY")

    monkeypatch.setattr(PersonKind, "bulk_check", lambda self, batch, ctx, *, write: None)
    monkeypatch.setattr(PersonKind, "write", refused)
    batch = commit(batch)
    reason = str(
        services.COMMIT_FAILED % {"reason": "value too long for type character varying(50)"}
    )
    assert (batch.status, found(batch)) == (ImportStatus.FAILED, [(None, "", reason)])

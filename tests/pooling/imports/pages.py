"""Helpers of the attack suites that upload through the import page: the upload, the rows the
batch reports, and the check that a refused file names every error in both languages and
changed no table."""

from __future__ import annotations

from typing import Any

from pooling.imports.models import ImportBatch, ImportStatus
from tests.pooling.imports.test_malformed_files import table_counts as all_counts


def table_counts() -> dict[str, int]:
    """Rows of every table but the sign-in log (a page's client signs in when first used)."""
    return {k: n for k, n in all_counts().items() if not k.startswith("axes_")}


def found(batch: ImportBatch) -> list[tuple[int | None, str, str]]:
    return [(x["row"], x["column"], x["reason"]) for x in batch.errors]


def assert_refused(batch: ImportBatch, expected: list[tuple[int | None, str, str]], before) -> None:
    assert batch.status == ImportStatus.FAILED
    assert found(batch) == expected
    for error in batch.errors:  # the same error in English: another text, no Chinese of ours left
        assert error["reason_en"] != error["reason"] and error["code"] != "internal_error"
    assert table_counts() == before, "a refused file changed a table"


def upload_page(client: Any, capture: Any, kind: str, data: bytes, name: str) -> Any:
    """Upload `data` as `name` through the import page (its preview runs on commit, as in
    production), check the batch page answers, and return the batch."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    with capture(execute=True):
        response = client.post(
            reverse("imports:upload"), {"kind": kind, "file": SimpleUploadedFile(name, data)}
        )
    assert response.status_code == 302, response.content[:2000]
    batch = ImportBatch.objects.latest("pk")
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 200
    return batch

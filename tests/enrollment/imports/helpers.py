"""Helpers for the import tests: valid ID numbers and credit codes, and a one-call upload."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from pooling.imports.services import batch_commit, batch_preview, batch_upload
from pooling.kernel.codes import credit_code_from, id_number_from


def id_number(area: str = "320902", birth: str = "19900101", seq: int = 1) -> str:
    return id_number_from(f"{area}{birth}{seq:03d}")


def bad_check(id_no: str) -> str:
    wrong = "0" if id_no[-1] != "0" else "1"
    return id_no[:-1] + wrong


def credit_code(serial: int = 1) -> str:
    return credit_code_from(f"91320902MA{serial:07d}")


def people_csv(
    rows: list[list[str]], header: str = "身份证号码,姓名,人员类别,经办机构代码"
) -> bytes:
    lines = [header] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(user, kind: str, data: bytes, name: str = "file.csv"):
    return batch_upload(actor=user, kind=kind, file=SimpleUploadedFile(name, data))


def preview(user, kind: str, data: bytes, name: str = "file.csv"):
    return batch_preview(batch_id=upload(user, kind, data, name).pk)


def commit(batch):
    return batch_commit(batch_id=batch.pk)

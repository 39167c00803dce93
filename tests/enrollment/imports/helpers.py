"""Helpers for the import tests: valid ID numbers and credit codes, and a one-call upload."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from enrollment.validators import credit_check_char, id_check_char
from pooling.imports.services import batch_commit, batch_preview, batch_upload


def id_number(area: str = "320902", birth: str = "19900101", seq: int = 1) -> str:
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + id_check_char(first17)


def bad_check(id_no: str) -> str:
    wrong = "0" if id_no[-1] != "0" else "1"
    return id_no[:-1] + wrong


def credit_code(serial: int = 1) -> str:
    first17 = f"91320902MA{serial:07d}"
    return first17 + credit_check_char(first17)


def people_csv(rows: list[list[str]], header: str = "身份证号码,姓名,人员类别,经办机构代码") -> bytes:
    lines = [header] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(user, kind: str, data: bytes, name: str = "file.csv"):
    return batch_upload(actor=user, kind=kind, file=SimpleUploadedFile(name, data))


def preview(user, kind: str, data: bytes, name: str = "file.csv"):
    return batch_preview(batch_id=upload(user, kind, data, name).pk)


def commit(batch):
    return batch_commit(batch_id=batch.pk)

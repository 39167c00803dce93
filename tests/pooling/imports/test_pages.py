"""The import pages: upload → preview with the error table → commit; scoping; the error report."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollment.models import Person
from pooling.imports import services
from pooling.imports.models import ImportBatch, ImportStatus
from tests.enrollment.imports.helpers import bad_check, id_number, people_csv


def post_file(client, data: bytes, kind: str = "people", name: str = "people.csv"):
    return client.post(
        reverse("imports:upload"), {"kind": kind, "file": SimpleUploadedFile(name, data)}
    )


def test_it_previews_then_commits_from_the_pages(
    client_for, clerk_a, django_capture_on_commit_callbacks
):
    client = client_for(clerk_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, people_csv([[id_number(), "张三", "在职职工", "320902"]]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "预览通过" in page and "commit-button" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:commit", args=[batch.pk]))
    assert Person.objects.get().name == "张三"
    page = client.get(response.url).content.decode()
    assert "已导入" in page and "commit-button" not in page
    progress = client.get(reverse("imports:progress", args=[batch.pk])).json()
    assert progress["status"] == ImportStatus.COMMITTED and progress["percent"] == 100


def test_it_shows_the_error_table_and_a_bom_report(
    client_for, clerk_a, django_capture_on_commit_callbacks
):
    client = client_for(clerk_a)
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, people_csv([[bad_check(id_number()), "张三", "在职职工", "320902"]]))
    batch = ImportBatch.objects.get()
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "身份证号码校验码错误" in page and "commit-button" not in page
    report = b"".join(client.get(reverse("imports:errors_csv", args=[batch.pk])).streaming_content)
    assert report.startswith(
        b"\xef\xbb\xbf"
    ) and "2,身份证号码,身份证号码校验码错误" in report.decode("utf-8-sig")
    response = client.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert str(services.NOT_READY) in response.content.decode()


def test_it_hides_a_batch_from_a_clerk_of_another_county(client_for, clerk_a, clerk_b):
    batch = services.batch_upload(
        actor=clerk_a,
        kind="people",
        file=SimpleUploadedFile("p.csv", people_csv([[id_number(), "张三", "在职职工", ""]])),
    )
    other = client_for(clerk_b)
    for name in ("batch", "progress", "errors_csv"):
        assert other.get(reverse(f"imports:{name}", args=[batch.pk])).status_code == 404
    assert other.post(reverse("imports:commit", args=[batch.pk])).status_code == 404
    assert "p.csv" not in other.get(reverse("imports:index")).content.decode()


def test_it_refuses_uploads_from_read_only_roles(client_for, auditor, finance):
    for user in (auditor, finance):
        response = post_file(client_for(user), people_csv([[id_number(), "张三", "在职职工", ""]]))
        assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_it_serves_a_template_per_kind(client_for, clerk_a):
    response = client_for(clerk_a).get(reverse("imports:template", args=["people"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("身份证号码,姓名,人员类别,经办机构代码")

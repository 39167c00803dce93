"""The 待遇测算 page and the catalogue pages, through Django's test client."""

from __future__ import annotations

from pooling.benefits.catalogue.models import CatalogueItem, CatalogueVersion
from pooling.kernel.money import TOO_PRECISE


def _form(**over: str) -> dict[str, str]:
    data = {
        "scheme": "employee",
        "category": "retired",
        "hospital_level": "level2",
        "care_type": "inpatient",
        "service_date": "2026-06-01",
        "admissions": "0",
        "account_balance": "0",
        "deductible_paid": "0",
        "fund_paid": "0",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-code": "XJ01CAA040E001010100593",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "5000.00",
        "lines-1-code": "XJ01DCC118A001010104443",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "5000.00",
    }
    data.update(over)
    return data


def test_it_shows_the_breakdown_on_the_calculator_page(client_for, clerk_a, in_force):
    page = client_for(clerk_a).post("/policy/calculator/", _form())
    html = page.content.decode()
    # 例3（退休、二级、首次住院）：统筹 8188.00，现金 1812.00
    assert "8,188.00" in html and "1,812.00" in html
    assert "乙类先行自付10%：500.00元" in html
    assert "统筹支付比例92%" in html
    assert (
        '<option value="M03900">高血压（门慢）</option>' in html
    )  # the policy's disease list to pick from


def test_it_shows_errors_beside_the_fields_in_chinese(client_for, clerk_a, in_force):
    html = (
        client_for(clerk_a)
        .post("/policy/calculator/", _form(care_type="chronic", **{"lines-0-unit_price": "1.234"}))
        .content.decode()
    )
    assert "门诊慢特病需填写病种编码" in html
    assert str(TOO_PRECISE % {"value": "1.234"}) in html


def test_it_imports_a_catalogue_in_three_steps_and_publishes_it(
    client_for, bureau_admin, bureau_checker, in_force
):
    client = client_for(bureau_admin)
    csv = "目录类别,编码,名称,甲乙类\n药品,XA01ABD075A002010100483,地喹氯铵含片,乙\n".encode("gbk")
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(
        "/policy/catalogues/import/",
        {
            "file": SimpleUploadedFile("新目录.csv", csv),
            "code": "2026-07",
            "title": "七月目录",
            "effective_from": "2026-07-01",
        },
    )
    assert "检查通过" in page.content.decode() and "GBK" in page.content.decode()
    assert not CatalogueVersion.objects.filter(code="2026-07").exists()
    done = client.post("/policy/catalogues/import/commit/", {"token": page.context["token"]})
    version = CatalogueVersion.objects.get(code="2026-07")
    assert (
        done.status_code == 302
        and version.status == "draft"
        and version.imported_by == bureau_admin
    )
    client.post(f"/policy/catalogues/{version.pk}/submit/")
    client.post(
        f"/policy/catalogues/{version.pk}/publish/"
    )  # the importer cannot publish their own
    version.refresh_from_db()
    assert version.status == "submitted" and version.published_by is None
    assert (
        "approve-catalogue" not in client.get(f"/policy/catalogues/{version.pk}/").content.decode()
    )
    checker = client_for(bureau_checker)
    assert "approve-catalogue" in checker.get(f"/policy/catalogues/{version.pk}/").content.decode()
    checker.post(f"/policy/catalogues/{version.pk}/publish/")
    version.refresh_from_db()
    assert version.status == "published" and version.published_by == bureau_checker
    assert (
        "地喹氯铵含片"
        in client.get(f"/policy/catalogues/{version.pk}/", {"q": "XA01"}).content.decode()
    )


def test_it_shows_the_report_and_writes_nothing_for_a_bad_file(client_for, bureau_admin, in_force):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = CatalogueItem.objects.count()
    csv = "目录类别,编码,名称,甲乙类\n药品,BAD,坏编码,甲\n".encode()
    html = (
        client_for(bureau_admin)
        .post(
            "/policy/catalogues/import/",
            {
                "file": SimpleUploadedFile("bad.csv", csv),
                "code": "bad",
                "title": "x",
                "effective_from": "2026-07-01",
            },
        )
        .content.decode()
    )
    assert "未导入任何条目" in html and "药品编码应为20位或23位字母数字" in html
    assert CatalogueItem.objects.count() == before


def test_it_lets_only_the_bureau_import(client_for, clerk_a, in_force):
    assert client_for(clerk_a).get("/policy/catalogues/import/").status_code == 403
    assert client_for(clerk_a).get("/policy/catalogues/").status_code == 200

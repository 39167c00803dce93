"""A county clerk imports people in the browser: a file with errors, then a clean one."""

from __future__ import annotations

import pytest

from enrollment.models import Person
from tests.browser import login, shot
from tests.enrollment.imports.helpers import bad_check, id_number, people_csv

pytestmark = pytest.mark.browser


def test_it_lets_a_clerk_preview_fix_and_commit_a_county_file(
    browser_page, live_server, clerk_a, tmp_path
):
    page = browser_page
    login(page, live_server.url, clerk_a.username)
    page.goto(f"{live_server.url}/imports/")

    bad = tmp_path / "人员-有错误.csv"
    bad.write_bytes(
        people_csv(
            [
                [id_number(seq=1), "张三", "在职职工", "320902"],
                [bad_check(id_number(seq=2)), "李四", "在职职工", "320902"],
                [id_number(seq=3), "王五", "在职职工", "320903"],
            ]
        )
    )
    page.select_option("#id_kind", "people")
    page.set_input_files("#id_file", str(bad))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#error-table")
    rows = page.locator("#error-table tbody tr").all_inner_texts()
    assert len(rows) == 2
    assert rows[0].split("\t")[:2] == ["3", "身份证号码"] and "校验码错误" in rows[0]
    assert rows[1].split("\t")[:2] == ["4", "经办机构代码"] and "只能导入本经办单位" in rows[1]
    assert page.locator("#commit-button").count() == 0
    with page.expect_download() as download:
        page.click("#error-report")
    name = download.value.suggested_filename
    assert name.startswith("导入错误报告-批次") and name.endswith(
        ".csv"
    )  # a Chinese name, not a code
    shot(page, "import-preview-errors")
    assert Person.objects.count() == 0

    good = tmp_path / "人员.csv"
    good.write_bytes(
        people_csv(
            [
                [id_number(seq=1), "张三", "在职职工", "320902"],
                [id_number(seq=2), "李四", "退休人员", "320902"],
            ]
        )
        .decode()
        .encode("gbk")
    )
    page.goto(f"{live_server.url}/imports/")
    page.select_option("#id_kind", "people")
    page.set_input_files("#id_file", str(good))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#commit-button")
    assert "预览通过" in page.locator("#batch-summary").inner_text()
    page.click("#commit-button")
    page.wait_for_selector("#committed-note")
    assert page.locator("#batch-written").inner_text() == "2"
    assert page.locator("#batch-status").inner_text() == "已导入"
    shot(page, "import-committed")
    assert sorted(Person.objects.values_list("name", flat=True)) == ["张三", "李四"]

"""English mode: the parts of key pages and API errors the system itself writes are English.

Names that are data (counties, diseases, a policy's title) and the Chinese headers an
import file must carry stay as they are; everything around them must not be Chinese.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from pooling.imports.kinds import all_kinds
from tests.enrollment.imports.helpers import bad_check, id_number, people_csv
from tests.pooling.policy.policy_docs import demo_doc

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]")


@pytest.fixture(autouse=True)
def _chinese_afterwards():
    """The test client's requests leave their language active in this thread: the next test is Chinese again."""
    yield
    translation.activate("zh-hans")


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def cells(html: str, tag: str, within: str = "") -> list[str]:
    """The text of every <tag> cell (of the table with id `within`, if given)."""
    if within:
        html = html.split(f'id="{within}"', 1)[1].split("</table>", 1)[0]
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S)
    ]


def chinese(texts: list[str]) -> list[str]:
    return [t for t in texts if CJK.search(t)]


def test_policy_pages_label_rows_and_values_in_english(client_for, demo_policy, bureau_admin):
    from pooling.policy.services import policy_draft_import

    later = demo_doc(code="YC-2027", effective_from="2027-01-01")
    later["benefits"]["inpatient"][0]["ratio_pct"] = "87"
    later["resident"]["special_group_subsidy"]["dibao"] = "250"
    policy_draft_import(document=later, actor=bureau_admin)
    client = english(client_for(bureau_admin))
    page = client.get("/policy/v/YC-2026/").content.decode()
    assert chinese(cells(page, "th")) == [] and "7500.00 yuan" in page
    diff = client.get("/policy/compare/?a=YC-2026&b=YC-2027").content.decode()
    rows = cells(diff, "td", "policy-diff")
    assert (
        len(rows) == 4 * 3 and chinese(rows) == []
    )  # code, date, ratio, 低保 subsidy: label, old, new
    form = client.get("/policy/parameters/").content.decode()
    assert chinese(cells(form, "label") + cells(form, "legend") + cells(form, "th")) == []


def test_unification_items_are_named_in_english():
    from pooling.policy.document import policy_from_document
    from pooling.policy.unification.compare import item_meta, policy_items

    with translation.override("en"):
        labels = [item_meta(key).label for key in policy_items(policy_from_document(demo_doc()))]  # type: ignore[union-attr]
    assert len(labels) > 100 and chinese(labels) == []


def test_the_quote_options_are_english(client_for, demo_policy, clerk_a):
    page = english(client_for(clerk_a)).get("/policy/calculator/").content.decode()
    options = cells(page.split('name="care_type"', 1)[1].split("</select>", 1)[0], "option")
    assert len(options) == 4 and chinese(options) == []
    assert ">高血压 (Chronic outpatient)</option>" in page  # the disease is data; its kind is not


def test_import_columns_have_english_meanings_and_row_errors_read_in_english(
    client_for, clerk_a, django_capture_on_commit_callbacks
):
    with translation.override("en"):
        unexplained = [
            (k.key, c.label) for k in all_kinds().values() for c in k.columns if not c.meaning()
        ]
    assert unexplained == []
    client = english(client_for(clerk_a))
    listing = client.get(reverse("imports:index")).content.decode()
    assert "身份证号码* (ID card number)" in listing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("imports:upload"),
            {
                "kind": "people",
                "file": SimpleUploadedFile(
                    "p.csv", people_csv([[bad_check(id_number()), "张三", "在职职工", "320902"]])
                ),
            },
        )
    from pooling.imports.models import ImportBatch

    page = client.get(
        reverse("imports:batch", args=[ImportBatch.objects.get().pk])
    ).content.decode()
    reasons = [
        row[2] for row in zip(*[iter(cells(page.split("<tbody>")[-1], "td"))] * 3, strict=False)
    ]
    assert reasons and chinese(reasons) == []


def test_statement_subtotals_are_english(client_for, finance):
    from funds.services.setup import books_ensure

    books_ensure(area_code="320900", codes=["resident"])
    page = (
        english(client_for(finance))
        .get("/funds/book/resident/statement/?year=2026&month=3")
        .content.decode()
    )
    labels = [row for row in cells(page, "td") if row and not re.fullmatch(r"[-\d,.—]*", row)]
    assert "Total income" in labels and "Total expenditure" in labels
    assert chinese(labels) == []


def test_api_errors_carry_english_in_detail_en(client_for, clerk_a, bureau_admin):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/regions/").json()
    assert not CJK.search(anonymous["detail_en"]) and CJK.search(anonymous["detail_zh"])
    missing = client_for(clerk_a).get("/api/v1/policies/NOPE/").json()
    assert (missing["detail_zh"], missing["detail_en"]) == ("未找到", "Not found")
    media = (
        client_for(clerk_a).post("/api/v1/imports/", "{}", content_type="application/json").json()
    )
    assert (
        "application/json" in media["detail_en"]
        and not CJK.search(media["detail_en"])
        and CJK.search(media["detail_zh"])
    )
    denied = (
        client_for(clerk_a)
        .post("/api/v1/policies/import/", "{}", content_type="application/json")
        .json()
    )
    assert CJK.search(denied["detail_zh"]) and not CJK.search(denied["detail_en"])
    broken = demo_doc()
    del broken["title"]
    broken["benefits"]["inpatient"][0]["ratio_pct"] = "abc"
    body = (
        client_for(bureau_admin)
        .post(
            "/api/v1/policies/import/",
            json.dumps(broken),
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .json()
    )
    assert "$.title" in body["detail_en"] and not CJK.search(body["detail_en"])
    assert CJK.search(body["detail_zh"]) and "缺少必填项" in body["detail_zh"]
    assert all(not CJK.search(p["label_en"] + p["reason_en"]) for p in body["problems"])

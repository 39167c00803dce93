"""The audit trail as an auditor reads and searches it (issue 11, item 12)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from auditlog.models import LogEntry
from openpyxl import load_workbook

from enrollment.models import Declaration
from funds.chart import Category
from funds.models import Budget, BudgetItem
from funds.services.setup import books_ensure
from pooling.kernel.audit_selectors import audit_rows, audit_search
from providers.choices import State
from tests.enrollment.factories import employee_enrolment, employer
from tests.providers.factories import make_provider

MIDNIGHT_UTC = datetime(2026, 3, 4, 16, 30, tzinfo=UTC)  # 00:30 on 5 March in 盐城


@pytest.fixture
def trail(county_a, county_b):
    """李四 enrolled with 盐城机电有限公司, a declaration corrected, a budget item, a provider."""
    enrolment = employee_enrolment(county_a, "李四", emp=employer(county_a, "盐城机电有限公司"))
    declaration = Declaration.objects.create(
        county=county_a, employer=enrolment.employer, month=date(2026, 3, 1), total_fen=100000
    )
    declaration.total_fen = 123456
    declaration.save()
    employee_enrolment(county_b, "王五")
    book = books_ensure(area_code="320900", codes=["resident"])[0]
    budget = Budget.objects.create(book=book, county=county_a, year=2026)
    item = BudgetItem.objects.create(
        budget=budget, category=Category.INCOME_PREMIUM, amount_fen=5000
    )
    budget.issued_at = MIDNIGHT_UTC
    budget.save()
    make_provider(county_a, "·东城", state=State.REGISTERED)
    return {"enrolment": enrolment, "declaration": declaration, "budget": budget, "item": item}


def _read(**filters):
    return list(audit_rows(audit_search(**filters)))


def _of(rows, model_label):
    return [r for r in rows if r.model_label == model_label]


def test_it_names_fields_in_chinese_and_amounts_in_yuan(trail):
    update = next(r for r in _read() if r.model_label == "缴费申报" and r.action == "修改")
    change = next(c for c in update.changes if c.label == "应缴合计（元）")
    assert (change.old_fen, change.new_fen) == (100000, 123456)


def test_it_names_the_object_not_x_object_n(trail):
    item = _of(_read(), "预算项目")[0]
    assert (
        item.entry.object_repr == f"BudgetItem object ({trail['item'].pk})"
    )  # as django-auditlog stored it
    assert item.object_label == f"{trail['budget']} · 保险费收入"
    enrolment = _of(_read(q="李四"), "参保登记")[0]
    assert enrolment.object_label.startswith("李四（")  # whose enrolment it is


def test_it_shows_keys_as_names_and_times_in_local_time(trail):
    created = next(r for r in _of(_read(q="李四"), "参保登记") if r.action == "新增")
    employer_change = next(c for c in created.changes if c.label == "参保单位")
    assert not [c for c in created.changes if c.new.endswith(".None")]  # no reverse relations
    assert employer_change.new.startswith("盐城机电有限公司（")
    issued = next(
        c for r in _of(_read(), "基金预算") for c in r.changes if c.label == "批复时间" and c.new
    )
    assert issued.new == "2026-03-05 00:30:00"


@pytest.mark.parametrize(
    "q, expected",
    [
        ("李四", {"参保人员", "参保登记"}),  # the person, and what points at them
        ("盐城机电", {"参保单位", "参保登记", "缴费申报"}),
        ("测试医院·东城", {"定点医药机构"}),
        ("应缴合计", {"缴费申报"}),  # a field's Chinese label
        ("预算项目", {"预算项目"}),  # a model's Chinese name
    ],
)
def test_it_finds_entries_by_name_and_by_chinese_label(trail, q, expected):
    assert {r.model_label for r in _read(q=q)} == expected


def test_it_filters_by_local_dates(trail):
    LogEntry.objects.update(timestamp=datetime(2026, 1, 1, tzinfo=UTC))
    LogEntry.objects.filter(
        object_pk=str(trail["item"].pk), content_type__model="budgetitem"
    ).update(timestamp=MIDNIGHT_UTC)
    on_fifth = _read(date_from=date(2026, 3, 5), date_to=date(2026, 3, 5))
    assert [r.model_label for r in on_fifth] == [
        "预算项目"
    ] and f"{on_fifth[0].when:%H:%M}" == "00:30"
    assert not _read(date_from=date(2026, 3, 4), date_to=date(2026, 3, 4))


def test_it_searches_and_exports_from_the_page(trail, auditor, client_for):
    client = client_for(auditor)
    page = client.get("/policy/audit/", {"q": "盐城机电"}).content.decode()
    assert (
        "应缴合计（元）" in page
        and "1,000.00" in page
        and "1,234.56" in page
        and "王五" not in page
    )
    bad = client.get("/policy/audit/", {"date_from": "2026-13-01"}).content.decode()
    assert "field-error" in bad
    response = client.get("/policy/audit/export/", {"q": "盐城机电", "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "时间",
        "操作人",
        "动作",
        "对象类型",
        "对象",
        "字段",
        "原值",
        "新值",
        "原金额",
        "新金额",
    ]
    assert any(r[5] == "应缴合计（元）" and r[8:] == ["1000.00", "1234.56"] for r in rows)
    xlsx = client.get("/policy/audit/export/", {"q": "盐城机电", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet["A1"].value == "审计日志" and "人员/单位/机构名称" in sheet["A2"].value

"""The handling lists as downloads (issue 11, item 15): the page's filters, the clerk's county."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import unquote

from openpyxl import load_workbook

from enrollment.models import Declaration, DeclarationStatus
from tests.enrollment.factories import employee_enrolment, employer, make_id_number, person

BORN = date(1975, 1, 2)


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200
    name = unquote(response["Content-Disposition"].split("''", 1)[1])
    return name, list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )


def test_it_exports_only_the_clerks_own_people_with_the_pages_filters(
    county_a, county_b, clerk_a, client_for
):
    own = person(county_a, "张一")
    # An ID number of digits only (the shared factory's sequence sometimes gives a check digit X,
    # which Excel keeps as text unaided, so no tab is written then: the test flaked on the order).
    own.id_number = next(
        n
        for seq in range(900, 1000)
        if not (n := make_id_number(area=county_a.code, birth=BORN, seq=seq)).endswith("X")
    )
    own.birth_date = BORN  # a birthday no other factory person has: the number is its own
    own.save()
    person(county_a, "李二")
    person(county_b, "张外县")
    name, rows = _csv(client_for(clerk_a), "/enrollment/people/export/?q=张&format=csv")
    assert name.startswith("参保人员名单-亭湖区-") and name.endswith(".csv")
    assert rows[0][:4] == ["姓名", "身份证号码", "性别", "出生日期"]
    assert [r[0] for r in rows[1:]] == ["张一"]
    assert rows[1][1] == "\t" + own.id_number  # every digit survives Chinese Excel


def test_it_exports_employers_with_their_insured_count(
    county_a, county_b, clerk_b, finance, client_for
):
    employee_enrolment(county_a, "甲", emp=employer(county_a, "亭湖机械厂"))
    employer(county_b, "盐都纺织厂")
    _name, rows = _csv(client_for(clerk_b), "/enrollment/employers/export/?format=csv")
    assert [r[0] for r in rows[1:-1]] == ["盐都纺织厂"] and rows[-1][0] == "合计"
    _name, rows = _csv(client_for(finance), "/enrollment/employers/export/?format=csv")
    counts = {r[0]: r[4] for r in rows[1:]}
    assert counts == {"亭湖机械厂": "1", "盐都纺织厂": "0", "合计": "1"}


def test_it_exports_declarations_and_arrears_in_yuan(county_a, county_b, clerk_a, client_for):
    emp = employer(county_a, "亭湖机械厂")
    Declaration.objects.create(
        county=county_a,
        employer=emp,
        month=date(2026, 2, 1),
        total_fen=100000,
        paid_fen=100000,
        status=DeclarationStatus.PAID,
    )
    Declaration.objects.create(
        county=county_a,
        employer=emp,
        month=date(2026, 3, 1),
        total_fen=123456,
        paid_fen=23456,
        status=DeclarationStatus.PARTIAL,
    )
    Declaration.objects.create(
        county=county_b,
        employer=employer(county_b, "盐都纺织厂"),
        month=date(2026, 3, 1),
        total_fen=999900,
    )
    client = client_for(clerk_a)
    _name, rows = _csv(client, "/enrollment/declarations/export/?status=partial&format=csv")
    assert rows[1][:1] + rows[1][3:] == ["2026-03", "亭湖区", "1234.56", "234.56", "部分到账"]
    assert len(rows) == 3  # header, the partial one, the totals
    response = client.get("/enrollment/arrears/export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value == "欠费清单" and sheet["A2"].value.startswith("经办单位：亭湖区")
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert (
        [r[1] for r in data] == ["亭湖机械厂", None]
        and data[-1][0] == "合计"
        and data[0][6] == 1000
    )
    assert sheet["G4"].number_format == "#,##0.00"

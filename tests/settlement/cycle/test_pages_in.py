"""The money-in pages: county-scoped rows, CSV with a BOM, XLSX, refused without the right."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from funds.models import Book, PrePoolingPosition
from funds.services.schedules import position_save, rules_ensure
from settlement.cycle.steps import collection
from tests.actors import SETUP
from tests.settlement.cycle import in_world as w
from tests.settlement.cycle.in_world import MAR, run


@pytest.fixture
def march(county_a, county_b, demo_policy):
    world = w.march_world(county_a, county_b)
    run(collection.STEP, MAR)
    return world


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_collection_by_county_and_book_for_the_city_and_for_a_clerk(
    march, client_for, city_agent, clerk_b
):
    page = client_for(city_agent).get("/settlement/cycle/2026-03/collection/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "亭湖区" in html and "盐都区" in html and "914.30" in html
    )  # 亭湖区 pooled income 700.00 + 214.30
    mine = client_for(clerk_b).get("/settlement/cycle/2026-03/collection/").content.decode()
    assert "盐都区" in mine and "亭湖区" not in mine.split("<table", 1)[1]
    csv = _body(client_for(clerk_b).get("/settlement/cycle/2026-03/collection/?format=csv"))
    assert csv.startswith("\ufeff") and "350.00" in csv and "320902" not in csv
    xlsx = client_for(city_agent).get("/settlement/cycle/2026-03/collection/?format=xlsx")
    cells = [
        c
        for row in load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.iter_rows(
            values_only=True
        )
        for c in row
    ]
    assert 914.30 in [float(c) for c in cells if isinstance(c, (int, float))]


def test_remittance_lists_paid_and_overdue(county_a, client_for, city_agent):
    w.books()
    rule = next(r for r in rules_ensure() if r.code == "yancheng-2019")
    position_save(
        position=PrePoolingPosition(
            rule=rule, book=Book.objects.get(code="resident"), county=county_a, surplus_fen=100000
        ),
        actor=SETUP,
    )
    from settlement.cycle.steps import remittance

    run(remittance.STEP, date(2020, 12, 1))
    html = client_for(city_agent).get("/settlement/cycle/2020-12/remittance/").content.decode()
    assert "逾期未缴" in html and "已缴清" in html and "2019-12-31" in html


def test_pages_need_a_sign_in_and_a_month(march, client, client_for, city_agent):
    assert client.get("/settlement/cycle/2026-03/collection/").status_code == 302
    assert client_for(city_agent).get("/settlement/cycle/2026-13/collection/").status_code == 404
    assert client_for(city_agent).get("/settlement/cycle/2026-03/disbursement/").status_code == 200


def test_the_city_approves_a_filed_plan_on_the_budgets_page(county_a, client_for, clerk_a, finance):
    from funds.models import MonthlyPlan
    from funds.services.budgets import monthly_plan_submit

    w.books()
    plan = monthly_plan_submit(
        book=Book.objects.get(code="resident"),
        county=county_a,
        year=2026,
        month=3,
        planned_expense_fen=12345,
        actor=clerk_a,
    )
    assert (
        "待审批" not in client_for(clerk_a).get("/funds/budgets/").content.decode()
    )  # not theirs to approve
    page = client_for(finance).get("/funds/budgets/").content.decode()
    assert "pending-plans" in page and "123.45" in page
    assert (
        client_for(clerk_a).post(f"/funds/budgets/monthly-plan/{plan.pk}/approve/").status_code
        == 403
    )
    client_for(finance).post(f"/funds/budgets/monthly-plan/{plan.pk}/approve/")
    assert MonthlyPlan.objects.get().approved_by == finance


def test_accounts_page_shows_the_month_and_the_control_identity(
    march, client_for, city_agent, clerk_a
):
    from settlement.cycle import selectors_in
    from settlement.cycle.steps import accounts

    run(accounts.STEP, MAR)
    rows = {r.county: r for r in selectors_in.accounts_rows(month=MAR)}
    a = rows["320902"]  # the fully paid employer's two people; the partial payer's not yet
    assert (a.in_service_fen, a.control_fen, a.people_fen, a.difference_fen) == (
        20000,
        20000,
        20000,
        0,
    )
    html = client_for(clerk_a).get("/settlement/cycle/2026-03/accounts/").content.decode()
    assert "亭湖区" in html and "盐都区" not in html.split("<table", 1)[1]
    xlsx = client_for(city_agent).get("/settlement/cycle/2026-03/accounts/?format=xlsx")
    assert xlsx.status_code == 200


def test_a_clerk_sees_only_their_countys_plans_and_instalments(
    county_a, county_b, client_for, clerk_b, city_agent
):
    from funds.services.budgets import monthly_plan_submit

    w.books()
    resident = Book.objects.get(code="resident")
    for county, fen in ((county_a, 11111), (county_b, 22222)):
        monthly_plan_submit(
            book=resident, county=county, year=2026, month=3, planned_expense_fen=fen, actor=SETUP
        )
    rule = next(r for r in rules_ensure() if r.code == "yancheng-2019")
    position_save(
        position=PrePoolingPosition(rule=rule, book=resident, county=county_a, surplus_fen=100000),
        actor=SETUP,
    )
    mine = client_for(clerk_b).get("/settlement/cycle/2026-03/disbursement/").content.decode()
    assert "222.22" in mine and "111.11" not in mine and "未审批" in mine
    assert (
        "111.11"
        in client_for(city_agent).get("/settlement/cycle/2026-03/disbursement/").content.decode()
    )
    theirs = client_for(clerk_b).get("/settlement/cycle/2020-12/remittance/").content.decode()
    assert "2019-12-31" not in theirs and "本月暂无记录" in theirs

"""A year's whole-fund gap covered by the city's own rule (data): 盐城 by its accumulated
surplus then the risk reserve; 三门峡 first by the counties whose budget execution fell
short (短收 + 超支), in proportion, then by the city's risk reserve."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from funds.chart import Category as C
from funds.models import Account, Entry
from funds.services import budgets as B
from funds.services import cr, dr, post_entry
from funds.services.gapshare import NO_RULE, GapRule, gap_cover, gap_cover_post, gap_rule
from funds.services.setup import account_for, books_ensure
from funds.services.yearend import CountyResult, FundResult
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.regions import regions_load
from pooling.models import Region
from tests.actors import SETUP

SANMENXIA = GapRule("三门峡", "", ("counties", "reserve"), Decimal("100"))
YANCHENG = GapRule("盐城", "", ("surplus", "reserve"), Decimal("0"))


def result(counties: list[CountyResult], *, surplus: int = 0, reserve: int = 0) -> FundResult:
    return FundResult(None, 2026, counties, surplus, reserve)  # type: ignore[arg-type]  # sharing reads no book


# (county, name, budget income, budget expense, income, expense)
A = CountyResult("411202", "湖滨区", 10_000, 9_000, 8_000, 9_500)  # 2,000 short + 500 over = 2,500
B_ = CountyResult("411203", "陕州区", 5_000, 5_000, 5_000, 6_000)  # 1,000 over
C_ = CountyResult("411221", "渑池县", 3_000, 5_000, 3_000, 5_000)  # a planned deficit: no deviation


def test_the_shipped_rules_are_each_citys_own():
    assert gap_rule("411200").order == ("counties", "reserve")
    assert gap_rule("411200").county_share_pct == Decimal("100")
    assert gap_rule("320900").order == ("surplus", "reserve")
    with pytest.raises(BusinessRuleError) as err:
        gap_rule("999999")
    assert err.value.message == NO_RULE


def test_counties_share_the_gap_in_proportion_to_their_deviation_to_the_fen():
    # Gap 2,500 (A -1,500, B -1,000); deviations 2,500 : 1,000. 2,500 × 5/7 = 1,785.71 and
    # 2,500 × 2/7 = 714.29: A's larger remainder takes the last fen.
    cover = gap_cover(result=result([A, B_]), rule=SANMENXIA)
    assert [(c.county, c.deviation_fen, c.share_fen) for c in cover.counties] == [
        ("411202", 2_500, 1_786),
        ("411203", 1_000, 714),
    ]
    assert cover.steps == [("counties", 2_500), ("reserve", 0)] and cover.uncovered_fen == 0


def test_a_county_bears_at_most_its_deviation_and_the_reserve_covers_the_rest():
    # Gap 4,500 (-1,500 -1,000 -2,000); deviations only 3,500; the reserve holds 600.
    cover = gap_cover(result=result([A, B_, C_], reserve=600), rule=SANMENXIA)
    assert [c.share_fen for c in cover.counties] == [2_500, 1_000, 0]
    assert cover.steps == [("counties", 3_500), ("reserve", 600)]
    assert cover.uncovered_fen == 400


def test_half_of_the_deviation_when_the_rule_says_fifty_percent():
    cover = gap_cover(result=result([A, B_]), rule=GapRule("半", "", ("counties",), Decimal("50")))
    # Deviations 3,500 × 50 % = 1,750, split 5:2 → 1,250 and 500.
    assert [c.share_fen for c in cover.counties] == [1_250, 500] and cover.uncovered_fen == 750


def test_yancheng_covers_by_surplus_then_reserve_and_never_by_counties():
    cover = gap_cover(result=result([A, B_], surplus=300, reserve=1_000), rule=YANCHENG)
    assert cover.steps == [("surplus", 300), ("reserve", 1_000)]
    assert cover.counties == [] and cover.uncovered_fen == 1_200


@pytest.fixture
def sanmenxia(db, settings):
    settings.POOLING_AREA_CODE = "411200"
    regions_load(area_code="411200")
    book = books_ensure(area_code="411200", codes=["resident"])[0]

    def acct(category: str, county: str = "411200") -> Account:
        return account_for(book=book, category=category, county_code=county)

    for county in (A, B_, C_):
        B.budget_save_draft(
            book=book,
            county=Region.objects.get(code=county.county),
            year=2026,
            actor=SETUP,
            items={
                C.INCOME_PREMIUM: county.budget_income_fen,
                C.BENEFIT_INPATIENT: county.budget_expense_fen,
            },
        )
        post_entry(
            key=f"in:{county.county}",
            book=book,
            memo="保费",
            entry_date=date(2026, 3, 1),
            actor=SETUP,
            lines=[
                dr(acct(C.FISCAL_SPECIAL), county.income_fen, county.county),
                cr(acct(C.INCOME_PREMIUM, county.county), county.income_fen),
            ],
        )
        post_entry(
            key=f"out:{county.county}",
            book=book,
            memo="待遇",
            entry_date=date(2026, 9, 1),
            actor=SETUP,
            lines=[
                dr(acct(C.BENEFIT_INPATIENT, county.county), county.expense_fen),
                cr(acct(C.PAYABLE_PROVIDER, county.county), county.expense_fen),
            ],
        )
    post_entry(
        key="reserve",
        book=book,
        memo="提取风险准备金",
        entry_date=date(2026, 1, 5),
        actor=SETUP,
        lines=[
            dr(acct(C.FISCAL_SPECIAL), 2_000, "411200"),
            cr(acct(C.RISK_RESERVE), 2_000, "411200"),
        ],
    )
    return book, acct


def test_it_posts_the_county_shares_and_the_reserve_once(sanmenxia, finance):
    book, acct = sanmenxia
    entries = gap_cover_post(book=book, year=2026, actor=finance)
    # Gap 4,500: the counties owe their deviations (2,500 and 1,000), the reserve covers 1,000.
    balance = {
        c: Account.objects.get(pk=acct(C.RECEIVABLE_COUNTY, c).pk).balance_fen
        for c in ("411202", "411203")
    }
    assert balance == {"411202": 2_500, "411203": 1_000}
    assert (
        Account.objects.get(pk=acct(C.RISK_RESERVE).pk).balance_fen == -1_000
    )  # 2,000 held, 1,000 used
    assert Account.objects.get(pk=acct(C.SUBSIDY_COUNTY, "411202").pk).balance_fen == -2_500
    assert [e.pk for e in gap_cover_post(book=book, year=2026, actor=finance)] == [
        e.pk for e in entries
    ]
    assert Entry.objects.filter(key__startswith="yearend-").count() == 2


def test_only_the_city_posts_the_cover(sanmenxia, clerk_a):
    book, _acct = sanmenxia
    with pytest.raises(PermissionDenied):
        gap_cover_post(book=book, year=2026, actor=clerk_a)
    assert not Entry.objects.filter(key__startswith="yearend-").exists()


def test_the_year_end_page_shows_the_citys_cover_and_finance_posts_it_after_confirming(
    sanmenxia, finance, auditor, client_for
):
    url = "/funds/book/resident/year-end/?year=2026"
    body = client_for(finance).get(url).content.decode()
    assert "由预算执行偏差的县（市、区）分担" in body and "动用市级风险准备金" in body
    # 湖滨区: 25.00 yuan of deviation, all of it its share; 陕州区: 10.00; 渑池县 none.
    assert '<td>湖滨区</td><td class="num">25.00</td><td class="num">25.00</td>' in body
    assert '<td>陕州区</td><td class="num">10.00</td><td class="num">10.00</td>' in body
    assert 'name="action" value="gap_cover"' in body and "confirm(" in body
    reader = client_for(auditor).get(url).content.decode()
    assert (
        "县级分担（按预算执行偏差）" in reader and 'value="gap_cover"' not in reader
    )  # reads, cannot post
    assert client_for(auditor).post(url, {"action": "gap_cover"}).status_code == 403
    assert not Entry.objects.filter(key__startswith="yearend-").exists()
    response = client_for(finance).post(url, {"action": "gap_cover"})
    assert response.status_code == 302
    assert set(Entry.objects.filter(key__startswith="yearend-").values_list("key", flat=True)) == {
        "yearend-share:resident:2026",
        "yearend-reserve:resident:2026",
    }

"""Demo books of the demo city: a chart for every handling unit, two months of money moving
along the fund flow, budgets, and the pre-pooling balances under the city's own rule
(盐城: surplus remitted in tranches; 三门峡: deficits offset, then paid in instalments), all from
the demo file's "funds" section. Safe to load twice: every entry has an idempotency key,
every row a natural key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings

from funds.chart import Category as C
from funds.models import Book, InterestRate, PrePoolingClaim, PrePoolingPosition, RemittanceRule
from funds.services import cr, dr, post_entry
from funds.services.budgets import budget_save_draft
from funds.services.schedules import instalments_generate, rules_ensure
from funds.services.setup import account_for, books_ensure
from pooling.kernel.demo_city import demo_city
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.permissions import DEMO_LOADER
from pooling.models import Region


@DEMO_LOADERS.register
def load(echo: Callable[[str], None]) -> None:
    area = settings.POOLING_AREA_CODE
    data = demo_city()["funds"]
    counties: dict[str, int] = data["county_premiums_fen"]  # a month's resident premiums
    books = {b.code: b for b in books_ensure(area_code=area)}
    book = books["resident"]
    _opening(books, area, list(counties), data.get("opening_balance_fen", 20_000_000_00))
    _money_flow(book, area, counties, date(2026, 1, 1))
    _money_flow(book, area, counties, date(2026, 2, 1))
    InterestRate.objects.get_or_create(
        book=book, year=2026, month=1, defaults={"annual_rate": Decimal(data["interest_rate"])}
    )
    for code, premium in counties.items():
        if book.budgets.filter(county_id=code, year=2026).exclude(status="draft").exists():
            continue  # already submitted: the demo does not touch it again
        budget_save_draft(
            book=book,
            county=Region.objects.get(code=code),
            year=2026,
            actor=DEMO_LOADER,
            items={
                C.INCOME_PREMIUM: premium * 12,
                C.SUBSIDY_CENTRAL: premium * 6,
                C.BENEFIT_INPATIENT: premium * 10,
                C.BENEFIT_OUTPATIENT: premium * 5,
            },
        )
    _schedule(book, data)
    echo(f"基金：{Book.objects.count()} 个账簿，{book.name} 已有演示分录与预算")


def _opening(books: dict[str, Book], area: str, counties: list[str], amount: int) -> None:
    """Each book's fund balance brought into the city's special account when pooling began
    (统筹前结余归集), per county: the month's plans are paid out of it."""
    for code, book in books.items():
        special = account_for(book=book, category=C.FISCAL_SPECIAL, county_code=area)
        balance = account_for(book=book, category=C.FUND_BALANCE, county_code=area)
        for county in counties:
            post_entry(
                key=f"demo:opening:{code}:{county}",
                book=book,
                entry_date=date(2026, 1, 1),
                memo=f"期初基金结余归集入市级财政专户（{county}）",
                source="demo",
                actor=DEMO_LOADER,
                lines=[dr(special, amount, county), cr(balance, amount, county)],
            )


def _money_flow(book: Book, area: str, counties: dict[str, int], month: date) -> None:
    """Collection → treasury → special account → city expenditure → county → hospitals."""
    ym = f"{month:%Y-%m}"

    def acct(category: str, county: str = area):
        return account_for(book=book, category=category, county_code=county)

    moved = 0
    for county, premium in counties.items():
        post_entry(
            key=f"demo:collect:{county}:{ym}",
            book=book,
            entry_date=month.replace(day=10),
            memo=f"{ym} 居民保费征缴入国库（{county}）",
            source="demo",
            actor=DEMO_LOADER,
            lines=[
                dr(acct(C.TREASURY_TRANSIT), premium, county),
                cr(acct(C.INCOME_PREMIUM, county), premium),
            ],
        )
        post_entry(
            key=f"demo:special:{county}:{ym}",
            book=book,
            entry_date=month.replace(day=15),
            memo=f"{ym} 国库划入财政专户（{county}）",
            source="demo",
            actor=DEMO_LOADER,
            lines=[
                dr(acct(C.FISCAL_SPECIAL), premium, county),
                cr(acct(C.TREASURY_TRANSIT), premium, county),
            ],
        )
        spend = premium * 7 // 10
        moved += spend
        post_entry(
            key=f"demo:city-exp:{county}:{ym}",
            book=book,
            entry_date=month.replace(day=18),
            memo=f"{ym} 财政专户拨入市级支出户（{county}用款计划）",
            source="demo",
            actor=DEMO_LOADER,
            lines=[
                dr(acct(C.CITY_EXPENDITURE), spend, county),
                cr(acct(C.FISCAL_SPECIAL), spend, county),
            ],
        )
        post_entry(
            key=f"demo:county-exp:{county}:{ym}",
            book=book,
            entry_date=month.replace(day=20),
            memo=f"{ym} 市级支出户拨付县级支出户",
            source="demo",
            actor=DEMO_LOADER,
            lines=[
                dr(acct(C.COUNTY_EXPENDITURE, county), spend),
                cr(acct(C.CITY_EXPENDITURE), spend, county),
            ],
        )
        post_entry(
            key=f"demo:pay:{county}:{ym}",
            book=book,
            entry_date=month.replace(day=25),
            memo=f"{ym} 与定点医疗机构月度结算",
            source="demo",
            actor=DEMO_LOADER,
            lines=[
                dr(acct(C.BENEFIT_INPATIENT, county), spend),
                cr(acct(C.COUNTY_EXPENDITURE, county), spend),
            ],
        )


def _schedule(book: Book, data: dict[str, Any]) -> None:
    rules = {r.code: r for r in rules_ensure()}
    for row in data["positions"]:
        amounts = {
            k: row.get(k, 0) for k in ("surplus_fen", "deficit_fen", "risk_adjustment_paid_fen")
        }
        rule: RemittanceRule = rules[row["rule"]]
        position, created = PrePoolingPosition.objects.get_or_create(
            rule=rule,
            book=book,
            county_id=row["county"],
            defaults={**amounts, "lump_sum": row.get("lump_sum", False)},
        )
        if created:
            instalments_generate(position=position, actor=DEMO_LOADER)
    for row in data["claims"]:
        PrePoolingClaim.objects.get_or_create(
            book=book,
            county_id=row["county"],
            counterparty=row["counterparty"],
            kind=row["kind"],
            defaults={"description": row["description"], "amount_fen": row["amount_fen"]},
        )

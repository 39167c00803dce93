"""The runner's test world: the resident book and a month's source entries in two counties,
the fake steps (fake_steps.py) in place of the real ones, and the ledger read back."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum

from funds.chart import Category as C
from funds.models import Book, Line
from funds.services import cr, dr, post_entry
from funds.services.setup import account_for, books_ensure
from tests.actors import SETUP

MARCH = date(2026, 3, 1)
A, B = "320902", "320903"
SOURCE = {A: 100_001, B: 50_003}  # fen collected in March
FAKE_STEPS = "tests.settlement.cycle.fake_steps.STEPS"


def source_post(
    county: str, amount: int, n: int = 1, on: date = date(2026, 3, 10), month: date = MARCH
) -> None:
    book = Book.objects.get(code="resident")
    post_entry(
        key=f"src:{month:%Y-%m}:{county}:{n}",
        book=book,
        memo="征缴到账",
        actor=SETUP,
        entry_date=on,
        lines=[
            dr(
                account_for(book=book, category=C.TREASURY_TRANSIT, county_code=county),
                amount,
                county,
            ),
            cr(account_for(book=book, category=C.INCOME_PREMIUM, county_code=county), amount),
        ],
    )


def world() -> None:
    books_ensure(area_code="320900", codes=["resident"])
    for county, amount in SOURCE.items():
        source_post(county, amount)


def balances() -> dict[tuple[str, str, str], int]:
    """The trial balance: Σ lines per book, account and county accounted to (non-zero only)."""
    rows = (
        Line.objects.values("entry__book__code", "account__code", "county_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    return {
        (r["entry__book__code"], r["account__code"], r["county_id"]): int(r["total"])
        for r in rows
        if r["total"]
    }


def balance(category: str, county: str, accounted_to: str | None = None) -> int:
    book = Book.objects.get(code="resident")
    account = account_for(book=book, category=category, county_code=county)
    lines = Line.objects.filter(account=account)
    if accounted_to:
        lines = lines.filter(county_id=accounted_to)
    return int(lines.aggregate(s=Sum("amount_fen"))["s"] or 0)

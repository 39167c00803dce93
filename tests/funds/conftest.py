"""Fixtures of the fund ledger: the demo city's books and a helper to find accounts."""

from __future__ import annotations

import pytest

from funds.chart import Category
from funds.models import Account, Book
from funds.services.setup import account_for, books_ensure


@pytest.fixture
def books(regions) -> dict[str, Book]:
    return {
        b.code: b for b in books_ensure(area_code="320900", codes=["resident", "employee_pooled"])
    }


@pytest.fixture
def resident(books) -> Book:
    return books["resident"]


@pytest.fixture
def acct(books):
    """acct(book, Category.X, "320902") -> that unit's account (or the city's)."""

    def find(book: Book, category: str, county: str = "320900") -> Account:
        return account_for(book=book, category=category, county_code=county)

    return find


__all__ = ["Category"]

"""Books and their chart of accounts for a pooling area (idempotent)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from funds.chart import BOOKS, KINDS, Category, account_code, kinds_of
from funds.models import Account, Book
from pooling.kernel.choices import RegionLevel
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, require
from pooling.kernel.scoping import unrestricted
from pooling.models import Region

THRESHOLDS_ORDER = _("可支付月数预警线须满足：严重不足线 ≤ 预警线 ≤ 结余过多线")


@transaction.atomic
def books_ensure(*, area_code: str, codes: list[str] | None = None) -> list[Book]:
    """One book per scheme, and in each the city's accounts and every handling unit's.

    City-level kinds (treasury transit, fiscal special account, city expenditure
    account, fund balance, risk reserve) get one account owned by the area; the
    others one account per handling unit. Running it again adds what is missing.
    `codes` limits it to some books (tests build only what they use).
    """
    area = Region.objects.get(code=area_code)
    units = list(Region.objects.filter(parent=area, level=RegionLevel.COUNTY, is_active=True))
    books = []
    with unrestricted():
        for order, spec in enumerate(BOOKS):
            if codes is not None and spec.code not in codes:
                continue
            book, _created = Book.objects.update_or_create(
                code=spec.code,
                defaults={"scheme": spec.scheme, "name": spec.name, "sort_order": order},
            )
            books.append(book)
            have = set(Account.objects.filter(book=book).values_list("code", flat=True))
            new = []
            for kind in kinds_of(book.code):
                for owner in (
                    [area] if kind.city_level else units + ([area] if kind.city_unit else [])
                ):
                    code = account_code(kind.category, owner.code)
                    if code in have:
                        continue
                    label = Category(kind.category).label
                    new.append(
                        Account(
                            book=book,
                            county=owner,
                            code=code,
                            name=f"{owner.name}{label}",
                            category=kind.category,
                            klass=kind.klass,
                            side=kind.side,
                            city_level=kind.city_level,
                            no_overdraft=kind.no_overdraft,
                        )
                    )
            Account.objects.bulk_create(new)
    return books


def account_for(*, book: Book, category: str, county_code: str) -> Account:
    """The account of this kind owned by this unit (or by the city for city-level kinds)."""
    kind = KINDS[category]
    with unrestricted():  # a clerk's contribution posts to the city's treasury account too
        if kind.city_level:
            return Account.objects.get(book=book, category=category, city_level=True)
        return Account.objects.get(book=book, code=account_code(category, county_code))


def thresholds_check(*, danger_below: Decimal, warn_below: Decimal, warn_above: Decimal) -> None:
    """The warning lines must be ordered: danger ≤ warning ≤ excess."""
    if not Decimal(0) <= danger_below <= warn_below <= warn_above:
        raise BusinessRuleError(THRESHOLDS_ORDER, code="thresholds", field="capacity_warn_below")


@transaction.atomic
def book_thresholds_set(
    *, book: Book, danger_below: Decimal, warn_below: Decimal, warn_above: Decimal, actor: Actor
) -> Book:
    """Set a book's warning lines for months of payment capacity (each city sets its own)."""
    require(actor, "fund.configure")
    thresholds_check(danger_below=danger_below, warn_below=warn_below, warn_above=warn_above)
    book = Book.objects.select_for_update().get(pk=book.pk)
    book.capacity_danger_below, book.capacity_warn_below, book.capacity_warn_above = (
        danger_below,
        warn_below,
        warn_above,
    )
    book.full_clean()
    book.save(update_fields=["capacity_danger_below", "capacity_warn_below", "capacity_warn_above"])
    return book

"""Helpers for the personal-account sub-ledger tests: people whose allocation is due, cash in
the pooled fund, and the numbers the reconciliation compares."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum

from enrollment import services
from enrollment.models import Enrolment, Person, PersonalAccount
from funds.chart import PERSONAL_BOOK, POOLED_BOOK
from funds.chart import Category as C
from funds.models import Account
from funds.services import cr, dr, post_entry
from funds.services.reconcile import reconcile_ledger
from funds.services.setup import account_for, books_ensure
from pooling.models import Region
from tests.actors import SETUP
from tests.enrollment import factories as f

BASE_FEN = 500000  # account share at the demo policy's 2 %: 10,000 fen a month


def paid_employee(
    county: Region,
    name: str = "张三",
    months: tuple[date, ...] = (date(2026, 1, 1),),
    *,
    start: date = date(2026, 1, 1),
) -> Enrolment:
    """An employee whose contributions for `months` were declared and have arrived."""
    e = f.employee_enrolment(county, name, start=start)
    assert e.employer is not None
    for month in months:
        line = services.declaration_line_add(
            employer=e.employer,
            month=month,
            person=e.person,
            declared_base_fen=BASE_FEN,
            actor=SETUP,
        ).line
        services.collection_record(
            tax_ref=f"T{e.person_id}-{month:%Y%m}",
            credit_code=e.employer.credit_code,
            month=month,
            amount_fen=line.declaration.total_fen,
            received_on=month,
            actor=SETUP,
        )
    return e


def retiree(county: Region, name: str = "退休人") -> Person:
    e = f.employee_enrolment(county, name, start=date(2025, 1, 1))
    return services.person_retire(person=e.person, on=date(2025, 12, 1), actor=SETUP)


def pooled_cash(county_code: str, amount_fen: int) -> None:
    """Premiums in the pooled fund's share of the fiscal special account (what retirees are paid from)."""
    book = {
        b.code: b for b in books_ensure(area_code="320900", codes=[POOLED_BOOK, PERSONAL_BOOK])
    }[POOLED_BOOK]
    post_entry(
        key=f"test:pooled-cash:{county_code}",
        book=book,
        memo="统筹基金保费",
        entry_date=date(2026, 1, 10),
        lines=[
            dr(
                account_for(book=book, category=C.FISCAL_SPECIAL, county_code=county_code),
                amount_fen,
                county_code,
            ),
            cr(
                account_for(book=book, category=C.INCOME_PREMIUM, county_code=county_code),
                amount_fen,
            ),
        ],
        actor=SETUP,
    )


def control_fen(county_code: str) -> int:
    """The county's control account in the personal-account book, on its own (credit) side."""
    account = Account.objects.filter(
        book__code=PERSONAL_BOOK, category=C.PERSONAL_ACCOUNT_BALANCE, county_id=county_code
    ).first()
    return account.normal_balance_fen if account else 0


def balances_fen(county_code: str) -> int:
    return int(
        PersonalAccount.objects.filter(person__county_id=county_code).aggregate(
            s=Sum("balance_fen")
        )["s"]
        or 0
    )


def discrepancies() -> list[tuple[str, tuple]]:
    return [(d.check, d.row) for d in reconcile_ledger()]

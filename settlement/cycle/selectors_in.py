"""What the money-in steps did in a month, as rows for their pages and exports.

Read from the ledger and the schedules (never from the shards' counts), so a page shows
what is booked, adjustments included; county-scoped by the models' scoping (a county
clerk's query only returns their county's lines and instalments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from enrollment.models import (
    AccountPosting,
    Collection,
    PersonalAccount,
    PostingKind,
    ResidentContribution,
)
from funds.chart import PERSONAL_BOOK
from funds.chart import Category as C
from funds.models import Account, Instalment, Line, MonthlyPlan
from pooling.kernel.dates import month_end
from pooling.models import Region

# Each step's keys start with "<step>:<YYYY-MM>:" (adjustments add "|adj:<run>").


@dataclass(frozen=True)
class BookRow:
    county: str
    county_name: str
    book: str
    book_name: str
    amounts: dict[str, int]  # column → fen


def _book_rows(prefix: str, columns: dict[str, list[str]]) -> list[BookRow]:
    """Σ of the lines under `prefix` by county × book, one column per group of categories
    (credits shown positive for income and liabilities; debits positive for assets)."""
    wanted = {cat for cats in columns.values() for cat in cats}
    sums = (
        Line.objects.filter(entry__key__startswith=prefix, account__category__in=wanted)
        .values(
            "county_id",
            "county__name",
            "book__code",
            "book__name",
            "book__sort_order",
            "account__category",
        )
        .annotate(total=Sum("amount_fen"))
        .order_by("county_id", "book__sort_order")
    )
    rows: dict[tuple[str, str], BookRow] = {}
    for r in sums:
        key = (r["county_id"], r["book__code"])
        row = rows.setdefault(
            key,
            BookRow(
                r["county_id"],
                r["county__name"],
                r["book__code"],
                r["book__name"],
                dict.fromkeys(columns, 0),
            ),
        )
        for column, cats in columns.items():
            if r["account__category"] in cats:
                sign = 1 if column in DEBIT_COLUMNS else -1
                row.amounts[column] += sign * int(r["total"])
    return list(rows.values())


DEBIT_COLUMNS = {"to_special", "disbursed"}
COLLECTION_COLUMNS: dict[str, list[str]] = {
    "income": [C.INCOME_PREMIUM],
    "suspense": [C.SUSPENSE],
    "to_special": [C.FISCAL_SPECIAL],
}
DISBURSEMENT_COLUMNS: dict[str, list[str]] = {"disbursed": [C.COUNTY_EXPENDITURE]}


def collection_rows(*, month: date) -> list[BookRow]:
    """Per county and book: premium income, change in suspense, moved to the special account."""
    return _book_rows(f"collection:{month:%Y-%m}:", COLLECTION_COLUMNS)


@dataclass(frozen=True)
class LateRow:
    """Money the month's collection step took in although it came in an earlier month."""

    county: str
    county_name: str
    payer: str  # the employer, or the resident
    ref: str  # the tax bureau's reference; "" for a resident
    day: date  # received (paid) on
    amount_fen: int
    note: str  # "到账 2026-03，计入 2026-04 归集"


def late_booked_rows(*, month: date) -> list[LateRow]:
    """Collections and residents' contributions booked in `month` but received before it:
    recorded after their own month's collection step ran (`settlement.cycle.booking`)."""
    collections = (
        Collection.objects.filter(booked_month=month, received_on__lt=month)
        .select_related("county", "employer")
        .order_by("county_id", "received_on", "tax_ref")
    )
    residents = (
        ResidentContribution.objects.filter(booked_month=month, paid_on__lt=month)
        .select_related("county", "person")
        .order_by("county_id", "paid_on", "pk")
    )
    rows = [
        LateRow(
            c.county_id,
            c.county.name,
            c.employer.name,
            c.tax_ref,
            c.received_on,
            c.amount_fen,
            c.booking_note,
        )
        for c in collections
    ] + [
        LateRow(
            r.county_id, r.county.name, r.person.name, "", r.paid_on, r.paid_fen, r.booking_note
        )
        for r in residents
    ]
    return sorted(rows, key=lambda r: (r.county, r.day))


@dataclass(frozen=True)
class PlanRow:
    county: str
    county_name: str
    book_name: str
    planned_fen: int
    approved: bool
    disbursed_fen: int


def disbursement_rows(*, month: date) -> list[PlanRow]:
    """Each county's plan of the month, whether approved, and what reached its account."""
    done = {
        (r.county, r.book): r.amounts["disbursed"]
        for r in _book_rows(f"disbursement:{month:%Y-%m}:", DISBURSEMENT_COLUMNS)
    }
    plans = (
        MonthlyPlan.objects.filter(year=month.year, month=month.month)
        .select_related("county", "book")
        .order_by("county_id", "book__sort_order")
    )
    return [
        PlanRow(
            p.county_id,
            p.county.name,
            p.book.name,
            p.planned_expense_fen,
            p.approved_at is not None,
            done.get((p.county_id, p.book.code), 0),
        )
        for p in plans
    ]


@dataclass(frozen=True)
class InstalmentRow:
    instalment: Instalment
    county: str
    county_name: str
    book_name: str
    rule_name: str
    seq: int
    due_date: date
    amount_fen: int
    paid_fen: int
    due_in_month: bool
    overdue: bool

    @property
    def open_fen(self) -> int:
        return self.amount_fen - self.paid_fen


def instalments_of(*, month: date, county: str | None = None) -> list[InstalmentRow]:
    """Instalments due in the month, and those due before it still open (overdue)."""
    end = month_end(month)
    qs = (
        Instalment.objects.filter(due_date__lte=end)
        .annotate(paid=Coalesce(Sum("payments__amount_fen"), Value(0), output_field=IntegerField()))
        .filter(Q(due_date__gte=month) | Q(paid__lt=F("amount_fen")))
        .select_related("position__county", "position__book", "position__rule")
        .order_by("position__county_id", "due_date", "position__book__sort_order", "seq")
    )
    if county is not None:
        qs = qs.filter(position__county_id=county)
    return [
        InstalmentRow(
            i,
            i.position.county_id,
            i.position.county.name,
            i.position.book.name,
            i.position.rule.name,
            i.seq,
            i.due_date,
            i.amount_fen,
            int(i.paid),
            i.due_date >= month,
            i.due_date < month and i.paid < i.amount_fen,
        )
        for i in qs
    ]


@dataclass(frozen=True)
class AccountsRow:
    county: str
    county_name: str
    in_service_fen: int  # allocated for the month
    retiree_fen: int
    paid_fen: int  # paid at providers from the accounts (a positive number)
    control_fen: int  # the personal book's control account, now
    unswept_fen: int  # postings not yet in the books, now
    people_fen: int  # Σ the county's people's balances, now

    @property
    def difference_fen(self) -> int:
        """control + unswept − Σ balances: zero when the sub-ledger and the books agree."""
        return self.control_fen + self.unswept_fen - self.people_fen


def accounts_rows(*, month: date) -> list[AccountsRow]:
    """Per county: the month's allocations and payments, and the control identity now."""
    kinds: dict[tuple[str, str], int] = {
        (r["county_id"], r["kind"]): int(r["s"])
        for r in AccountPosting.objects.filter(month=month)
        .values("county_id", "kind")
        .annotate(s=Sum("amount_fen"))
    }
    control = {
        c: -int(b)
        for c, b in Account.objects.filter(
            book__code=PERSONAL_BOOK, category=C.PERSONAL_ACCOUNT_BALANCE
        ).values_list("county_id", "balance_fen")
    }
    unswept = {
        c: int(s)
        for c, s in AccountPosting.objects.filter(batch=None)
        .values("county_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("county_id", "s")
    }
    people = {
        c: int(s)
        for c, s in PersonalAccount.objects.values("person__county_id")
        .annotate(s=Sum("balance_fen"))
        .values_list("person__county_id", "s")
    }
    codes = sorted({c for c, _k in kinds} | set(people) | {c for c, v in control.items() if v})
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        AccountsRow(
            c,
            names.get(c, c),
            kinds.get((c, PostingKind.ALLOCATION), 0),
            kinds.get((c, PostingKind.RETIREE_ALLOCATION), 0),
            -kinds.get((c, PostingKind.PAYMENT), 0) - kinds.get((c, PostingKind.PAYMENT_REFUND), 0),
            control.get(c, 0),
            unswept.get(c, 0),
            people.get(c, 0),
        )
        for c in codes
    ]

"""The month's reconciliation (对账): the ledger's own checks, then settlements = postings.

1. The ledger and every sub-ledger (`funds.services.reconcile`: what `manage.py reconcile`
   runs — balances, totals, the personal-account control, settlement accumulators).
2. For the month, per provider and book: the fund's share of the month's settlements
   (hifp_pay to the settlement's book, hifmi_pay to resident_critical, hifob_pay to
   employee_large) = the benefit expense posted under `settle:<month>:<provider>:<book>`
   and its adjustments. This is the contract with the provider step: its entries carry the
   gross benefit expense on benefit-category accounts; deductions, deposit and payment move
   payable and cash, not expense. (The personal account reaches the books through the
   sub-ledger sweep, proved by check 1, so it is not compared again here.) A settlement
   written after the provider step ran — or an entry tampered with — shows here.
3. Per county and book: the clearing account's postings under `clear:<month>:` = what the
   clearing matrix says the county is owed (+) or owes (−).

4. Per provider and book: the provider step's statement (结算单, its book lines' gross owed) =
   the month's settlements, the personal account included (a statement missing, or written
   before a late settlement, shows here). A month without any statement is left to check 2:
   the provider step has not run, so its postings are missing too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from funds.chart import BENEFIT_CATEGORIES, BOOKS
from funds.chart import Category as C
from funds.models import Line
from funds.services.reconcile import Discrepancy, reconcile_ledger
from pooling.kernel.scoping import current_scope, unrestricted
from pooling.models import Region
from providers.models import Provider
from settlement.cycle import clearing
from settlement.cycle.base import ADJUST_MARK
from settlement.models import ProviderMonthStatement

PROVIDER = "provider"
CLEARING = "clearing"
STATEMENT = "statement"
REIMBURSEMENT = "reimbursement"
BOOK_NAMES = {b.code: b.name for b in BOOKS}
KIND_LABELS = {
    PROVIDER: _("定点机构结算与记账"),
    CLEARING: _("县际清算与记账"),
    STATEMENT: _("定点机构结算与结算单（记账数列为结算单应付金额）"),
    REIMBURSEMENT: _("零星报销与记账"),
}


@dataclass(frozen=True)
class Difference:
    kind: str  # PROVIDER or CLEARING
    unit: str  # the handling unit the row belongs to (who may see it)
    subject: str  # provider code, or county code
    subject_name: str
    book: str
    ours_fen: int  # what the settlements say
    posted_fen: int  # what the ledger holds

    @property
    def diff_fen(self) -> int:
        return self.posted_fen - self.ours_fen

    @property
    def book_name(self) -> str:
        return BOOK_NAMES.get(self.book, self.book)

    @property
    def kind_label(self) -> Any:
        return KIND_LABELS[self.kind]

    def __str__(self) -> str:
        return f"{self.subject_name}（{self.subject}）{self.book_name}：结算 {self.ours_fen} 分，记账 {self.posted_fen} 分"


def settle_prefix(month: date) -> str:
    return f"settle:{month:%Y-%m}:"


def _logical(key: str) -> list[str]:
    return key.split(ADJUST_MARK)[0].split(":")


def _settled(sums: list[clearing.Sums]) -> dict[tuple[int, str], int]:
    """The fund's share of the month's provider settlements, per (provider id, book); the
    personal account is left out (see the module's docstring)."""
    out: dict[tuple[int, str], int] = defaultdict(int)
    for r in sums:
        if r.provider_id is not None:
            for book, amount in r.by_book()[:3]:
                out[(r.provider_id, book)] += amount
    return out


def _posted_expense(month: date) -> dict[tuple[str, str], int]:
    """Benefit expense posted under the month's `settle:` keys, per (provider code, book)."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    rows = (
        Line.objects.filter(
            entry__key__startswith=settle_prefix(month), account__category__in=BENEFIT_CATEGORIES
        )
        .order_by()
        .values("entry__key", "book__code")
        .annotate(total=Sum("amount_fen"))
    )
    for r in rows:
        parts = _logical(r["entry__key"])
        if len(parts) >= 3:
            out[(parts[2], r["book__code"])] += int(r["total"])
    return out


def _provider_differences(month: date, sums: list[clearing.Sums]) -> list[Difference]:
    by_id = _settled(sums)
    providers = {p.pk: p for p in Provider.objects.filter(pk__in={pid for pid, _b in by_id})}
    settled: dict[tuple[str, str], int] = defaultdict(int)
    for (pid, book), amount in by_id.items():
        settled[(providers[pid].national_code, book)] += amount
    posted = _posted_expense(month)
    keys = sorted(k for k in set(settled) | set(posted) if settled.get(k, 0) != posted.get(k, 0))
    by_code = {p.national_code: p for p in providers.values()}
    by_code.update(
        {
            p.national_code: p
            for p in Provider.objects.filter(
                national_code__in={code for code, _b in keys} - set(by_code)
            )
        }
    )
    out = []
    for code, book in keys:
        p = by_code.get(code)
        out.append(
            Difference(
                PROVIDER,
                p.handling_region_id if p else "",
                code,
                p.name if p else code,
                book,
                settled.get((code, book), 0),
                posted.get((code, book), 0),
            )
        )
    return out


def _clearing_differences(month: date, sums: list[clearing.Sums]) -> list[Difference]:
    expected: dict[tuple[str, str], int] = defaultdict(int)
    for cell in clearing.matrix(month, sums):
        if cell.crosses:
            expected[(cell.payer, cell.book)] += cell.amount_fen
            expected[(cell.insured, cell.book)] -= cell.amount_fen
    posted = {
        (r["county_id"], r["book__code"]): int(r["total"])
        for r in Line.objects.filter(
            entry__key__startswith=clearing.key_prefix(month),
            account__category=C.INTER_COUNTY_CLEARING,
        )
        .order_by()
        .values("county_id", "book__code")
        .annotate(total=Sum("amount_fen"))
    }
    keys = sorted(k for k in set(expected) | set(posted) if expected.get(k, 0) != posted.get(k, 0))
    names = dict(Region.objects.filter(code__in={k[0] for k in keys}).values_list("code", "name"))
    return [
        Difference(
            CLEARING,
            county,
            county,
            names.get(county, county),
            book,
            expected.get((county, book), 0),
            posted.get((county, book), 0),
        )
        for county, book in keys
    ]


def month_differences(month: date) -> list[Difference]:
    """Every difference between the month's settlements and its postings (all counties)."""
    with unrestricted():
        sums = clearing.month_sums(month)
        return (
            _provider_differences(month, sums)
            + _clearing_differences(month, sums)
            + _statement_differences(month, sums)
            + _reimbursement_differences(month)
        )


def _reimbursement_differences(month: date) -> list[Difference]:
    """5. Per handling unit and book: the month's reimbursements (no provider) = the benefit
    expense posted under `reimburse:<month>:<unit>:<book>`."""
    from settlement.cycle.reimbursements import month_reimbursements
    from settlement.cycle.steps.reimbursements import key_prefix

    paid = {k: sum(v.values()) for k, v in month_reimbursements(month).items()}
    posted: dict[tuple[str, str], int] = defaultdict(int)
    for r in (
        Line.objects.filter(
            entry__key__startswith=key_prefix(month), account__category__in=BENEFIT_CATEGORIES
        )
        .order_by()
        .values("entry__key", "book__code")
        .annotate(total=Sum("amount_fen"))
    ):
        posted[(_logical(r["entry__key"])[2], r["book__code"])] += int(r["total"])
    keys = sorted(k for k in set(paid) | set(posted) if paid.get(k, 0) != posted.get(k, 0))
    names = dict(Region.objects.filter(code__in={u for u, _b in keys}).values_list("code", "name"))
    return [
        Difference(
            REIMBURSEMENT,
            unit,
            unit,
            names.get(unit, unit),
            book,
            paid.get((unit, book), 0),
            posted.get((unit, book), 0),
        )
        for unit, book in keys
    ]


def _statement_differences(month: date, sums: list[clearing.Sums]) -> list[Difference]:
    if not ProviderMonthStatement.objects.filter(month=month).exists():
        return []
    settled: dict[tuple[int, str], int] = defaultdict(int)
    for r in sums:
        if r.provider_id is not None:
            for book, amount in r.by_book():
                settled[(r.provider_id, book)] += amount
    stated: dict[tuple[int, str], int] = defaultdict(int)
    for provider_id, books in ProviderMonthStatement.objects.filter(month=month).values_list(
        "provider_id", "books"
    ):
        for b in books:
            stated[(provider_id, b["book"])] += int(b["gross"])
    keys = sorted(k for k in set(settled) | set(stated) if settled.get(k, 0) != stated.get(k, 0))
    providers = {p.pk: p for p in Provider.objects.filter(pk__in={pid for pid, _b in keys})}
    return [
        Difference(
            STATEMENT,
            providers[pid].handling_region_id,
            providers[pid].national_code,
            providers[pid].name,
            book,
            settled.get((pid, book), 0),
            stated.get((pid, book), 0),
        )
        for pid, book in keys
    ]


def ledger_discrepancies(*, limit: int = 20) -> list[Discrepancy]:
    """What `manage.py reconcile` finds (empty: the ledger and its sub-ledgers are true)."""
    with unrestricted():
        return reconcile_ledger(limit=limit)


@dataclass
class Report:
    month: date
    differences: list[Difference]
    ledger: list[Discrepancy] = field(default_factory=list)
    ledger_shown: bool = False  # the city-wide checks are shown to city-level readers only

    @property
    def clean(self) -> bool:
        return not self.differences and not self.ledger


def report(month: date) -> Report:
    """The reconciliation page as the reader may see it: a county clerk gets their unit's rows."""
    scope = current_scope()
    rows = [d for d in month_differences(month) if scope.allows(d.unit)]
    if not scope.all_regions:
        return Report(month, rows)
    return Report(month, rows, ledger_discrepancies(), ledger_shown=True)

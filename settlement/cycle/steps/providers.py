"""Step: 定点机构结算 — each provider's month settled, paid (or held) and stated.

Shards are batches of `BATCH` providers in national-code order; a shard's key holds its
bounds `<first code>~<next batch's first code>` (half-open, the first open below and the
last above), so the batches partition every provider however many are registered later,
and a shard never needs another shard of this step. Per shard: one GROUP BY over the
month's settlements (`provider_figures`) in parallel, then, one shard at a time, the
payment decided per provider (`provider_pay`, which documents the entries), the expenditure accounts checked under
their row locks (never overdrawn: the shard fails naming unit, book, need and balance),
the entries posted through `post_desired`, and each provider's statement (结算单)
written (`statements.provider_statements_write`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _

from funds.chart import Category as C
from funds.models import Account, Book
from funds.services.setup import books_ensure
from pooling.kernel.dates import month_end
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import format_yuan
from pooling.kernel.scoping import unrestricted
from pooling.models import Region
from pooling.policy.document import policy_in_force
from providers.models import Provider
from providers.selectors import deductions_by_provider, deposit_release_ratios, provider_states_on
from settlement.cycle.base import Desired, ShardContext, StepDef, post_desired
from settlement.cycle.provider_figures import BOOK_ORDER, ProviderFigures, month_figures
from settlement.cycle.provider_pay import PayTerms, ProviderPay, decide, desired_entries
from settlement.cycle.statements import (
    Carry,
    carried_into_month,
    paid_as_stated,
    provider_statements_write,
    released_elsewhere,
    withheld_in_year,
)

BATCH = 50
LOCK_NAMESPACE = (
    0x1C7  # "monthly cycle step" advisory-lock namespace; 5 = this step (its place in STEPS)
)
BOUND = "~"
NOT_ENOUGH = _(
    "%(unit)s%(book)s县级支出户余额不足，不能支付定点机构：本批需支付 %(needed)s 元，"
    "可用余额 %(available)s 元。请先完成本月拨付（或调整用款计划）后再继续清算。"
)


def plan(month: date) -> list[str]:
    with unrestricted():
        codes = list(
            Provider.objects.order_by("national_code").values_list("national_code", flat=True)
        )
    starts = codes[::BATCH]
    if not starts:
        return []
    bounds = ["", *starts[1:], ""]
    return [f"{lo}{BOUND}{hi}" for lo, hi in zip(bounds, bounds[1:], strict=False)]


def _providers(shard: str) -> list[tuple[int, str, str]]:
    lo, hi = shard.split(BOUND)
    with unrestricted():
        rows = Provider.objects.all()
        if lo:
            rows = rows.filter(national_code__gte=lo)
        if hi:
            rows = rows.filter(national_code__lt=hi)
        return list(
            rows.order_by("national_code").values_list("pk", "national_code", "handling_region_id")
        )


def work(ctx: ShardContext) -> dict[str, int]:
    providers = _providers(ctx.shard)
    ids = [pk for pk, _code, _unit in providers]
    figures = month_figures(month=ctx.month, provider_ids=ids)
    # The payment is decided in our turn: it reads other months' statements (what is left to
    # carry, the deposit released elsewhere), which another run's shard may be writing.
    _one_shard_posts_at_a_time()
    _ensure_accounts()  # after the turn is ours: two shards never add the same account at once
    # An adjustment also recomputes providers the month no longer owes anything (their statement
    # exists): what was posted for them is undone; what they were paid stands (provider_pay).
    paid = paid_as_stated(provider_ids=ids, month=ctx.month) if ctx.adjustment else None
    pays = _decide_all(ctx.month, providers, figures, paid)
    desired = {
        p.provider_id: _in_book_order(
            desired_entries(
                ctx.month, figures.get(p.provider_id) or ProviderFigures(p.provider_id), p
            )
        )
        for p in pays
    }
    if (
        ctx.adjustment
    ):  # each provider's keys recomputed as one scope: what is no longer due is undone
        # The closed month's payment left the bank: an adjustment never rewrites it. What the
        # provider is owed more (or was paid too much) is the month's kept amount, which the
        # next month the provider is paid carries — never cash the bank did not move.
        posted = [
            post_desired(
                ctx,
                desired[p.provider_id],
                scope=f"settle:{ctx.month_label}:{p.code}:",
                frozen=_is_payment,
            )
            for p in pays
        ]
    else:
        _check_expenditure(pays)
        posted = [
            post_desired(ctx, _in_book_order([d for p in pays for d in desired[p.provider_id]]))
        ]
    written = provider_statements_write(ctx, pays, figures)
    return {
        "providers": len(pays),
        "statements": written.statements,
        "held": sum(p.held for p in pays),
        "differences": written.differences,
        "entries": sum(p.entries for p in posted),
        "paid_fen": sum(b.net_fen for p in pays for b in p.books.values()),
    }


def _is_payment(key: str) -> bool:
    return key.endswith(":pay")


def _in_book_order(entries: list[Desired]) -> list[Desired]:
    """post_desired posts book by book in the order books first appear: the same order in
    every shard, so two shards lock the books' accounts in the same order."""
    return sorted(entries, key=lambda d: BOOK_ORDER.index(d.book))


def _one_shard_posts_at_a_time() -> None:
    """Shards of this step run in parallel up to here (the GROUP BY); their postings touch
    the same payable, deposit and expenditure accounts of every book, so they take turns,
    for the rest of the transaction, instead of risking a deadlock between two shards that
    lock those rows in different orders (an adjustment posts provider by provider). Taking
    turns also makes reading earlier statements (what to carry) and recording the carry in
    them one step: a shard of another run never changes them in between."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, 5])


def _decide_all(
    month: date,
    providers: list[tuple[int, str, str]],
    figures: dict[int, ProviderFigures],
    paid: dict[int, tuple[dict[str, Any], int]] | None,
) -> list[ProviderPay]:
    """`paid`: in an adjustment, the statements of the closed month (what was paid stands)."""
    ids = [pk for pk, _c, _u in providers]
    rate = policy_in_force(on=month_end(month)).provider_payment.quality_deposit_rate
    deductions = deductions_by_provider(provider_ids=ids, month=month)
    states = provider_states_on(provider_ids=ids, on=month_end(month))
    year = month.year - 1  # the assessment of last year releases last year's deposit
    ratios = deposit_release_ratios(provider_ids=ids, year=year)
    elsewhere = released_elsewhere(provider_ids=list(ratios), year=year, month=month)
    due = [pk for pk in ratios if pk not in elsewhere]
    withheld = withheld_in_year(provider_ids=due, year=year)
    carried = {} if paid is not None else carried_into_month(provider_ids=ids, month=month)
    pays = []
    for pk, code, unit in providers:
        d = deductions.get(pk)
        releasing = pk in due and any(withheld.get(pk, {}).values())
        carry = carried.get(pk) or Carry({})
        was = paid.get(pk) if paid is not None else None
        terms = PayTerms(
            deposit_rate=rate,
            deductions_fen=(d.total_fen + d.recover_fen) if d else 0,
            state=states.get(pk, ""),
            release_year=year if releasing else None,
            release_ratio=ratios.get(pk, Decimal(0)),
            withheld_in_year=withheld.get(pk, {}),
            carried=carry.books,
            # Adjusting: the deductions the closed month carried in, as paid.
            deductions_carried_fen=was[1] if was else carry.deductions_fen,
            paid=None if paid is None else was[0] if was else {},
        )
        if pk in figures or terms.deductions_fen or releasing or carry or was:
            pays.append(
                decide(figures.get(pk) or ProviderFigures(pk), code=code, unit=unit, terms=terms)
            )
    return pays


def _check_expenditure(pays: list[ProviderPay]) -> None:
    """Lock the expenditure accounts this shard pays from (in id order, as the ledger does) and
    refuse, naming unit and book, a payment their balance cannot bear."""
    needed: dict[tuple[str, str], int] = defaultdict(int)
    for p in pays:
        for book, bp in p.books.items():
            if bp.net_fen:
                needed[(book, p.unit)] += bp.net_fen
    if not needed:
        return
    with unrestricted():
        accounts = list(
            Account.objects.select_for_update()
            .filter(
                category__in=(C.COUNTY_EXPENDITURE, C.CITY_EXPENDITURE),
                book__code__in={b for b, _u in needed},
                county_id__in={u for _b, u in needed},
            )
            .select_related("book", "county")
            .order_by("pk")
        )
    for account in accounts:
        need = needed.pop((account.book.code, account.county_id), 0)
        if need > account.balance_fen:
            _refuse(account.county.name, account.book.name, need, account.balance_fen)
    for (book, unit), need in needed.items():  # no such account at all: nothing to pay from
        _refuse(Region.objects.get(pk=unit).name, Book.objects.get(code=book).name, need, 0)


def _refuse(unit: str, book: str, need: int, available: int) -> None:
    raise BusinessRuleError(
        NOT_ENOUGH,
        code="expenditure_short",
        params={
            "unit": unit,
            "book": book,
            "needed": format_yuan(need),
            "available": format_yuan(available),
        },
    )


def _ensure_accounts() -> None:
    """Books opened before the chart had the quality deposit get it now (idempotent)."""
    have = set(
        Account.objects.filter(category=C.QUALITY_DEPOSIT)
        .values_list("book__code", flat=True)
        .distinct()
    )
    if not set(BOOK_ORDER) <= have:
        books_ensure(area_code=settings.POOLING_AREA_CODE)


STEP = StepDef("providers", _("定点机构结算"), plan, work)

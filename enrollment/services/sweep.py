"""The sub-ledger meets the funds books: unmatched postings swept into batches, one funds
entry per batch.

Postings are written at settlement speed without touching the funds ledger (one entry
per payment would queue every settlement on the county's control-account row lock).
A sweep takes every unmatched posting of one county and month, marks them with a new
batch per kind in one UPDATE (whose RETURNING gives each batch's count and total), and posts
each batch's total as one entry of the personal-account
book keyed by the batch — `FLOWS` says against which account. A retiree allocation is
money leaving the pooled fund: one entry in each book, the pooled one keyed
`<batch key>:pooled`, both with the source `SOURCE`.

So, per county, at every moment (`enrollment.reconcile` proves it):
    control account balance + Σ unmatched postings = Σ the county's people's balances.

Transfers: a posting is accounted to the county the person belongs to when it is
written; a transfer moves the whole balance with a pair of postings (out of the old
county, into the new). Their batches go through the city's transfer clearing account,
so each county's control follows its people, and the clearing account returns to zero
once both sides are swept (clearing + Σ unmatched transfer postings = 0).

Nothing is matched twice or lost: a posting's batch is set once (the database refuses
any other change), the sweep of a county holds that county's control account locked
from start to end (a second sweep waits, then finds only what arrived meanwhile), and
all of it is one transaction — a worker dying mid-sweep leaves no batch, no matched
posting and no entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import translation

from enrollment.models import AccountBatch, AccountPosting, PostingKind
from funds.chart import PERSONAL_BOOK, POOLED_BOOK
from funds.chart import Category as C
from funds.models import Account, Book
from funds.services import LineSpec, post_entry
from funds.services.setup import account_for, books_ensure
from pooling.kernel.dates import first_of_month, month_end
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.kernel.scoping import OTHER_COUNTY, READ_ONLY, current_scope, unrestricted
from pooling.models import Region

SOURCE = "enrollment.account_batch"


@dataclass(frozen=True)
class Flow:
    """Where a batch's total goes: the personal book's counter-account to the control
    account and, for money coming out of the pooled fund, the pooled book's pair."""

    counter: str
    pooled: tuple[str, str] | None = None  # (debited, credited) in the pooled book


FLOWS: dict[str, Flow] = {
    # In-service: the employee's own share, collected with the contributions.
    PostingKind.ALLOCATION: Flow(C.TREASURY_TRANSIT),
    # Retirees: the pooled fund pays it over; cash moves between the books' shares of
    # the fiscal special account.
    PostingKind.RETIREE_ALLOCATION: Flow(
        C.FISCAL_SPECIAL, pooled=(C.BENEFIT_PERSONAL_ACCOUNT, C.FISCAL_SPECIAL)
    ),
    # Paid at a provider: owed to it until the monthly provider settlement.
    PostingKind.PAYMENT: Flow(C.PAYABLE_PROVIDER),
    # A cancelled settlement: the provider is owed that much less, the account has it back.
    PostingKind.PAYMENT_REFUND: Flow(C.PAYABLE_PROVIDER),
    PostingKind.TRANSFER_OUT: Flow(C.PERSONAL_ACCOUNT_CLEARING),
    PostingKind.TRANSFER_IN: Flow(C.PERSONAL_ACCOUNT_CLEARING),
}


@dataclass(frozen=True)
class Swept:
    """A batch as swept: how many postings it matched and their total (fen)."""

    batch: AccountBatch
    count: int
    total_fen: int


def account_postings_sweep(
    *, county_code: str, month: date, actor: Actor, entry_date: date | None = None
) -> list[AccountBatch]:
    """Match every unmatched posting of one county and month: a batch and a funds entry
    per kind, dated `entry_date` (default: the month's last day). Returns the new
    batches (none if there was nothing to match). A city decision, never a county's."""
    swept = account_postings_sweep_totals(
        county_code=county_code, month=month, actor=actor, entry_date=entry_date
    )
    return [s.batch for s in swept]


def account_postings_sweep_totals(
    *, county_code: str, month: date, actor: Actor, entry_date: date | None = None
) -> list[Swept]:
    """`account_postings_sweep`, with each batch's count and total (what the monthly cycle
    reports, without reading the matched postings again)."""
    require(actor, "account.sweep")
    scope = current_scope()
    if scope.read_only or not scope.all_regions:
        raise PermissionDenied(READ_ONLY if scope.read_only else OTHER_COUNTY)
    month = first_of_month(month)
    with unrestricted(), transaction.atomic():
        personal, pooled, control = _books_and_control(county_code)
        # Held to the end: sweeps of this county queue here, not on half-matched batches.
        Account.objects.select_for_update().filter(pk=control.pk).exists()
        unmatched = AccountPosting.objects.filter(
            batch__isnull=True, county_id=county_code, month=month
        )
        # The distinct kinds only (not a row per posting: 80,000 a county in a city month).
        kinds = sorted(unmatched.order_by().values_list("kind", flat=True).distinct())
        batches = [_new_batch(kind, county_code, month, actor) for kind in kinds]
        totals = _match(batches, county_code, month)
        day = entry_date or month_end(month)
        swept = [Swept(b, *totals[b.pk]) for b in batches]
        for s in swept:
            _post(s, day, personal, pooled, control, actor)
        return swept


def account_postings_sweep_all(*, until: date, actor: Actor) -> list[AccountBatch]:
    """Sweep every county and month up to `until` that has unmatched postings, each
    (county, month) in its own transaction — what the monthly cycle runs."""
    require(actor, "account.sweep")
    with unrestricted():
        pending = sorted(
            set(
                AccountPosting.objects.filter(
                    batch__isnull=True, month__lte=first_of_month(until)
                ).values_list("county_id", "month")
            )
        )
    batches: list[AccountBatch] = []
    for county_code, month in pending:
        batches += account_postings_sweep(county_code=county_code, month=month, actor=actor)
    return batches


def _books_and_control(county_code: str) -> tuple[Book, Book, Account]:
    for attempt in range(2):
        try:
            personal, pooled = (
                Book.objects.get(code=PERSONAL_BOOK),
                Book.objects.get(code=POOLED_BOOK),
            )
            control = account_for(
                book=personal, category=C.PERSONAL_ACCOUNT_BALANCE, county_code=county_code
            )
            return personal, pooled, control
        except ObjectDoesNotExist:
            if attempt:
                raise
            # Books not opened yet, or opened before the chart had the control account:
            # add what is missing (idempotent) and look again.
            books_ensure(area_code=settings.POOLING_AREA_CODE, codes=[PERSONAL_BOOK, POOLED_BOOK])
    raise AssertionError("unreachable")


def _new_batch(kind: str, county_code: str, month: date, actor: Actor) -> AccountBatch:
    done = AccountBatch.objects.filter(county_id=county_code, month=month, kind=kind).count()
    return AccountBatch.objects.create(
        county_id=county_code,
        month=month,
        kind=kind,
        created_by=staff_user(actor),
        key=f"pa:{county_code}:{month:%Y-%m}:{kind}:{done + 1}",
    )


def _match(
    batches: list[AccountBatch], county_code: str, month: date
) -> dict[int, tuple[int, int]]:
    """Every unmatched posting of the county and month set to its kind's batch in one
    UPDATE, whose RETURNING gives each batch's count and total (a city month matches
    800,000 postings: one pass over them, not one UPDATE per kind and a second read of the
    matched rows by batch). The guard triggers check every row as before.

    `UPDATE … FROM unnest(…)` inside a `WITH` is PostgreSQL's; other databases (SQLite, the
    embedded default of `make run`) take the portable path with the same results."""
    if connection.vendor != "postgresql":
        return _match_portable(batches, county_code, month)
    posting = AccountPosting._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH matched AS (
                UPDATE {posting} p SET batch_id = b.id
                FROM unnest(%s::varchar[], %s::bigint[]) AS b(kind, id)
                WHERE p.batch_id IS NULL AND p.county_id = %s AND p.month = %s AND p.kind = b.kind
                RETURNING p.batch_id, p.amount_fen)
            SELECT batch_id, count(*), sum(amount_fen) FROM matched GROUP BY batch_id""",
            [[b.kind for b in batches], [b.pk for b in batches], county_code, month],
        )
        return {int(i): (int(n), int(total)) for i, n, total in cursor.fetchall()}


def _match_portable(
    batches: list[AccountBatch], county_code: str, month: date
) -> dict[int, tuple[int, int]]:
    """`_match` through the ORM: one UPDATE per kind, then the batch's count and total read
    back (a second pass over the matched rows, affordable at an embedded database's size)."""
    totals: dict[int, tuple[int, int]] = {}
    for batch in batches:
        AccountPosting.objects.filter(
            batch__isnull=True, county_id=county_code, month=month, kind=batch.kind
        ).update(batch=batch)
        got = AccountPosting.objects.filter(batch=batch).aggregate(
            n=Count("id"), total=Sum("amount_fen")
        )
        totals[batch.pk] = (int(got["n"]), int(got["total"]))
    return totals


def _post(
    swept: Swept,
    day: date,
    personal: Book,
    pooled: Book,
    control: Account,
    actor: Actor,
) -> None:
    batch, total = swept.batch, swept.total_fen
    kind, county_code, month = batch.kind, batch.county_id, batch.month
    with translation.override("zh-hans"):  # stored: the same words whoever runs the sweep
        memo = (
            f"{month:%Y-%m} {Region.objects.get(pk=county_code).name}个人账户"
            f"{PostingKind(kind).label}汇总 {swept.count} 笔"
        )
    flow = FLOWS[kind]
    post_entry(
        key=batch.key,
        book=personal,
        memo=memo,
        source=SOURCE,
        actor=actor,
        entry_date=day,
        lines=[
            LineSpec(
                account_for(book=personal, category=flow.counter, county_code=county_code),
                total,
                county_code,
            ),
            LineSpec(control, -total, county_code),
        ],
    )
    if flow.pooled is not None:
        debited, credited = (
            account_for(book=pooled, category=c, county_code=county_code) for c in flow.pooled
        )
        post_entry(
            key=f"{batch.key}:pooled",
            book=pooled,
            memo=memo,
            source=SOURCE,
            actor=actor,
            entry_date=day,
            lines=[LineSpec(debited, total, county_code), LineSpec(credited, -total, county_code)],
        )

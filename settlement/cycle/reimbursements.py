"""What handling units paid insured people (or their employers) directly in a month, summed per
handling unit × book into benefit expense per insured county and kind: 零星报销 (settlements
with no provider) and 生育津贴 (maternity allowances approved in the month, from the
maternity book).

The books of a reimbursement follow a provider's (`provider_figures`): hifp_pay to the
settlement's book, hifob_pay to the large-expense book, hifmi_pay to the critical-illness
book; the personal account does not pay a reimbursement.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import BooleanField, Case, Sum, Value, When
from django.utils import timezone

from funds.chart import Category as C
from pooling.kernel.dates import month_end
from pooling.kernel.scoping import unrestricted
from settlement.cycle.provider_figures import CRITICAL_BOOK, LARGE_BOOK, MATERNITY_BOOK, _care
from settlement.hsa.codes import INPATIENT_MED_TYPES
from settlement.models import ClaimStatus, MaternityAllowance, Settlement

Expense = dict[tuple[str, str], int]  # (benefit category, insured county) -> fen


def month_reimbursements(month: date) -> dict[tuple[str, str], Expense]:
    """(handling unit, book) -> the expense it paid, by category and insured county."""
    inpatient = Case(
        When(med_type__in=INPATIENT_MED_TYPES, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    with unrestricted():
        rows = (
            Settlement.objects.filter(month=month, provider__isnull=True)
            .annotate(inpatient=inpatient)
            .values("fund_book", "insured_county_id", "handling_unit_id", "inpatient")
            .annotate(hifp=Sum("hifp_pay"), hifmi=Sum("hifmi_pay"), hifob=Sum("hifob_pay"))
            .order_by()
        )
        out: dict[tuple[str, str], Expense] = defaultdict(lambda: defaultdict(int))
        for r in rows:
            for book, amount in (
                (r["fund_book"], r["hifp"]),
                (LARGE_BOOK, r["hifob"]),
                (CRITICAL_BOOK, r["hifmi"]),
            ):
                if amount:
                    out[(r["handling_unit_id"], book)][
                        (_care(book, r["inpatient"]), r["insured_county_id"])
                    ] += amount
        decided = MaternityAllowance.objects.filter(
            status=ClaimStatus.DECIDED,
            decided_at__gte=_start(month),
            decided_at__lt=_start(month_end(month) + timedelta(days=1)),
        )
        for a in (
            decided.values("county_id", "person__county_id")
            .annotate(total=Sum("amount_fen"))
            .order_by()
        ):
            key = (C.BENEFIT_MATERNITY_ALLOWANCE, a["person__county_id"])
            out[(a["county_id"], MATERNITY_BOOK)][key] += a["total"]
    return out


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))

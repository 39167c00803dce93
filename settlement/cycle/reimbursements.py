"""What handling units paid insured people directly in a month (零星报销: settlements with no
provider), summed per handling unit × book into benefit expense per insured county and care.

The books of a reimbursement follow a provider's (`provider_figures`): hifp_pay to the
settlement's book, hifob_pay to the large-expense book, hifmi_pay to the critical-illness
book; the personal account does not pay a reimbursement.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import BooleanField, Case, Sum, Value, When

from pooling.kernel.scoping import unrestricted
from settlement.cycle.provider_figures import CRITICAL_BOOK, LARGE_BOOK, _care
from settlement.hsa.codes import INPATIENT_MED_TYPES
from settlement.models import Settlement

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
    return out

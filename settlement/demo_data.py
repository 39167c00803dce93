"""Who and what a generated visit uses: insured people out of their waiting period, and catalogue
items in force (for the demo, `provider_client` and the benches)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from enrollment.models import Enrolment, EnrolmentStatus
from pooling.benefits.catalogue.models import CatalogueItem
from pooling.benefits.catalogue.selectors import catalogue_in_force
from pooling.kernel.scoping import unrestricted
from settlement.client import Item, Patient
from settlement.hsa.codes import insutype_of
from settlement.hsa.people import psn_no

PRICES = {"drug": "12.50", "item": "35.00", "facility": "60.00"}


def patients_and_items(*, on: date, limit: int = 2000) -> tuple[list[Patient], list[Item]]:
    with unrestricted():
        enrolments = (
            Enrolment.objects.filter(
                status=EnrolmentStatus.ACTIVE, start_month__lte=on, person__died_on__isnull=True
            )
            .filter(Q(benefits_from__isnull=True) | Q(benefits_from__lte=on))
            .select_related("person")
            .order_by("pk")[:limit]
        )
        patients = [
            Patient(
                psn_no=psn_no(e.person_id),
                cert_no=e.person.id_number,
                insutype=insutype_of(e.scheme),
            )
            for e in enrolments
        ]
        version = catalogue_in_force(on=on)
        items = (
            []
            if version is None
            else [
                Item(code=code, price=PRICES.get(kind, "20.00"))
                for code, kind in CatalogueItem.objects.filter(version=version).values_list(
                    "code", "kind"
                )[:200]
            ]
        )
    return patients, items

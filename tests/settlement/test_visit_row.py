"""A visit inserted by its once-written INSERT (settlement/services/visit_row.py) is the row and the
instance `save()` makes, signals and scope check included."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models.signals import post_save, pre_save

from pooling.kernel.scoping import acting_for_provider, unrestricted
from settlement.models import Visit, VisitStatus
from settlement.partitioning import month_key
from settlement.services.visit_row import insert_visit
from tests.providers.factories import make_provider
from tests.settlement.hsa_client import put_in_performance

pytestmark = pytest.mark.django_db
BEGAN = datetime(2026, 5, 4, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _visit(provider, person) -> Visit:
    return Visit(
        month=month_key(BEGAN.date()),
        provider=provider,
        person=person,
        insured_county_id=person.county_id,
        handling_unit_id=provider.handling_region_id,
        insutype="310",
        med_type="11",
        begntime=BEGAN,
        opened_msgid="H32090200001202605040930000001",
        status=VisitStatus.OPEN,
        ipt_otp_no="MZ001",
        main_diag_code="J06.900",
        diagnoses=[{"diag_code": "J06.900", "diag_name": "上呼吸道感染"}],
    )


def _row(visit: Visit) -> dict:
    with unrestricted():
        found = Visit.objects.get(month=visit.month, pk=visit.pk)
    return {
        f.attname: getattr(found, f.attname)
        for f in Visit._meta.concrete_fields
        if f.attname not in ("id", "created_at")
    }


def test_it_writes_the_row_save_writes_and_sends_the_same_signals(hospital, people):
    sent: list[tuple[str, bool | None]] = []

    def before(sender, instance, **kwargs):
        sent.append(("pre", instance.pk is None))

    def after(sender, instance, created, **kwargs):
        sent.append(("post", created and instance.pk is not None))

    pre_save.connect(before, sender=Visit, weak=False)
    post_save.connect(after, sender=Visit, weak=False)
    try:
        with acting_for_provider(hospital.pk):
            by_hand, by_save = _visit(hospital, people.employee), _visit(hospital, people.employee)
            insert_visit(by_hand)
            by_save.save()
    finally:
        pre_save.disconnect(before, sender=Visit)
        post_save.disconnect(after, sender=Visit)
    assert sent == [("pre", True), ("post", True)] * 2
    assert by_hand.pk and by_hand.pk != by_save.pk
    assert not by_hand._state.adding and by_hand._state.db == "default"
    assert by_hand.created_at is not None  # stamped as auto_now_add does
    assert _row(by_hand) == _row(by_save)


def test_it_refuses_a_visit_of_another_provider(hospital, people, county_a):
    other = put_in_performance(make_provider(county_a, "他院"))
    with acting_for_provider(hospital.pk), pytest.raises(PermissionDenied):
        insert_visit(_visit(other, people.employee))
    with unrestricted():
        assert not Visit.objects.exists()

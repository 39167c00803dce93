"""The scoping mechanism itself, on a probe model made for the test.

Clerk A (亭湖区) must see and change only 亭湖区 rows, however the query is built.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Count, Sum
from django.test.utils import isolate_apps

from pooling.kernel.scoping import (
    OTHER_COUNTY,
    READ_ONLY,
    ScopedModel,
    acting_as,
    scope_for_user,
    unrestricted,
)
from pooling.models import Region
from tests.conftest import as_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe(regions):
    with isolate_apps("pooling"):

        class Probe(ScopedModel):
            county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
            label = models.CharField(max_length=40)
            amount_fen = models.BigIntegerField(default=0)
            import_time_queryset: ClassVar[models.QuerySet[Probe]]  # set below

            class Meta:
                app_label = "pooling"

        with as_owner(), connection.schema_editor() as editor:  # as a migration would
            editor.create_model(Probe)
        Probe.objects.bulk_create(
            [
                Probe(county_id="320902", label="a1", amount_fen=100),
                Probe(county_id="320902", label="a2", amount_fen=200),
                Probe(county_id="320903", label="b1", amount_fen=5000),
            ]
        )
        # Built outside any request, like a DRF `queryset = ...` class attribute.
        Probe.import_time_queryset = Probe.objects.all()
        yield Probe


def test_it_shows_a_clerk_only_their_county(probe, clerk_a):
    with acting_as(clerk_a):
        assert sorted(probe.objects.values_list("label", flat=True)) == ["a1", "a2"]
        assert probe.objects.count() == 2
        assert not probe.objects.filter(label="b1").exists()
        assert probe.objects.aggregate(s=Sum("amount_fen"))["s"] == 300
        assert probe.objects.values("county").annotate(n=Count("id")).count() == 1


def test_it_filters_querysets_built_before_the_request(probe, clerk_a):
    with acting_as(clerk_a):
        assert sorted(p.label for p in probe.import_time_queryset.all()) == ["a1", "a2"]


def test_it_filters_inside_subqueries(probe, clerk_a):
    with acting_as(clerk_a):
        inner = probe.objects.filter(amount_fen__gt=0).values("pk")
        with unrestricted():
            # The outer query is unrestricted; the inner one was built by the clerk
            # but is compiled now, under the system scope: it sees all three.
            assert probe.objects.filter(pk__in=inner).count() == 3
        assert probe.objects.filter(pk__in=inner).count() == 2


def test_it_limits_updates_and_deletes_to_the_clerks_county(probe, clerk_a):
    with acting_as(clerk_a):
        assert probe.objects.update(amount_fen=1) == 2
        deleted, _ = probe.objects.all().delete()
        assert deleted == 2
    assert probe.objects.get(label="b1").amount_fen == 5000


def test_it_refuses_writing_a_row_into_another_county(probe, clerk_a):
    with acting_as(clerk_a):
        with pytest.raises(PermissionDenied) as info:
            probe.objects.create(county_id="320903", label="sneaky")
        assert info.value.args[0] == OTHER_COUNTY
        with pytest.raises(PermissionDenied):
            probe.objects.bulk_create([probe(county_id="320903", label="sneaky")])
        probe.objects.create(county_id="320902", label="mine")
    assert not probe.objects.filter(label="sneaky").exists()


def test_it_keeps_the_auditor_read_only(probe, auditor):
    with acting_as(auditor):
        assert probe.objects.count() == 3
        row = probe.objects.get(label="a1")
        row.amount_fen = 1
        with pytest.raises(PermissionDenied) as info:
            row.save()
        assert info.value.args[0] == READ_ONLY


def test_it_shows_city_roles_everything(probe, city_agent, finance):
    for user in (city_agent, finance):
        with acting_as(user):
            assert probe.objects.count() == 3


def test_it_shows_an_anonymous_or_roleless_user_nothing(probe, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x-long-password")
    with acting_as(nobody):
        assert probe.objects.count() == 0
    assert not scope_for_user(None).all_regions

"""A provider reads and changes only its own visits and settlements — the matrix.

Provider A settles a visit; provider B's system, signed in with its own credential,
tries every transaction naming A's ids. Nothing of A's shows in B's answers and none
of A's rows changes. The scope itself is checked model by model: under a provider's
scope every provider-scoped model shows only that provider's rows, any other scoped
model shows nothing.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.utils import timezone

from pooling.kernel.scoping import ScopedModel, acting_for_provider, unrestricted
from settlement.hsa.dispatch import TRANSACTIONS, _load
from tests.providers.factories import make_provider
from tests.settlement.hsa_client import HsaClient, psn, put_in_performance


@pytest.fixture
def settled(hsa, people):
    person = people.employee
    mdtrt_id = hsa.register(person)
    hsa.fees(mdtrt_id, person, [("001102000000100", "1", "20.00")])
    info = hsa.settle(mdtrt_id, person, "20.00")["output"]["setlinfo"]
    return {
        "mdtrt_id": mdtrt_id,
        "setl_id": info["setl_id"],
        "psn_no": psn(person),
        "omsgid": info["medins_setl_id"],
    }


@pytest.fixture
def intruder(county_a, clerk_a, hsa, client):
    other = put_in_performance(make_provider(county_a, "他院"))
    from django.test import Client

    return HsaClient.signed_in(Client(), other, issued_by=clerk_a)


def snapshot():
    with unrestricted():
        return {
            m._meta.label: sorted(
                json.dumps(r, default=str, sort_keys=True) for r in m._default_manager.values()
            )
            for m in apps.get_app_config("settlement").get_models()
            if m._meta.model_name not in ("message", "signin", "providerstatement")
        }


def test_it_keeps_every_transaction_of_another_provider_to_its_own_rows(settled, intruder):
    _load()
    before = snapshot()
    today = timezone.localdate().isoformat()
    ids = {
        **settled,
        "oinfno": "2207",
        "stmt_begndate": today,
        "stmt_enddate": today,
        "feedetl_sn": "0000",
    }
    for infno in sorted(TRANSACTIONS):
        if infno in ("9001", "9002"):
            continue
        payload = {
            "data": dict(ids),
            "mdtrtinfo": dict(ids),
            "dscginfo": dict(ids),
            "feedetail": [
                {
                    **ids,
                    "feedetl_sn": "X1",
                    "fee_ocur_time": f"{today} 09:00:00",
                    "med_list_codg": "001102000000100",
                    "det_item_fee_sumamt": "1",
                    "cnt": "1",
                    "pric": "1",
                }
            ],
            "detail": [{"setl_id": settled["setl_id"], "medfee_sumamt": "20.00"}],
        }
        answer = intruder.post(infno, payload)
        text = json.dumps(answer, ensure_ascii=False, default=str)
        assert settled["setl_id"] not in text or answer["infcode"] == -1 or infno == "3202", (
            infno,
            answer,
        )
        if (
            infno == "3202"
        ):  # B names A's settlement: "机构有、医保无", nothing of A's in the answer
            assert all(r["stmt_rslt"] != "0" for r in answer["output"]["output"]), answer
            assert "20.00" not in json.dumps([r for r in answer["output"]["output"] if "memo" in r])
    assert snapshot() == before


def test_it_scopes_every_model_to_the_provider(settled, intruder, hsa):
    for model in apps.get_models():
        if not issubclass(model, ScopedModel):
            continue
        path = getattr(model, "provider_scope_path", None)
        with unrestricted():
            own = model.objects.filter(**{path: hsa.provider.pk}).count() if path else 0
        with acting_for_provider(hsa.provider.pk):
            assert model.objects.count() == own, model
        with acting_for_provider(intruder.provider.pk):
            visible = model.objects.count()
            assert visible == (
                model.objects.filter(**{path: intruder.provider.pk}).count() if path else 0
            ), model
            if path:
                assert not model.objects.filter(**{path: hsa.provider.pk}).exists(), model


def _raw_ids(model):
    """The rows a hand-written statement filtered by `scope_where` sees."""
    from django.db import connection

    from pooling.kernel.scoping import scope_where

    where, params = scope_where(model)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {model._meta.db_table} WHERE {where}", params)
        return sorted(r[0] for r in cursor.fetchall())


@pytest.mark.parametrize("name", ["Visit", "FeeDetail", "Settlement"])
def test_scope_where_shows_a_hand_written_statement_what_the_orm_shows(
    name, settled, intruder, hsa, clerk_a, clerk_b
):
    from pooling.kernel.scoping import acting_as

    model = apps.get_model("settlement", name)
    with unrestricted():
        assert model.objects.exists()
    for scope in (
        acting_for_provider(hsa.provider.pk),
        acting_for_provider(intruder.provider.pk),
        acting_as(clerk_a),
        acting_as(clerk_b),
        acting_as(None),
        unrestricted(),
    ):
        with scope:
            assert _raw_ids(model) == sorted(model.objects.values_list("id", flat=True)), scope


def test_assert_writable_values_refuses_another_providers_row(hsa, intruder, clerk_a, clerk_b):
    from django.core.exceptions import PermissionDenied

    from pooling.kernel.scoping import acting_as, assert_writable_values
    from settlement.models import FeeDetail

    own = {"provider_id": hsa.provider.pk, "insured_county_id": clerk_a.region_id}
    with acting_for_provider(hsa.provider.pk):
        assert_writable_values(FeeDetail, own)
    with acting_for_provider(intruder.provider.pk), pytest.raises(PermissionDenied):
        assert_writable_values(FeeDetail, own)
    with acting_as(clerk_a):
        assert_writable_values(FeeDetail, {**own, "handling_unit_id": "other"})
    with acting_as(clerk_b), pytest.raises(PermissionDenied):
        assert_writable_values(
            FeeDetail, {**own, "handling_unit_id": hsa.provider.handling_region_id}
        )


def test_scope_where_refuses_a_scope_that_needs_a_join(clerk_a):
    from pooling.kernel.scoping import acting_as, scope_where
    from settlement.models import Credential

    with acting_as(clerk_a), pytest.raises(ValueError, match="join"):
        scope_where(Credential)

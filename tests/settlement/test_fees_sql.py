"""A fee upload's hand-written statements (settlement/services/fees_sql.py) and the catalogue memo
(memo.catalogue_entries): the rows, answers and refusals the ORM path gave. Runs on SQLite too
(test_sqlite_settlement.py), where the ORM path is taken."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pooling.benefits.catalogue.models import CatalogueItem
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import acting_as, acting_for_provider, unrestricted
from settlement.models import FeeDetail, Visit
from settlement.partitioning import parse_external_id
from settlement.services import fees_sql, memo
from settlement.services.visits import FeeLine, fees_add, fees_cancel
from tests.providers.factories import make_provider
from tests.settlement.hsa_client import put_in_performance

LISTED = "001102000000100"  # in the demo catalogue
UNLISTED = "XX-NOT-LISTED"


@pytest.fixture(autouse=True)
def _empty_memo():
    memo.forget()
    yield
    memo.forget()


@pytest.fixture
def visit(hsa, people) -> Visit:
    month, pk = parse_external_id(hsa.register(people.employee), field="mdtrt_id")
    with unrestricted():
        return Visit.objects.get(month=month, pk=pk)


def line(sn: str, code: str = LISTED, price_fen: int = 2000) -> FeeLine:
    return FeeLine(
        feedetl_sn=sn,
        code=code,
        quantity=Decimal(2),
        price_fen=price_fen,
        amount_fen=2 * price_fen,
        occurred_at=timezone.localtime(),
    )


def _values(row: FeeDetail) -> dict[str, object]:
    return {f.attname: getattr(row, f.attname) for f in FeeDetail._meta.concrete_fields}


def _stored() -> dict[int, dict[str, object]]:
    with unrestricted():
        return {row.pk: _values(row) for row in FeeDetail.objects.all()}


def _upload(visit: Visit, lines: list[FeeLine]) -> list[FeeDetail]:
    with acting_for_provider(visit.provider_id):
        return fees_add(visit=visit, lines=lines)


def test_the_lines_come_back_as_stored_with_their_pks(visit):
    saved = _upload(visit, [line("S1"), line("S2", code=UNLISTED, price_fen=350)])
    assert [r.feedetl_sn for r in saved] == ["S1", "S2"]
    assert all(r.pk and not r._state.adding for r in saved)
    assert {r.pk: _values(r) for r in saved} == _stored()
    listed, unlisted = saved
    assert (listed.in_catalogue, unlisted.in_catalogue, unlisted.cls) == (True, False, "C")


def test_a_serial_twice_in_one_message_is_refused(visit):
    with pytest.raises(BusinessRuleError) as refused:
        _upload(visit, [line("S1"), line("S2"), line("S1")])
    assert refused.value.code == "duplicate_sn"
    assert "出现了两次" in str(refused.value.message) and refused.value.params == {"sn": "S1"}
    assert _stored() == {}


def test_a_serial_the_visit_has_is_refused_and_nothing_of_the_message_is_written(visit):
    _upload(visit, [line("b1"), line("B2")])
    before = _stored()
    with pytest.raises(BusinessRuleError) as refused:
        _upload(visit, [line("S3"), line("b1"), line("B2")])
    assert refused.value.code == "duplicate_sn" and "已上传过" in str(refused.value.message)
    # The least of the serials taken, in Python's order (the database's collation may differ).
    assert refused.value.params == {"sn": "B2"}
    assert _stored() == before


def test_a_cancelled_lines_serial_is_still_taken(visit):
    _upload(visit, [line("S1")])
    with acting_for_provider(visit.provider_id):
        assert fees_cancel(visit=visit, feedetl_sn="S1") == 1
    with pytest.raises(BusinessRuleError) as refused:
        _upload(visit, [line("S1")])
    assert refused.value.params == {"sn": "S1"}


def test_another_visits_serials_do_not_count(hsa, people, visit):
    _upload(visit, [line("S1")])
    month, pk = parse_external_id(hsa.register(people.employee), field="mdtrt_id")
    with unrestricted():
        other = Visit.objects.get(month=month, pk=pk)
    assert [r.feedetl_sn for r in _upload(other, [line("S1")])] == ["S1"]


def test_the_national_answer_for_a_serial_uploaded_before(hsa, people, visit):
    mdtrt_id = visit.mdtrt_id
    first = hsa.fees(mdtrt_id, people.employee, [(LISTED, "1", "20.00")])
    assert first["infcode"] == 0, first
    with unrestricted():
        sn = FeeDetail.objects.get().feedetl_sn
    again = {
        "feedetl_sn": sn,
        "mdtrt_id": mdtrt_id,
        "chrg_bchno": "B1",
        "fee_ocur_time": f"{timezone.localtime():%Y-%m-%d} 09:00:00",
        "med_list_codg": LISTED,
        "det_item_fee_sumamt": "20.00",
        "cnt": "1",
        "pric": "20.00",
    }
    answer = hsa.post("2204", {"feedetail": [again]})
    assert answer["infcode"] == -1 and answer["output"] == {}
    assert f"费用明细流水号 {sn} 已上传过" in answer["err_msg"], answer["err_msg"]
    with unrestricted():
        assert FeeDetail.objects.count() == 1


def _rows_for(visit: Visit, sns: list[str]) -> list[FeeDetail]:
    return [
        FeeDetail(
            month=visit.month,
            visit_id=visit.pk,
            provider_id=visit.provider_id,
            insured_county_id=visit.insured_county_id,
            handling_unit_id=visit.handling_unit_id,
            feedetl_sn=sn,
            code=LISTED,
            quantity=Decimal(1),
            price_fen=100,
            amount_fen=100,
            occurred_at=timezone.now(),
            cls="A",
        )
        for sn in sns
    ]


def test_another_providers_system_can_neither_lock_the_visit_nor_insert_its_lines(
    visit, county_a, clerk_b
):
    other = put_in_performance(make_provider(county_a, "他院"))
    with acting_for_provider(other.pk):
        assert fees_sql.lock_visit(month=visit.month, pk=visit.pk) is None
        with pytest.raises(PermissionDenied):
            fees_sql.insert(_rows_for(visit, ["S1"]))
    with acting_as(clerk_b), pytest.raises(PermissionDenied):  # a clerk of neither county
        fees_sql.insert(_rows_for(visit, ["S1"]))
    assert _stored() == {}
    with acting_for_provider(visit.provider_id):
        locked = fees_sql.lock_visit(month=visit.month, pk=visit.pk)
        assert locked is not None and locked.pk == visit.pk and locked.status == visit.status
        assert fees_sql.insert(_rows_for(visit, ["S1"])) is None
    assert [v["feedetl_sn"] for v in _stored().values()] == ["S1"]


# --- the catalogue memo ---------------------------------------------------------------


def _queries(fn) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as seen:
        fn()
    return len(seen.captured_queries)


def test_catalogue_entries_are_catalogue_lookups_answer_remembered(visit, settings):
    from pooling.benefits.catalogue.selectors import catalogue_lookup

    today = timezone.localdate()
    with unrestricted():
        expected = catalogue_lookup(on=today, codes=[LISTED, UNLISTED])
    assert set(expected) == {LISTED}
    settings.HSA_LOOKUP_TTL_SECONDS = 30
    assert memo.catalogue_entries(on=today, codes=[LISTED.lower(), UNLISTED]) == expected
    # Both the entry and the absence are remembered: no query the second time.
    assert _queries(lambda: memo.catalogue_entries(on=today, codes=[LISTED, UNLISTED])) == 0
    # Off (TTL 0): every call reads.
    settings.HSA_LOOKUP_TTL_SECONDS = 0
    assert _queries(lambda: memo.catalogue_entries(on=today, codes=[LISTED])) >= 1


def test_an_item_changed_in_this_process_is_seen_at_once(visit, settings):
    settings.HSA_LOOKUP_TTL_SECONDS = 30
    today = timezone.localdate()
    before = memo.catalogue_entries(on=today, codes=[LISTED])[LISTED]
    version = memo.catalogue(on=today)
    item = CatalogueItem.objects.get(version=version, code=LISTED)
    item.name = before.name + "（改）"
    item.save()
    assert memo.catalogue_entries(on=today, codes=[LISTED])[LISTED].name == item.name
    saved = _upload(visit, [line("S1")])
    assert saved[0].name == item.name


def test_an_item_changed_in_another_process_is_seen_within_the_ttl(visit, settings, monkeypatch):
    """Another process's change sends no signal here: written with update()."""
    settings.HSA_LOOKUP_TTL_SECONDS = 5
    clock = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    today = timezone.localdate()
    before = memo.catalogue_entries(on=today, codes=[LISTED, UNLISTED])
    version = memo.catalogue(on=today)
    CatalogueItem.objects.filter(version=version, code=LISTED).update(name="另一进程改的名")
    CatalogueItem.objects.bulk_create(  # no signal either
        [CatalogueItem(version=version, kind="drug", code=UNLISTED, name="新增", cls="A")]
    )
    clock[0] += 4.9  # within the TTL: the remembered answers, the absence too
    assert memo.catalogue_entries(on=today, codes=[LISTED, UNLISTED]) == before
    clock[0] += 0.2  # past the bound
    after = memo.catalogue_entries(on=today, codes=[LISTED, UNLISTED])
    assert after[LISTED].name == "另一进程改的名" and after[UNLISTED].name == "新增"

"""The settlement bench's write floor (bench/_write_floor.py) through the production WSGI callable:
unknown to the interface unless the bench's flag installed it; installed, a W2204 + W2207 pair
writes its rows exactly once, with the amounts to the fen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench import _write_floor
from settlement.hsa.errors import UNKNOWN_INFNO
from tests.settlement.hsa_client import psn
from tests.settlement.test_hsa_wsgi import machine, wsgi  # noqa: F401 — the slim path's fixtures

# (code, count, price) → amounts 20.00, 7.00, 37.02, 0.01, 100.00: 164.03 yuan in all.
LINES = [("A1", 1, "20.00"), ("A2", 2, "3.50"), ("A3", 3, "12.34"), ("A4", 1, "0.01")]
LINES += [("A5", 1, "100.00")]


def test_without_the_flag_the_write_floor_answers_unknown_infno(machine, people, wsgi):  # noqa: F811
    assert not any("_write_floor" in app for app in settings.INSTALLED_APPS)
    for infno in _write_floor.INFNOS:
        for path in ("/api/hsa/", f"/api/hsa/{infno}"):
            answer = json.loads(
                wsgi.post(
                    path,
                    json.dumps(machine.envelope(infno, {"data": {}})),
                    "application/json",
                    f"Bearer {machine.token}",
                ).content
            )
            assert answer["infcode"] == -1 and answer["err_field"] == "infno", answer
            assert answer["err_msg"] == str(UNKNOWN_INFNO % {"value": infno})


@pytest.fixture
def installed(db_owner, people) -> Iterator[None]:
    # The bench creates its scratch tables as the database's owner and serves as it (it runs
    # gunicorn on its DATABASE_URL's role): so does this test.
    _write_floor.create_tables([psn(people.employee)], timezone.localdate().year)
    _write_floor.install()
    try:
        yield
    finally:
        _write_floor.uninstall()


def test_a_pair_writes_its_rows_once_to_the_fen(installed, machine, people):  # noqa: F811
    person = psn(people.employee)
    fees = machine.envelope(
        "W2204", {"feedetail": [_line(n, person, *x) for n, x in enumerate(LINES)]}
    )
    settle = machine.envelope("W2207", {"data": {"psn_no": person, "mdtrt_id": "V1"}})
    for body in (fees, fees, settle, settle):  # each repeated under its msgid
        answer = machine.post(body["infno"], {}, body=body)
        assert answer["infcode"] == 0, answer
    assert answer["output"]["setlinfo"]["medfee_sumamt"] == 16403
    # 70 % of 16,403 fen = 11,482.1 → 11,482 (half up); the person pays 4,921.
    assert answer["output"]["setlinfo"]["hifp_pay"] == 11482
    assert _rows("SELECT count(*), sum(amount_fen) FROM bench_wf_fee") == (5, 16403)
    assert _rows("SELECT count(*), sum(fund_fen), sum(cash_fen) FROM bench_wf_settlement") == (
        1,
        11482,
        4921,
    )
    assert _rows("SELECT medfee_fen, fund_fen, visits FROM bench_wf_accumulator") == (
        16403,
        11482,
        1,
    )
    assert _rows("SELECT count(*) FROM bench_wf_message") == (2,)
    assert _write_floor.check() == (
        "write floor's tables: 1 settlements with 5 fee lines, 2 msgids claimed;"
        " accumulators = Σ settlements: yes, to the fen"
    )


def _line(n: int, person: str, code: str, count: int, price: str) -> dict[str, Any]:
    row = {"feedetl_sn": f"{n:04d}", "mdtrt_id": "V1", "psn_no": person, "med_list_codg": code}
    amount = str(Decimal(price) * count)
    return row | {"cnt": str(count), "pric": price, "det_item_fee_sumamt": amount}


def _rows(sql: str) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())

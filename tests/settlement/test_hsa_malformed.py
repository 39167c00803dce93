"""Malformed input over the national interface, by class: for each message a provider sends most,
the payload is varied field by field (missing, null, blank, wrong JSON type, control characters,
huge; amounts in every odd spelling; impossible dates; other providers' ids; unknown codes).
Each must be answered `infcode -1` (HTTP 200, or 401 without a credential) with a Chinese
message naming the field, and write nothing.

The world (policy, catalogue, two hospitals, people, visits in each state) is built once for the
module inside a transaction rolled back at its end; each case runs in its own savepoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from enrollment.models import AccountPosting
from funds.models import Line
from pooling.kernel.scoping import unrestricted
from settlement.models import (
    Accumulator,
    FeeDetail,
    Message,
    ProviderStatement,
    Settlement,
    SignIn,
    Visit,
)
from tests.conftest import publish_demo_policy
from tests.settlement.hsa_client import HsaClient, psn, put_in_performance, world_people

MODELS = (
    Visit,
    FeeDetail,
    Settlement,
    Accumulator,
    AccountPosting,
    Line,
    Message,
    ProviderStatement,
    SignIn,
)
DROP = object()  # a mutation's value: remove the field
BEFORE_ADMISSION = "@five days ago@"  # a mutation's value: a time before the stays' admission
SERVICE = "001102000000100"  # a class-A service item of the demo catalogue


def counts() -> tuple[int, ...]:
    """Rows in every table a message could write, in one statement (it runs twice per case)."""
    sql = ", ".join(f"(SELECT count(*) FROM {m._meta.db_table})" for m in MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}")
        return tuple(cursor.fetchone())


@dataclass
class World:
    hsa: HsaClient
    other: HsaClient  # another hospital, signed in
    employee: Any
    open_mdtrt: str  # outpatient, one 20.00 line, not settled
    settled: str  # a settled outpatient visit
    setl_id: str  # its settlement
    settled_msgid: str  # the 2207 that settled it
    other_mdtrt: str  # the other hospital's open visit
    other_setl_id: str  # the other hospital's settlement
    admitted: str  # inpatient, admitted three days ago
    discharged: str  # inpatient, discharged today, one 100.00 line


def _now(days: int = 0, hour: str = "") -> str:
    moment = timezone.localtime() - timedelta(days=days)
    return moment.strftime(f"%Y-%m-%d {hour}" if hour else "%Y-%m-%d %H:%M:%S")


def _ok(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["infcode"] == 0, answer
    return answer["output"]


def _admit(hsa: HsaClient, person: Any) -> str:
    payload = {
        "mdtrtinfo": {
            "psn_no": psn(person),
            "insutype": "310",
            "med_type": "21",
            "begntime": _now(3, "10:00:00"),
        }
    }
    return _ok(hsa.post("2401", payload))["result"]["mdtrt_id"]


def _build() -> World:
    from pooling.benefits.catalogue.importer import load_demo_catalogue
    from pooling.kernel.choices import Role
    from pooling.kernel.regions import StaffSpec, regions_load, staff_ensure
    from tests.conftest import COUNTY_A, COUNTY_B
    from tests.providers.factories import make_provider

    regions = {r.code: r for r in regions_load(area_code="320900")}

    def staff(name: str, role: str, region: str | None = None) -> Any:
        return staff_ensure(spec=StaffSpec(name, role, name, region), password="x-2026")

    admin, checker = staff("m_admin", Role.BUREAU_ADMIN), staff("m_checker", Role.BUREAU_ADMIN)
    clerk = staff("m_clerk", Role.COUNTY_CLERK, COUNTY_A)
    publish_demo_policy(admin, checker)
    load_demo_catalogue(maker=admin, checker=checker, echo=lambda _m: None)
    county_a, county_b = regions[COUNTY_A], regions[COUNTY_B]
    people = world_people(county_a, county_b, since=date(2025, 1, 1))
    employee = people.employee
    hsa = HsaClient.signed_in(
        Client(), put_in_performance(make_provider(county_a, "甲")), issued_by=clerk
    )
    other = HsaClient.signed_in(
        Client(), put_in_performance(make_provider(county_a, "乙")), issued_by=clerk
    )
    open_mdtrt = hsa.register(employee)
    _ok(hsa.fees(open_mdtrt, employee, [(SERVICE, "1", "20.00")]))
    settled = hsa.register(employee)
    _ok(hsa.fees(settled, employee, [(SERVICE, "1", "20.00")]))
    settled_msgid = hsa.msgid()
    setl_id = _ok(
        hsa.post("2207", hsa.settle_payload(settled, employee, "20.00"), msgid=settled_msgid)
    )["setlinfo"]["setl_id"]
    other_mdtrt = other.register(employee)
    other_settled = other.register(employee)
    _ok(other.fees(other_settled, employee, [(SERVICE, "1", "20.00")]))
    other_setl_id = _ok(other.settle(other_settled, employee, "20.00"))["setlinfo"]["setl_id"]
    admitted = _admit(hsa, employee)
    discharged = _admit(hsa, employee)
    _ok(hsa.post("2301", {"feedetail": [_fee_row(discharged, employee, "100.00", days=1)]}))
    _ok(hsa.post("2402", {"dscginfo": {"mdtrt_id": discharged, "endtime": _now()}}))
    return World(
        hsa, other, employee, open_mdtrt, settled, setl_id, settled_msgid, other_mdtrt, other_setl_id,
        admitted, discharged,
    )  # fmt: skip


_serial = iter(range(10**6))


def _fee_row(mdtrt_id: str, person: Any, price: str = "20.00", *, days: int = 0) -> dict[str, Any]:
    return {
        "feedetl_sn": f"M{next(_serial)}",
        "mdtrt_id": mdtrt_id,
        "psn_no": psn(person),
        "chrg_bchno": "B1",
        "fee_ocur_time": _now(days, "09:00:00") if days else _now(),
        "med_list_codg": SERVICE,
        "medins_list_codg": SERVICE,
        "det_item_fee_sumamt": price,
        "cnt": "1",
        "pric": price,
    }


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with (
        django_db_blocker.unblock(),
        override_settings(
            HSA_LOOKUP_TTL_SECONDS=0,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def good(infno: str, w: World) -> dict[str, Any]:
    """A payload the interface accepts for `infno` (each case spoils one part of it)."""
    person = w.employee
    if infno == "9001":
        return {"signIn": {"opter_no": "001", "mac": "00-00", "ip": "127.0.0.1"}}
    if infno == "1101":
        return {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": person.id_number}}
    if infno == "2201":
        return {
            "data": {
                "psn_no": psn(person),
                "insutype": "310",
                "med_type": "11",
                "begntime": _now(),
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": person.id_number,
            }
        }
    if infno == "2204":
        return {"feedetail": [_fee_row(w.open_mdtrt, person)]}
    if infno == "2301":
        return {"feedetail": [_fee_row(w.admitted, person)]}
    if infno == "2207":
        return w.hsa.settle_payload(w.open_mdtrt, person, "20.00")
    if infno == "2304":
        payload = w.hsa.settle_payload(w.discharged, person, "100.00")
        payload["data"]["med_type"] = "21"
        return payload
    if infno == "2208":
        return {"data": {"setl_id": w.setl_id, "mdtrt_id": "", "psn_no": psn(person)}}
    if infno == "2401":
        return {
            "mdtrtinfo": {
                "psn_no": psn(person),
                "insutype": "310",
                "med_type": "21",
                "begntime": _now(),
            }
        }
    if infno == "2402":
        return {"dscginfo": {"mdtrt_id": w.admitted, "psn_no": psn(person), "endtime": _now()}}
    if infno == "2601":
        return {"data": {"psn_no": psn(person), "omsgid": w.settled_msgid, "oinfno": "2207"}}
    if infno == "3201":
        today = timezone.localdate()
        return {
            "data": {
                "insutype": "310",
                "clr_type": "11",
                "setl_optins": "320902",
                "stmt_begndate": f"{today.replace(day=1):%Y-%m-%d}",
                "stmt_enddate": f"{today:%Y-%m-%d}",
                "medfee_sumamt": "20.00",
                "fund_pay_sumamt": "0.00",
                "acct_pay": "0.00",
                "fixmedins_setl_cnt": "1",
                "refd_setl_flag": "0",
            }
        }
    raise AssertionError(infno)


def spoil(payload: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A deep copy of `payload` with the value at `path` replaced (or removed: DROP)."""
    copy = json.loads(json.dumps(payload))
    node = copy
    for key in path[:-1]:
        node = node[key]
    if value is DROP:
        del node[path[-1]]
    elif value == BEFORE_ADMISSION:  # resolved here: a test id must not change with the clock
        node[path[-1]] = _now(5)
    else:
        node[path[-1]] = value
    return copy


def post_raw(w: World, body: bytes, **headers: Any) -> tuple[int, dict[str, Any]]:
    headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {w.hsa.token}")
    response = w.hsa.client.post("/api/hsa/", data=body, content_type="application/json", **headers)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.status_code, json.loads(response.content, parse_float=Decimal)


def refused(status: int, answer: dict[str, Any], field: str, expected_status: int = 200) -> None:
    assert status == expected_status, (status, answer)
    assert answer["infcode"] == -1, answer
    assert answer["output"] == {}, answer
    message = answer["err_msg"]
    assert field in message, message
    assert "系统内部错误" not in message and "Traceback" not in message, message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # Chinese


def attack(w: World, infno: str, payload: Any, field: str, /, **envelope: Any) -> None:
    body = w.hsa.envelope(infno, payload)
    body.update(envelope)
    for key in [k for k, v in body.items() if v is DROP]:
        del body[key]
    before = counts()
    status, answer = post_raw(w, json.dumps(body, ensure_ascii=False).encode())
    refused(status, answer, field)
    assert counts() == before, "something was written"


INFNOS = (
    "9001",
    "1101",
    "2201",
    "2204",
    "2207",
    "2208",
    "2301",
    "2304",
    "2401",
    "2402",
    "2601",
    "3201",
)


@pytest.mark.parametrize("infno", INFNOS)
def test_the_good_payload_is_accepted(world, db, infno):
    """The control: each spoiled case below differs from an accepted message in one place, and
    `counts` sees what an accepted one writes (every writing message at least its log row)."""
    before = counts()
    _ok(world.hsa.post(infno, good(infno, world)))
    assert (counts() == before) == (infno == "1101")


# -- the body and the envelope ----------------------------------------------------------------

BODIES = {
    "not json": (b"<xml/>", "JSON"),
    "not utf-8": ('{"infno": "1101", "x": "中"}'.encode("gbk"), "UTF-8"),
    "json array": (b"[1, 2]", "JSON"),
    "json string": (b'"1101"', "JSON"),
    "json number": (b"1101", "JSON"),
    "json null": (b"null", "JSON"),
    "empty": (b"", "JSON"),
    "nan literal": (b'{"infno": NaN}', "JSON"),
    "deeply nested": (b'{"input": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "JSON"),
    "huge": (b'{"input": {"data": {"x": "' + b"a" * (3 * 1024 * 1024) + b'"}}}', "KB"),
    "truncated": (b'{"infno": "1101", "input": {"data": ', "JSON"),
    "lone surrogate": (b'{"input": {"data": {"unknown": "\\ud800"}}}', "unknown"),
}


@pytest.mark.parametrize("case", BODIES, ids=list(BODIES))
def test_a_body_that_is_not_a_json_object(world, db, case):
    body, word = BODIES[case]
    before = counts()
    status, answer = post_raw(world, body)
    refused(status, answer, word)
    assert counts() == before


def test_no_credential_is_401_in_the_interfaces_form(world, db):
    body = json.dumps(world.hsa.envelope("1101", good("1101", world))).encode()
    for header in ("", "Bearer ", "Bearer x.y", "Basic abc", "Bearer " + "a" * 5000):
        status, answer = post_raw(world, body, HTTP_AUTHORIZATION=header)
        refused(status, answer, "Authorization", expected_status=401)
    status, answer = post_raw(world, body, HTTP_AUTHORIZATION=f"bearer {world.hsa.token}")
    assert status == 200 and answer["infcode"] == 0, answer  # the scheme's case does not matter


ENVELOPES = [
    ("infno", DROP, "infno"),
    ("infno", None, "infno"),
    ("infno", "", "infno"),
    ("infno", "9999", "infno"),
    ("infno", {"a": 1}, "infno"),
    ("infno", ["1101"], "infno"),
    ("infno", 1101, "infno"),
    ("infno", "11\x0001", "infno"),
    ("msgid", DROP, "msgid"),
    ("msgid", "", "msgid"),
    ("msgid", "123", "msgid"),
    ("msgid", "H32090299999" + "20261130080000" + "0001", "msgid"),
    ("msgid", "x' OR 1=1 --", "msgid"),
    ("msgid", "A" * 10240, "msgid"),
    ("msgid", ["x"], "msgid"),
    ("fixmedins_code", DROP, "fixmedins_code"),
    ("fixmedins_code", "H32090299999", "fixmedins_code"),
    ("fixmedins_code", {"a": 1}, "fixmedins_code"),
    ("sign_no", DROP, "sign_no"),
    ("sign_no", "WRONG", "sign_no"),
    ("sign_no", "' OR '1'='1", "sign_no"),
    ("sign_no", "\x00", "sign_no"),
    ("opter_name", "收费员\x00", "opter_name"),
    ("opter_name", "名" * 200, "opter_name"),
    ("opter", {"a": 1}, "opter"),
    ("opter", "x" * 10240, "opter"),
    ("mdtrtarea_admvs", "abc", "mdtrtarea_admvs"),
    ("mdtrtarea_admvs", "３２０９００", "mdtrtarea_admvs"),
    ("insuplc_admdvs", 320900, "insuplc_admdvs"),
    ("insuplc_admdvs", "32090", "insuplc_admdvs"),
    ("opter_type", "9", "opter_type"),
    ("opter_type", 1, "opter_type"),
]


@pytest.mark.parametrize(("key", "value", "field"), ENVELOPES)
def test_a_bad_envelope_field(world, db, key, value, field):
    infno = "2207"  # the envelope is read the same way for every infno: a writing one
    extra: dict[str, Any] = {key: value}
    if key == "msgid" and value == "H32090299999" + "20261130080000" + "0001":
        extra[key] = "H32090299999" + world.hsa.msgid()[12:]  # another provider's, well formed
    attack(world, infno, good(infno, world), field, **extra)


def test_the_msgid_time_must_be_a_real_time(world, db):
    code = world.hsa.provider.national_code
    for stamp in ("20261301080000", "20260230080000", "20261130250000", "19000101000000"):
        attack(world, "2207", good("2207", world), "msgid", msgid=f"{code}{stamp}0001")


@pytest.mark.parametrize("infno", INFNOS)
@pytest.mark.parametrize("value", [DROP, None, [], "x", {"data": [{"a": 1}]}, {"data": "x"}])
def test_a_bad_input_block(world, db, infno, value):
    if value is DROP:
        body = world.hsa.envelope(infno, {})
        del body["input"]
        before = counts()
        refused(*post_raw(world, json.dumps(body).encode()), "input")
        assert counts() == before
        return
    attack(world, infno, value, "data" if isinstance(value, dict) else "input")


# -- fields inside input, by class --------------------------------------------------------------

TEXT = [
    DROP,
    None,
    "",
    "   ",
    "\t",
    12,
    1.5,
    True,
    {"a": 1},
    ["x"],
    "x\x00y",
    "x\x1b[0m",
    "é" * 10240,
]
OPTIONAL_TEXT = [12, True, {"a": 1}, ["x"], "x\x00y", "é" * 10240]
MONEY = [
    DROP, None, "", "  ", "-1", "-0.01", "1e3", "1E-2", "NaN", "Infinity", "-Infinity", "1.001",
    "01.5", ".5", "5.", "12,00", "１２", "٣", "²", "0x10", "1_000", "12.5元", "¥12", True,
    {"v": 1}, ["1"], "100000000000000000000", "9" * 5000,
]  # fmt: skip
MONEY_NUMBERS = ["1e3", "1E-2", "1e20", "12.345", "-1", "1e400", "9" * 30]  # as JSON numbers
SIGNED_NUMBERS = [v for v in MONEY_NUMBERS if v != "-1"] + ["-1e3", "-12.345"]
QUANTITY = [
    DROP,
    None,
    "",
    "0",
    "-1",
    "1e3",
    "1E-2",
    "NaN",
    "１",
    "0.00001",
    "1" * 20,
    True,
    {"a": 1},
]
TIMES = [
    DROP, None, "", "2026-13-01 10:00:00", "2026-02-30 10:00:00", "2026-11-30 25:00:00",
    "20261130", "20261130100000", "2026-11-30T10:00:00+08:00", "2026-11-30 10:00:00Z",
    "9999-12-31 23:59:59", "1900-01-01 00:00:00", "０２０２-11-30 10:00:00", "2026-11-30", 20261130,
    {"a": 1},
]  # fmt: skip
DAYS = [DROP, None, "", "2026-13-01", "2026-02-30", "20261130", "2026-11-30T00:00:00", "2026-W48-1",
        "2026-11-30xyz", "11/30/2026", 20261130, "１９００-01-01"]  # fmt: skip
IDS = [
    DROP, None, "", "0", "abc", "2026110", "202611" + "9" * 18, "209912999", "2026110²",
    "２０２６１１０", "' OR 1=1 --", "1" * 10240, "2026\x001", 2026111, True, {"a": 1},
]  # fmt: skip
PSN_NOS = ["", "abc", "3209000000000000000١", "32090000000000000000", "320900" + "９" * 14,
           "32090099999999999999", "x" * 10240, "3209\x00", 32090000000000000001, ["x"]]  # fmt: skip
MONEY_SHORT = [DROP, "-1", "1e3", "1.001", "１２", True, "100000000000000000000", "NaN"]
TEXT_SHORT = [DROP, "", 12, {"a": 1}, "x\x00y", "x" * 10240]
FLAGS = ["2", "-1", "true", "yes", "１", True, 1.0, {"a": 1}]
CODES = ["999", "0", "31", "3100", " 31 0", "３１０", 310, True, {"a": 1}, "' OR 1=1"]


def _unsigned(values: list[Any]) -> list[Any]:
    return [v for v in values if not (isinstance(v, str) and v.startswith("-0") or v == "-1")]


def _cases() -> list[tuple[str, tuple[Any, ...], list[Any], str]]:
    """(infno, path, values, field named in the answer)."""
    fee = ("feedetail", 0)
    out: list[tuple[str, tuple[Any, ...], list[Any], str]] = []

    def add(infno: str, path: tuple[Any, ...], values: list[Any], field: str = "") -> None:
        out.append((infno, path, values, field or str(path[-1])))

    add("9001", ("signIn", "opter_no"), TEXT)
    add("9001", ("signIn", "mac"), OPTIONAL_TEXT)
    add("1101", ("data", "mdtrt_cert_type"), [DROP, None, "", "04", "1", *CODES])
    add("1101", ("data", "mdtrt_cert_no"), TEXT)
    add("1101", ("data", "psn_no"), PSN_NOS[1:])
    add("2201", ("data", "psn_no"), PSN_NOS[1:])
    add("2201", ("data", "insutype"), [DROP, None, "", "320", *CODES])
    add("2201", ("data", "med_type"), ["99", "1", *CODES[1:]])
    add("2201", ("data", "begntime"), TIMES)
    add("2201", ("data", "ipt_otp_no"), OPTIONAL_TEXT)
    add("2201", ("data", "dise_codg"), OPTIONAL_TEXT)
    add("2201", ("diseinfo",), ["x", [1], [None], [[]]], "diseinfo")
    add("2201", ("diseinfo",), [{"diag_code": {"a": 1}}, [{"diag_name": "\x00"}]], "diag_")
    # 2301 and 2304 read their fields as 2204 and 2207 do: the full lists once, a sample there.
    for infno, full in (("2204", True), ("2301", False)):
        add(infno, (*fee, "mdtrt_id"), IDS if full else IDS[:8], "mdtrt_id")
        add(infno, (*fee, "feedetl_sn"), TEXT if full else TEXT_SHORT)
        add(infno, (*fee, "med_list_codg"), TEXT if full else TEXT_SHORT)
        add(infno, (*fee, "pric"), MONEY if full else MONEY_SHORT)
        add(infno, (*fee, "det_item_fee_sumamt"), MONEY_SHORT)
        add(infno, (*fee, "cnt"), QUANTITY)
        add(infno, (*fee, "fee_ocur_time"), TIMES if full else TIMES[:8])
        add(infno, (*fee, "psn_no"), PSN_NOS[1:] if full else PSN_NOS[1:4])
        add(infno, ("feedetail",), [DROP, None, [], "x", [1], [None], [[]]], "feedetail")
    # Fields the settlement is sent but does not use keep their form (settlement/hsa/known.py).
    for name, values in (
        ("med_type", ["99", "<script>", 11]),
        ("psn_setlway", ["0201x00", "\x00", 1]),  # its form only: regions extend the codes
        ("mdtrt_cert_type", ["04", 2]),
        ("mdtrt_cert_no", ["x" * 51, "1\u202e2"]),
        ("fulamt_ownpay_amt", ["-1", "1e3", "abc"]),
        ("inscp_scp_amt", ["1.001"]),
    ):
        add("2207", ("data", name), values)
    add("3201", ("data", "setl_optins"), ["32090", "abcdef", 320902])
    add("2601", ("data", "psn_no"), [12, "x" * 40, "32090000000000000000", "abc"])
    add("2201", ("data", "mdtrt_cert_no"), ["360426199101010071", "x"])
    add("2208", ("data", "mdtrt_id"), ["abc", 2026111, "2026110"])
    add("2401", ("mdtrtinfo", "psn_no"), [DROP], "mdtrt_cert_type")
    for infno, full in (("2207", True), ("2304", False)):
        add(infno, ("data", "mdtrt_id"), IDS if full else IDS[:8])
        add(infno, ("data", "medfee_sumamt"), [*(MONEY if full else MONEY_SHORT), "19.99", "0"])
        add(infno, ("data", "psn_no"), PSN_NOS[1:] if full else PSN_NOS[1:4])
        add(infno, ("data", "acct_used_flag"), FLAGS)
        add(infno, ("data", "mid_setl_flag"), FLAGS[:4])
        add(infno, ("data", "insutype"), ["390", *CODES])
        add(infno, ("data", "invono"), OPTIONAL_TEXT)
    add("2208", ("data", "setl_id"), IDS)
    add("2208", ("data", "psn_no"), PSN_NOS[1:])
    add("2401", ("mdtrtinfo", "begntime"), TIMES)
    add("2401", ("mdtrtinfo", "insutype"), [DROP, *CODES])
    add("2401", ("mdtrtinfo", "med_type"), ["11", "99", *CODES[1:]])
    add("2401", ("mdtrtinfo", "psn_no"), PSN_NOS[1:])
    add("2402", ("dscginfo", "mdtrt_id"), IDS)
    add("2402", ("dscginfo", "endtime"), [*TIMES, BEFORE_ADMISSION])
    add("2601", ("data", "omsgid"), [*TEXT, "123", "H32090299999202611300800000001"])
    add("2601", ("data", "oinfno"), [*TEXT, "2208", "9999", 2207])
    for name in ("stmt_begndate", "stmt_enddate"):
        add("3201", ("data", name), DAYS)
    # Reconciliation figures are signed (a cancelled settlement's are negative): "-1" is a
    # figure there, "--1" and "-1.001" are not.
    add("3201", ("data", "medfee_sumamt"), [*_unsigned(MONEY), "--1", "-1.001", "- 1"])
    for name in ("fund_pay_sumamt", "acct_pay"):
        add("3201", ("data", name), [*_unsigned(MONEY_SHORT), "--1", "-1e3"])
    add(
        "3201",
        ("data", "fixmedins_setl_cnt"),
        [DROP, "", "1.5", "1e3", "x", "１", "²", True, "9" * 5000],
    )
    add("3201", ("data", "insutype"), CODES)
    add("3201", ("data", "clr_type"), ["00", "1", *CODES[1:]])
    add("3201", ("data", "refd_setl_flag"), FLAGS)
    return out


CASES = [(infno, path, value, field) for infno, path, values, field in _cases() for value in values]


def _id(case: tuple[Any, ...]) -> str:
    infno, path, value, _field = case
    shown = "DROP" if value is DROP else repr(value)[:24]
    return f"{infno}-{'.'.join(map(str, path))}={shown}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_a_bad_field(world, db, case):
    infno, path, value, field = case
    attack(world, infno, spoil(good(infno, world), path, value), field)


@pytest.mark.parametrize(
    ("infno", "value"),
    [(i, v) for i in ("2204", "2207") for v in MONEY_NUMBERS]
    + [("3201", v) for v in SIGNED_NUMBERS],
)
def test_a_bad_amount_as_a_json_number(world, db, infno, value):
    """Amounts as JSON numbers: parsed as Decimal (never a float), and held to the same rule."""
    path: tuple[Any, ...] = (
        ("feedetail", 0, "pric") if infno == "2204" else ("data", "medfee_sumamt")
    )
    payload = spoil(good(infno, world), path, "@@N@@")
    body = json.dumps(world.hsa.envelope(infno, payload)).replace('"@@N@@"', value)
    before = counts()
    refused(*post_raw(world, body.encode()), str(path[-1]))
    assert counts() == before


def test_an_amount_as_a_json_number_with_two_decimals_is_accepted(world, db):
    payload = spoil(good("2207", world), ("data", "medfee_sumamt"), "@@N@@")
    body = json.dumps(world.hsa.envelope("2207", payload)).replace('"@@N@@"', "20.00")
    status, answer = post_raw(world, body.encode())
    assert status == 200 and answer["infcode"] == 0, answer


def test_a_regional_settlement_way_no_transaction_reads_is_accepted(world, db):
    """psn_setlway is read by no transaction, and regions extend the national 01/02."""
    payload = spoil(good("2207", world), ("data", "psn_setlway"), "0201")
    status, answer = post_raw(world, json.dumps(world.hsa.envelope("2207", payload)).encode())
    assert status == 200 and answer["infcode"] == 0, answer


# -- consistency and ids of others -------------------------------------------------------------


def test_a_line_amount_that_is_not_count_times_price(world, db):
    for cnt, pric, amount in (
        ("2", "10.00", "21.00"),
        ("3", "0.33", "1.00"),
        ("1.5", "3.00", "4.49"),
    ):
        row = {**_fee_row(world.open_mdtrt, world.employee), "cnt": cnt, "pric": pric}
        attack(
            world,
            "2204",
            {"feedetail": [{**row, "det_item_fee_sumamt": amount}]},
            "det_item_fee_sumamt",
        )


def test_lines_of_two_visits_in_one_upload(world, db):
    rows = [_fee_row(world.open_mdtrt, world.employee), _fee_row(world.admitted, world.employee)]
    attack(world, "2204", {"feedetail": rows}, "mdtrt_id")


def test_the_same_serial_twice_or_again(world, db):
    row = _fee_row(world.open_mdtrt, world.employee)
    attack(world, "2204", {"feedetail": [row, row]}, "feedetl_sn")


def test_another_providers_visit_and_settlement(world, db):
    w = world
    attack(w, "2204", {"feedetail": [_fee_row(w.other_mdtrt, w.employee)]}, "mdtrt_id")
    attack(w, "2207", w.hsa.settle_payload(w.other_mdtrt, w.employee, "0.00"), "mdtrt_id")
    attack(w, "2208", {"data": {"setl_id": w.other_setl_id}}, "setl_id")
    attack(w, "2402", {"dscginfo": {"mdtrt_id": w.other_mdtrt, "endtime": _now()}}, "mdtrt_id")


def test_an_outpatient_visit_through_inpatient_messages_and_back(world, db):
    w = world
    attack(w, "2301", {"feedetail": [_fee_row(w.open_mdtrt, w.employee)]}, "mdtrt_id")
    attack(w, "2204", {"feedetail": [_fee_row(w.admitted, w.employee)]}, "mdtrt_id")
    attack(w, "2304", w.hsa.settle_payload(w.open_mdtrt, w.employee, "20.00"), "mdtrt_id")
    attack(w, "2305", {"data": {"setl_id": w.setl_id}}, "setl_id")  # an outpatient settlement
    inpatient = _ok(w.hsa.post("2304", good("2304", w)))["setlinfo"]["setl_id"]
    attack(w, "2208", {"data": {"setl_id": inpatient}}, "setl_id")


def test_a_settlement_cancelled_twice_or_a_reversal_cancelled(world, db):
    w = world
    reversal = _ok(w.hsa.post("2208", good("2208", w)))["setlinfo"]["setl_id"]
    attack(w, "2208", good("2208", w), "setl_id")
    attack(w, "2208", {"data": {"setl_id": reversal}}, "setl_id")


def test_a_msgid_reused_with_another_payload(world, db):
    w = world
    msgid = w.hsa.msgid()
    _ok(w.hsa.post("2204", {"feedetail": [_fee_row(w.open_mdtrt, w.employee)]}, msgid=msgid))
    attack(w, "2204", {"feedetail": [_fee_row(w.open_mdtrt, w.employee)]}, "msgid", msgid=msgid)


def test_another_providers_or_yesterdays_sign_no(world, db):
    w = world
    attack(w, "2207", good("2207", w), "sign_no", sign_no=w.other.sign_no)
    with unrestricted():
        SignIn.objects.filter(sign_no=w.hsa.sign_no).update(
            day=timezone.localdate() - timedelta(days=1)
        )
    attack(w, "2207", good("2207", w), "sign_no")


def test_a_reversal_of_another_providers_message(world, db):
    w = world
    omsgid = w.other.msgid()
    payload = {"data": {"psn_no": psn(w.employee), "omsgid": omsgid, "oinfno": "2207"}}
    attack(w, "2601", payload, "omsgid")


def test_a_reconciliation_period_backwards_or_too_long(world, db):
    for begin, end in (("2026-11-30", "2026-11-01"), ("2024-01-01", "2026-11-30")):
        payload = good("3201", world)
        payload["data"].update(stmt_begndate=begin, stmt_enddate=end)
        attack(world, "3201", payload, "stmt_enddate")


def test_a_visit_in_the_wrong_state(world, db):
    w = world
    attack(w, "2204", {"feedetail": [_fee_row(w.settled, w.employee)]}, "mdtrt_id")
    attack(w, "2207", w.hsa.settle_payload(w.settled, w.employee, "20.00"), "mdtrt_id")
    attack(w, "2402", {"dscginfo": {"mdtrt_id": w.discharged, "endtime": _now()}}, "mdtrt_id")
    attack(
        w,
        "2304",
        good("2304", w) | {"data": {**good("2304", w)["data"], "mdtrt_id": w.admitted}},
        "mdtrt_id",
    )


def test_a_fee_in_the_future_or_before_the_visit(world, db):
    w = world
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%d 09:00:00")
    row = _fee_row(w.open_mdtrt, w.employee)
    attack(w, "2204", {"feedetail": [{**row, "fee_ocur_time": tomorrow}]}, "fee_ocur_time")
    row = _fee_row(w.admitted, w.employee)
    attack(w, "2301", {"feedetail": [{**row, "fee_ocur_time": _now(10)}]}, "fee_ocur_time")


def test_an_item_outside_the_catalogue_is_settled_as_such_and_said_so(world, db):
    row = {**_fee_row(world.open_mdtrt, world.employee), "med_list_codg": "NOT-IN-CATALOGUE"}
    (line,) = _ok(world.hsa.post("2204", {"feedetail": [row]}))["result"]
    assert line["chrgitm_lv"] == "03" and line["fulamt_ownpay_amt"] == Decimal("20.00")
    assert "目录外" in line["memo"]


def test_a_signed_out_sign_no(world, db):
    w = world
    _ok(w.hsa.post("9002", {"signOut": {"sign_no": w.hsa.sign_no}}))
    attack(w, "2207", good("2207", w), "sign_no")


def test_an_infno_in_the_path_that_is_not_the_messages(world, db):
    body = json.dumps(world.hsa.envelope("2207", good("2207", world))).encode()
    before = counts()
    response = world.hsa.client.post(
        "/api/hsa/2204", data=body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.hsa.token}",
    )  # fmt: skip
    refused(response.status_code, response.json(), "infno")
    assert counts() == before


@pytest.mark.parametrize(
    "infno",
    ["2202", "2203", "2205", "2206", "2302", "2303", "2305", "2404", "2405", "5203", "5204"],
)
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "mdtrt_id"),
        ({"mdtrt_id": "2026110\u00b2"}, "mdtrt_id"),
        ({"mdtrt_id": 2026111}, "mdtrt_id"),
        ({"mdtrt_id": "' OR 1=1 --"}, "mdtrt_id"),
        ({"setl_id": "2026110\u00b2", "mdtrt_id": "2026110\u00b2"}, "_id"),
    ],
)
def test_the_other_transactions_refuse_a_bad_id(world, db, infno, data, field):
    """The messages a provider sends less often read their ids the same way."""
    if infno == "2305":  # the inpatient cancellation reads setl_id: either id may be refused first
        field = "_id"
    attack(world, infno, {"data": data}, field)


def test_a_byte_order_mark_and_an_escaped_emoji_are_not_errors(world, db):
    payload = good("2207", world)
    payload["data"]["unknown_note"] = "\U0001f600"
    body = json.dumps(world.hsa.envelope("2207", payload))  # ensure_ascii: \ud83d\ude00
    assert "\\ud83d" in body
    status, answer = post_raw(world, "\ufeff".encode() + body.encode())
    assert status == 200 and answer["infcode"] == 0, answer


def test_more_diagnoses_than_kept_are_refused_not_cut(world, db):
    payload = good("2201", world)
    payload["diseinfo"] = [{"diag_code": f"I{n:02d}", "diag_name": "诊断"} for n in range(51)]
    attack(world, "2201", payload, "diseinfo")


@pytest.mark.parametrize("half", ["\ud800", "\udc00", "\udfff"])
@pytest.mark.parametrize("where", ["unknown_note", "invono", "psn_no", "key\ud800", "key\udc00"])
def test_a_lone_surrogate_anywhere_in_a_settlement(world, db, where, half):
    """Half a UTF-16 pair (high or low) decodes to text that cannot be encoded again (the msgid's
    digest, the database): refused naming the field (in a key: the key, escaped), not an
    internal error."""
    payload = good("2207", world)
    payload["data"][where] = "x" + half
    body = json.dumps(world.hsa.envelope("2207", payload))  # ensure_ascii writes \ud800
    before = counts()
    shown = where.encode("utf-8", "backslashreplace").decode()
    refused(*post_raw(world, body.encode()), shown)
    assert counts() == before


WHO_CANNOT_SETTLE = ("2201", "2401", "2207", "2304")


@pytest.mark.parametrize("infno", WHO_CANNOT_SETTLE)
def test_a_dead_person(world, db, infno):
    from enrollment.models import Person

    with unrestricted():
        Person.objects.filter(pk=world.employee.pk).update(
            died_on=timezone.localdate() - timedelta(days=1)
        )
    attack(world, infno, good(infno, world), "死亡")


@pytest.mark.parametrize("infno", WHO_CANNOT_SETTLE)
def test_a_person_whose_enrolment_ended(world, db, infno):
    from enrollment.models import Enrolment

    month_ago = timezone.localdate().replace(day=1) - timedelta(days=1)
    with unrestricted():
        Enrolment.objects.filter(person_id=world.employee.pk).update(
            end_month=month_ago.replace(day=1)
        )
    attack(world, infno, good(infno, world), "参保")


@pytest.mark.parametrize("infno", WHO_CANNOT_SETTLE)
def test_a_suspended_provider(world, db, infno):
    from providers.choices import State
    from providers.models import ProviderEvent

    ProviderEvent.objects.create(
        provider=world.hsa.provider,
        action="suspend",
        from_state=State.PERFORMING,
        to_state=State.SUSPENDED,
        effective_on=timezone.localdate() - timedelta(days=5),
        reason="暂停",
    )
    attack(world, infno, good(infno, world), world.hsa.provider.national_code)

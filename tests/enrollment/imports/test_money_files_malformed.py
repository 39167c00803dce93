"""Money files (征缴到账 from the tax bureau, 缴费申报 from employers), attacked through the upload
page with the amounts and dates people and Excel make: each bad cell is named by row and column
(in English too), the page never answers 500, and nothing is written — at preview and at commit."""

from __future__ import annotations

import pytest

from enrollment.models import Collection, Declaration
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.imports.services import batch_commit
from pooling.kernel import dates, money
from pooling.tabular import errors as e
from tests.enrollment.imports.helpers import commit, credit_code, id_number, people_csv, preview
from tests.pooling.imports.pages import table_counts, upload_page

COLLECTIONS = ["税务到账流水号", "统一社会信用代码", "费款所属期", "到账金额（元）", "到账日期"]
DECLARATIONS = ["统一社会信用代码", "费款所属期", "身份证号码", "申报工资基数（元）"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def declared(clerk_a, demo_policy) -> Declaration:
    """甲公司 of 亭湖区 with one employee enrolled and January 2026 declared."""
    employers = f"统一社会信用代码,单位名称\n{credit_code(1)},甲公司\n".encode()
    assert commit(preview(clerk_a, "employers", employers)).status == ImportStatus.COMMITTED
    commit(
        preview(clerk_a, "people", people_csv([[id_number(seq=1), "人1", "在职职工", "320902"]]))
    )
    enrol = f"身份证号码,险种,参保起始月,统一社会信用代码\n{id_number(seq=1)},职工基本医疗保险,2026-01,{credit_code(1)}\n"
    commit(preview(clerk_a, "enrolments", enrol.encode()))
    line = f"{credit_code(1)},2026-01,{id_number(seq=1)},6500\n"
    commit(preview(clerk_a, "declarations", (",".join(DECLARATIONS) + "\n" + line).encode()))
    return Declaration.objects.get()


@pytest.fixture
def send(client_for, clerk_a, django_capture_on_commit_callbacks):
    client = client_for(clerk_a)

    def upload(kind: str, header: list[str], rows: list[list[str]]) -> ImportBatch:
        data = "\r\n".join(",".join(r) for r in [header, *rows]).encode("gbk")
        return upload_page(client, django_capture_on_commit_callbacks, kind, data, f"{kind}.csv")

    return upload


def text(message, **params) -> str:
    return str(message) % params if params else str(message)


def collection(amount: str = "400.00", received: str = "2026-02-10", ref: str = "T1") -> list[str]:
    return [ref, credit_code(1), "2026-01", amount, received]


HUGE = "9" * 17  # yuan: 10^19 fen, past PostgreSQL's bigint
CASES = [
    ("a negative amount", {"amount": "-400"}, text(money.NEGATIVE_AMOUNT, value="-400")),
    ("three decimals", {"amount": "400.001"}, text(money.TOO_PRECISE, value="400.001")),
    (
        "an amount past any fund",
        {"amount": HUGE},
        text(money.AMOUNT_TOO_LARGE, value=HUGE, limit=f"{money.MAX_YUAN:,}"),
    ),
    (
        "an amount past a decimal",
        {"amount": "1E999999"},
        text(money.NOT_AN_AMOUNT, value="1E999999"),
    ),
    (
        "full-width digits",
        {"amount": "４００"},
        text(e.FULLWIDTH, value="４００", suggestion="400"),
    ),
    (
        "a formula as text",
        {"amount": "=200*2"},
        text(e.FORMULA, cell="D3", formula="=200*2"),
    ),
    (
        "a date in year 1",
        {"received": "0001-02-10"},
        text(dates.OUT_OF_RANGE, value="0001-02-10", first=1900, last=2099),
    ),
    (
        "a date in year 9999",
        {"received": "9999-12-31"},
        text(dates.OUT_OF_RANGE, value="9999-12-31", first=1900, last=2099),
    ),
    (
        "money received after today",
        {"received": "2099-01-01"},
        text(dates.FUTURE_DATE, value="2099-01-01"),
    ),
    (
        "a date Excel showed as its serial",
        {"received": "46063"},
        text(dates.EXCEL_SERIAL, value="46063", date="2026-02-10"),
    ),
]


@pytest.mark.parametrize(("cells", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_collection_row_is_named_and_nothing_is_written(send, declared, cells, reason):
    column = "到账日期" if "received" in cells else "到账金额（元）"
    before = table_counts()
    batch = send("collections", COLLECTIONS, [collection(ref="T0"), collection(**cells)])
    assert batch.status == ImportStatus.FAILED
    assert [(x["row"], x["column"], x["reason"]) for x in batch.errors] == [(3, column, reason)]
    assert batch.errors[0]["reason_en"] != reason
    assert table_counts() == before


def test_an_amount_with_thousands_separators_is_read_exactly(send, declared):
    total = declared.total_fen
    amount = f'"{money.format_yuan(total)}"'  # 1,430.00 — quoted, as Excel writes it
    batch = batch_commit(batch_id=send("collections", COLLECTIONS, [collection(amount)]).pk)
    assert batch.status == ImportStatus.COMMITTED, batch.errors
    assert Collection.objects.get().amount_fen == total


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_a_month_no_one_means_is_named_in_every_file_with_months(send, declared, month):
    before = table_counts()
    reason = text(dates.OUT_OF_RANGE, value=month, first=1900, last=2099)
    batch = send(
        "collections",
        COLLECTIONS,
        [collection(ref="T0"), ["T9", credit_code(1), month, "100", "2026-02-01"]],
    )
    assert [(x["row"], x["column"], x["reason"]) for x in batch.errors] == [
        (3, "费款所属期", reason)
    ]
    batch = send("declarations", DECLARATIONS, [[credit_code(1), month, id_number(seq=1), "6500"]])
    assert [(x["row"], x["column"], x["reason"]) for x in batch.errors] == [
        (2, "费款所属期", reason)
    ]
    enrol = [id_number(seq=1), "职工基本医疗保险", month, credit_code(1)]
    batch = send("enrolments", ["身份证号码", "险种", "参保起始月", "统一社会信用代码"], [enrol])
    assert [(x["row"], x["column"], x["reason"]) for x in batch.errors] == [
        (2, "参保起始月", reason)
    ]
    assert table_counts() == before


def test_a_huge_wage_base_is_named_at_preview(send, declared):
    before = table_counts()
    batch = send(
        "declarations", DECLARATIONS, [[credit_code(1), "2026-02", id_number(seq=1), HUGE]]
    )
    assert [(x["row"], x["column"], x["reason"]) for x in batch.errors] == [
        (
            2,
            "申报工资基数（元）",
            text(money.AMOUNT_TOO_LARGE, value=HUGE, limit=f"{money.MAX_YUAN:,}"),
        )
    ]
    assert table_counts() == before

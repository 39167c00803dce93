"""Catalogue import: encodings, XLSX, all-or-nothing with a row/column/reason report, versions by date."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from pooling.benefits.catalogue.importer import (
    BAD_CLASS,
    BAD_DRUG_CODE,
    BAD_ITEM_CODE,
    DUPLICATE,
    EMPTY_NAME,
    PCT_NOT_B,
    CatalogueImportError,
    catalogue_import,
    load_demo_catalogue,
)
from pooling.benefits.catalogue.models import CatalogueItem, CatalogueVersion
from pooling.benefits.catalogue.selectors import catalogue_in_force, catalogue_lookup
from pooling.benefits.catalogue.services import DATE_TAKEN, catalogue_publish, catalogue_submit
from pooling.kernel.choices import Role
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.regions import StaffSpec, staff_ensure
from pooling.models import User
from pooling.tabular.errors import (
    CHAR_NAMES,
    CONTROL_CHAR,
    DID_YOU_MEAN,
    FORMULA,
    FULLWIDTH,
    MIXED_ENCODING,
    TOO_LONG,
    UNCLOSED_QUOTE,
    UNKNOWN_COLUMNS,
)
from pooling.tabular.reader import (
    BAD_XLSX,
    EMPTY_FILE,
    HEADER_ONLY,
    MISSING_COLUMNS,
    TRUNCATED,
    XLS_UNSUPPORTED,
)

HEADER = "目录类别,编码,名称,甲乙类,自付比例,限定支付范围\n"
GOOD = (
    HEADER
    + "药品,XA01ABD075A002010100483,地喹氯铵含片,甲,,\n"
    + "药品,ZC04AAF0020010101457,复方丹参滴丸,乙,20,\n"
    + "诊疗项目,001102000000100,普通门诊诊查费,乙类,,限门诊\n"
    + "医疗服务设施,110900001000000,普通病房床位费,丙,,\n"
)


def _admin(username: str) -> User:
    return staff_ensure(
        spec=StaffSpec(username, Role.BUREAU_ADMIN, username), password="test-pass-2026"
    )


def _import(
    data: bytes, name: str = "目录.csv", code: str = "V1", on: date = date(2026, 1, 1), **kw: Any
) -> CatalogueVersion:
    return catalogue_import(
        data=data,
        filename=name,
        code=code,
        title="测试目录",
        effective_from=on,
        actor=_admin("maker"),
        **kw,
    )


def _publish(version: CatalogueVersion) -> CatalogueVersion:
    """The maker-checker: the importer submits, a second administrator publishes."""
    return catalogue_publish(
        version=catalogue_submit(version=version, actor=_admin("maker")), actor=_admin("checker")
    )


@pytest.mark.parametrize(
    ("encoding", "label"), [("gbk", "GBK"), ("utf-8-sig", "UTF-8-BOM"), ("utf-8", "UTF-8")]
)
def test_it_imports_csv_in_each_encoding(db, encoding, label):
    version = _import(GOOD.encode(encoding))
    assert (version.drug_count, version.item_count, version.facility_count) == (2, 1, 1)
    items = {i.code: i for i in CatalogueItem.objects.filter(version=version)}
    assert items["ZC04AAF0020010101457"].name == "复方丹参滴丸"
    assert items["ZC04AAF0020010101457"].self_pay_pct == Decimal("20.00")
    assert items["001102000000100"].restrictions == "限门诊"
    assert items["110900001000000"].cls == "C"


def test_it_imports_xlsx_with_english_headers_and_a_kind_for_the_whole_file(db):
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "class", "self_pay_pct"])
    sheet.append(["XJ01CAA040E001010100593", "阿莫西林胶囊", "A", None])
    sheet.append(["XJ01DCC118A001010104443", "头孢呋辛酯片", "B", 15])
    buf = io.BytesIO()
    book.save(buf)
    version = _import(buf.getvalue(), name="drugs.xlsx", default_kind="drug")
    assert version.drug_count == 2
    assert CatalogueItem.objects.get(code="XJ01DCC118A001010104443").self_pay_pct == Decimal(15)


def test_it_rejects_the_whole_file_and_names_each_row_column_and_reason(db):
    bad = (
        HEADER
        + "药品,XA01ABD075A002010100483,地喹氯铵含片,甲,,\n"  # row 2 fine
        + "药品,XA01ABD075,短编码,甲,,\n"  # row 3 code
        + "诊疗项目,00110200000010X,诊查费,甲,,\n"  # row 4 code
        + "药品,XA01ABD075A002010100483,重复,乙,,\n"  # row 5 duplicate of row 2
        + "药品,XJ01CAA040E001010100593,,丁,,\n"  # row 6 name and class
        + "药品,XJ01DCC118A001010104443,头孢,甲,10,\n"
    )  # row 7 pct on class A
    with pytest.raises(CatalogueImportError) as exc:
        _import(bad.encode("gbk"))
    got = {(e.row, e.column, e.reason) for e in exc.value.report.errors}
    assert got == {
        (3, "编码", str(BAD_DRUG_CODE)),
        (4, "编码", str(BAD_ITEM_CODE)),
        (5, "编码", str(DUPLICATE) % {"first": 2}),
        (6, "名称", str(EMPTY_NAME)),
        (6, "甲乙类", str(BAD_CLASS)),
        (7, "自付比例", str(PCT_NOT_B)),
    }
    assert not CatalogueVersion.objects.exists()
    assert not CatalogueItem.objects.exists()


def test_it_reports_a_missing_column(db):
    with pytest.raises(CatalogueImportError) as exc:
        _import("编码,名称\nXA01ABD075A002010100483,x\n".encode())
    assert [(e.row, e.column, e.reason) for e in exc.value.report.errors] == [
        (1, "", str(MISSING_COLUMNS % {"columns": "目录类别、甲乙类"}))
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", EMPTY_FILE),
        (HEADER.encode(), HEADER_ONLY),
        (GOOD.encode() + '药品,XJ01CAA040E001010100593,"阿莫西林'.encode(), UNCLOSED_QUOTE),
        (GOOD.encode() + "药品,XJ01CAA040E001010100593".encode(), TRUNCATED),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, XLS_UNSUPPORTED),
    ],
)
def test_a_broken_file_gets_the_same_message_as_every_other_import(db, data, message):
    with pytest.raises(CatalogueImportError) as exc:
        _import(data)
    [error] = exc.value.report.errors
    assert (
        error.reason.split("：")[0] == (str(message) % {"row": 6, "column": "名称"}).split("：")[0]
    )
    assert not CatalogueVersion.objects.exists()


def test_it_uses_the_catalogue_in_force_on_the_service_date(db, django_assert_num_queries):
    old = _publish(_import(GOOD.encode(), code="2026", on=date(2026, 1, 1)))
    newer = GOOD.replace("普通门诊诊查费,乙类", "普通门诊诊查费,甲类")
    _publish(_import(newer.encode(), code="2026-07", on=date(2026, 7, 1)))
    _import(
        newer.replace("甲类", "丙").encode(), code="draft", on=date(2026, 3, 1)
    )  # never published
    assert catalogue_in_force(on=date(2025, 12, 31)) is None
    assert catalogue_in_force(on=date(2026, 3, 1)) == old
    codes = ["001102000000100", "ZC04AAF0020010101457", "NOT-THERE"]
    with django_assert_num_queries(1):
        march = catalogue_lookup(on=date(2026, 3, 1), codes=codes)
    july = catalogue_lookup(on=date(2026, 7, 1), codes=codes)
    assert march["001102000000100"].cls == "B"
    assert july["001102000000100"].cls == "A"
    assert march["ZC04AAF0020010101457"].self_pay_rate == Decimal("0.2")
    assert "NOT-THERE" not in march


def test_it_refuses_two_published_versions_on_one_date(db):
    _publish(_import(GOOD.encode(), code="a"))
    second = _import(GOOD.encode(), code="b")
    with pytest.raises(BusinessRuleError) as exc:
        _publish(second)
    assert exc.value.message is DATE_TAKEN


def test_it_loads_the_demo_catalogue_once(db):
    first = load_demo_catalogue(
        maker=_admin("maker"), checker=_admin("checker"), echo=lambda *_: None
    )
    again = load_demo_catalogue(
        maker=_admin("maker"), checker=_admin("checker"), echo=lambda *_: None
    )
    assert first.pk == again.pk and first.demo and first.total_count == 30
    assert first.imported_by and first.published_by
    assert (first.imported_by.username, first.published_by.username) == ("maker", "checker")
    assert catalogue_lookup(on=date(2026, 5, 1), codes=["XA01ABD075A002010100483"])


def _book(rows: Iterable[Iterable[object]], write_only: bool = False) -> bytes:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "write_only", [False, True]
)  # shared strings (Excel, WPS) / inline strings
def test_it_reads_xlsx_cells_and_keeps_excel_row_numbers_across_empty_rows(db, write_only):
    rows: list[list[object]] = [
        ["目录类别", "编码", "名称", "甲乙类", "自付比例"],
        ["药品", "XJ01CAA040E001010100593", "阿莫西林胶囊", "甲", None],
        [None, None, None, None, None],  # an empty row 3
        ["诊疗项目", 1102000000100, "诊查费（编码被Excel存成了数字）", "乙", 20],
    ]
    with pytest.raises(CatalogueImportError) as exc:
        _import(_book(rows, write_only), name="x.xlsx")
    assert [(e.row, e.column) for e in exc.value.report.errors] == [(4, "编码")]
    rows[3][1] = "001102000000100"
    version = _import(_book(rows, write_only), name="x.xlsx")
    item = CatalogueItem.objects.get(version=version, code="001102000000100")
    assert (item.name, item.self_pay_pct) == ("诊查费（编码被Excel存成了数字）", Decimal(20))


def test_it_says_a_broken_xlsx_cannot_be_read(db):
    with pytest.raises(CatalogueImportError) as exc:
        _import(b"PK\x03\x04 not really a zip", name="x.xlsx")
    assert [e.reason for e in exc.value.report.errors] == [str(BAD_XLSX)]


def _catalogue_book(rows: Iterable[Iterable[object]], formula_at: str | None = None) -> bytes:
    data = _book(rows)
    if formula_at is None:
        return data
    book = load_workbook(io.BytesIO(data))
    book.active[formula_at] = '=UPPER("xa01abd075a002010100483")'
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MALFORMED = {
    "a UTF-8 row in a GBK file": (
        GOOD.encode("gbk") + "药品,XJ01CAA040E001010100593,阿莫西林胶囊,甲,,\n".encode(),
        [(6, "目录类别", str(MIXED_ENCODING % {"row": 6, "found": "UTF-8", "expected": "GBK"}))],
    ),
    "a misspelt optional header": (
        GOOD.replace("自付比例", "自付比列").encode(),
        [
            (
                1,
                "自付比列",
                str(
                    UNKNOWN_COLUMNS
                    % {
                        "columns": DID_YOU_MEAN % {"header": "自付比列", "suggestion": "自付比例"},
                        "expected": "必填：目录类别、编码、名称、甲乙类；选填：自付比例、限定支付范围",
                    }
                ),
            )
        ],
    ),
    "a name longer than the model holds": (
        GOOD.replace("地喹氯铵含片", "片" * 201).encode(),
        [(2, "名称", str(TOO_LONG % {"length": 201, "limit": 200}))],
    ),
    "a full-width code": (
        GOOD.replace("001102000000100", "００１102000000100").encode(),
        [
            (
                4,
                "编码",
                str(FULLWIDTH % {"value": "００１102000000100", "suggestion": "001102000000100"}),
            )
        ],
    ),
    "a NUL": (
        GOOD.replace("限门诊", "限\x00门诊").encode(),
        [(4, "限定支付范围", str(CONTROL_CHAR % {"char": CHAR_NAMES["\x00"]}))],
    ),
    "a formula": (
        _catalogue_book(
            [["目录类别", "编码", "名称", "甲乙类"], ["药品", "x", "地喹氯铵含片", "甲"]],
            formula_at="B2",
        ),
        [
            (
                2,
                "编码",
                str(FORMULA % {"cell": "B2", "formula": '=UPPER("xa01abd075a002010100483")'}),
            )
        ],
    ),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_catalogue_is_refused_by_row_and_column_and_writes_nothing(db, name):
    data, expected = MALFORMED[name]
    with pytest.raises(CatalogueImportError) as exc:
        _import(data)
    assert [(e.row, e.column, e.reason) for e in exc.value.report.errors] == expected
    assert not CatalogueVersion.objects.exists() and not CatalogueItem.objects.exists()


def test_a_restriction_keeps_its_line_breaks(db):
    data = (
        HEADER + '诊疗项目,001102000000100,普通门诊诊查费,乙类,,"限门诊\n限二级及以下医院"\n'
    ).encode()
    item = CatalogueItem.objects.get(version=_import(data))
    assert item.restrictions == "限门诊\n限二级及以下医院"


def test_the_upload_page_shows_a_malformed_file_by_row_and_column(client_for, bureau_admin):
    data, [(row, column, reason)] = MALFORMED["a UTF-8 row in a GBK file"]
    response = client_for(bureau_admin).post(
        reverse("pooling:catalogue_upload"),
        {
            "file": SimpleUploadedFile("目录.csv", data),
            "code": "V9",
            "title": "t",
            "effective_from": "2026-01-01",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and escape(reason) in page and escape(column) in page
    assert not CatalogueVersion.objects.exists()

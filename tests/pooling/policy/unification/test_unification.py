from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from pooling.models import CountyBaselineItem
from pooling.policy.document import policy_from_document
from pooling.policy.unification.compare import policy_items
from pooling.policy.unification.services import (
    BaselineFileInvalid,
    county_baselines_import,
    unification_findings,
)
from pooling.tabular.errors import (
    CHAR_NAMES,
    CONTROL_CHAR,
    FULLWIDTH,
    UNCLOSED_QUOTE,
    UNKNOWN_COLUMNS,
)
from tests.pooling.policy.policy_docs import DEMO_BASELINES, demo_doc

pytestmark = pytest.mark.django_db


def csv(*rows: str) -> bytes:
    return ("区划代码,项目代码,数值\n" + "\n".join(rows) + "\n").encode("utf-8-sig")


def keys(findings):
    return [(f.county_code, f.key) for f in findings]


def test_it_lists_item_by_item_where_the_unified_standard_is_less_generous(
    demo_policy, bureau_admin
):
    from pooling.models import PolicyVersion

    county_baselines_import(content=DEMO_BASELINES.read_bytes(), source="demo", actor=bureau_admin)
    findings = unification_findings(version=PolicyVersion.objects.get(code="YC-2026"))
    assert keys(findings) == [
        ("320902", "ip.employee.in_service.level3.deductible_first"),  # 1200 > 1000
        ("320902", "ip.employee.retired.level2.ratio_pct"),  # 92 < 94
        ("320902", "res.individual.resident_adult"),  # 400 > 380
        ("320903", "cs.M02600.ratio_pct"),  # disease not in the unified list
        ("320903", "ip.employee.in_service.level2.annual_cap"),  # 450000 < 500000
        ("320903", "ooc.unregistered"),  # 20 > 15 points
    ]
    first = findings[0]
    assert (first.county_value, first.unified_value) == (Decimal(100_000), Decimal(120_000))
    assert first.label == "职工基本医疗保险 在职职工 三级 首次住院起付标准"
    assert findings[3].unified_value is None


def test_equal_or_more_generous_items_are_not_reported(demo_policy, bureau_admin):
    from pooling.models import PolicyVersion

    county_baselines_import(
        content=csv(
            "320902,ip.resident.minor_student.level3.deductible_first,600.00",  # unified 500: better
            "320902,op.employee.retired.community.ratio_pct,80",  # equal
            "320902,emp.retiree_account.age70,100.00",  # unified 110: better
            "320902,emp.retiree_account.age60,95.00",  # unified 90: worse
        ),
        source="t",
        actor=bureau_admin,
    )
    findings = unification_findings(version=PolicyVersion.objects.get(code="YC-2026"))
    assert keys(findings) == [("320902", "emp.retiree_account.age60")]


def test_a_bad_file_reports_row_and_column_and_imports_nothing(regions, bureau_admin):
    county_baselines_import(content=csv("320902,classb,5"), source="t", actor=bureau_admin)
    with pytest.raises(BaselineFileInvalid) as info:
        county_baselines_import(
            content=csv(
                "320902,classb,8",
                "999999,classb,5",
                "320903,ip.employee.in_service.level9.ratio_pct,5",
                "320903,res.individual.resident_adult,380.001",
            ),
            source="t",
            actor=bureau_admin,
        )
    assert [str(p) for p in info.value.problems] == [
        "第 3 行「区划代码」：不是本统筹区的经办单位代码",
        "第 4 行「项目代码」：未知的项目代码",
        "第 5 行「数值」：应为金额（元，最多两位小数）",
    ]
    assert list(CountyBaselineItem.objects.values_list("county_id", "item", "number")) == [
        ("320902", "classb", Decimal("5"))
    ]


def test_a_reimport_replaces_the_county_and_reads_gbk(regions, bureau_admin, clerk_a):
    county_baselines_import(
        content=csv("320902,classb,5", "320903,classb,5"), source="t", actor=bureau_admin
    )
    gbk = "区划代码,项目代码,数值\n320902,res.individual.minor_student,300.00\n".encode("gbk")
    assert county_baselines_import(content=gbk, source="t", actor=bureau_admin) == {"320902": 1}
    assert sorted(CountyBaselineItem.objects.values_list("county_id", "item", "amount_fen")) == [
        ("320902", "res.individual.minor_student", 30_000),
        ("320903", "classb", None),
    ]
    with pytest.raises(PermissionDenied, match="导入统筹前参数"):
        county_baselines_import(content=gbk, source="t", actor=clerk_a)
    assert CountyBaselineItem.objects.count() == 2


def test_it_reads_a_workbook_and_names_a_missing_column_like_every_import(regions, bureau_admin):
    import io

    from openpyxl import Workbook

    from pooling.tabular.reader import MISSING_COLUMNS

    book = Workbook()
    for row in (
        ["区划代码", "项目名称", "项目代码", "数值"],
        [320902, "乙类先行自付比例", "classb", 5],
    ):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    assert county_baselines_import(
        content=data.getvalue(), source="t.xlsx", actor=bureau_admin
    ) == {"320902": 1}
    with pytest.raises(BaselineFileInvalid) as info:
        county_baselines_import(
            content="区划代码,数值\n320902,5\n".encode(), source="t", actor=bureau_admin
        )
    assert [p.reason for p in info.value.problems] == [
        str(MISSING_COLUMNS % {"columns": "项目代码"})
    ]


def test_policy_items_cover_every_grid_cell_and_disease():
    items = policy_items(policy_from_document(demo_doc()))
    assert items["ip.employee.retired.community.ratio_pct"] == Decimal("96")
    assert items["op.resident.minor_student.level1.annual_limit"] == Decimal(50_000)
    assert items["cs.M07800.annual_limit"] == Decimal(8_000_000)
    assert sum(k.startswith("ip.") for k in items) == 16 * 4


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            csv("320902,classb,５"),
            [(2, "数值", str(FULLWIDTH % {"value": "５", "suggestion": "5"}))],
        ),
        (
            csv("320902,classb,5", "320903,classb,\x005"),
            [(3, "数值", str(CONTROL_CHAR % {"char": CHAR_NAMES["\x00"]}))],
        ),
        (
            "区划代码,项目代码,数值,备注\n320902,classb,5,旧标准\n".encode(),
            [
                (
                    1,
                    "备注",
                    str(
                        UNKNOWN_COLUMNS
                        % {
                            "columns": "“备注”",
                            "expected": "必填：区划代码、项目代码、数值；选填：项目名称",
                        }
                    ),
                )
            ],
        ),
        (
            "区划代码,项目代码,数值\n".encode("gbk")
            + b"320902,classb,5,\n"
            + b'320903,classb,"6\n',
            [(3, "数值", str(UNCLOSED_QUOTE % {"row": 3, "column": "数值"}))],
        ),
    ],
    ids=["full-width digit", "NUL", "unknown column", "unclosed quote"],
)
def test_a_malformed_baseline_file_names_row_and_column_and_saves_nothing(
    regions, bureau_admin, data, expected
):
    with pytest.raises(BaselineFileInvalid) as info:
        county_baselines_import(content=data, source="t", actor=bureau_admin)
    assert [(p.row, p.column, p.reason) for p in info.value.problems] == expected
    assert not CountyBaselineItem.objects.exists()


def test_the_baseline_page_shows_a_malformed_file_without_a_500(client_for, bureau_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    for data in (b"", b"%PDF-1.4\n", csv("320902,classb,=1+1")):
        response = client_for(bureau_admin).post(
            reverse("pooling:unification_import"), {"file": SimpleUploadedFile("t.csv", data)}
        )
        assert response.status_code == 200 and "未导入" in response.content.decode()
    assert not CountyBaselineItem.objects.exists()

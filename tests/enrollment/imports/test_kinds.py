"""Bulk imports: preview lists every error by row, column and reason; commit is all or nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from enrollment.imports import kinds as k
from enrollment.models import Collection, Declaration, Employer, Enrolment, Person
from pooling.imports import kinds, services
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.kernel import codes, dates
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import NEGATIVE_AMOUNT
from pooling.kernel.scoping import acting_as
from pooling.tabular.reader import TRUNCATED
from tests.actors import SETUP
from tests.enrollment.imports.helpers import (
    bad_check,
    commit,
    credit_code,
    id_number,
    people_csv,
    preview,
    upload,
)


def reasons(batch) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["reason"]) for e in batch.errors]


def test_it_imports_a_clean_people_file_after_preview(clerk_a):
    data = people_csv(
        [
            [id_number(seq=1), "张三", "在职职工", "320902"],
            [id_number(seq=2), "李四", "退休人员", ""],
        ]
    )
    batch = preview(clerk_a, "people", data)
    assert batch.status == ImportStatus.PREVIEWED and batch.is_clean and batch.rows_total == 2
    assert Person.objects.count() == 0  # the preview writes nothing
    batch = commit(batch)
    assert batch.status == ImportStatus.COMMITTED and batch.rows_written == 2
    li = Person.objects.get(name="李四")
    assert (li.county_id, li.category, li.sex, str(li.birth_date)) == (
        "320902",
        "retired",
        "F",
        "1990-01-01",
    )
    assert li.created_by == clerk_a


def test_it_lists_every_error_by_row_column_and_reason(clerk_a):
    good = id_number(seq=1)
    data = people_csv(
        [
            [good, "张三", "在职职工", "320902"],
            [bad_check(id_number(seq=3)), "王五", "在职职工", "320902"],
            [good, "张三", "在职职工", "320902"],
            [id_number(seq=5), "赵六", "神仙", "320999"],
        ]
    )
    batch = preview(clerk_a, "people", data)
    expected_check = codes.ID_BAD_CHECK_DIGIT % {
        "expected": id_number(seq=3)[-1],
        "actual": bad_check(id_number(seq=3))[-1],
    }
    assert reasons(batch) == [
        (3, "身份证号码", str(expected_check)),
        (4, "身份证号码", str(services.DUPLICATE_IN_FILE % {"row": 2})),
        (5, "经办机构代码", str(kinds.UNKNOWN_COUNTY % {"code": "320999"})),
        (5, "人员类别", reasons(batch)[3][2]),
    ]
    assert "人员类别不正确" in reasons(batch)[3][2]
    assert batch.error_count == 4 and not batch.is_clean


def test_it_refuses_to_commit_a_batch_with_errors(clerk_a):
    batch = preview(
        clerk_a, "people", people_csv([[bad_check(id_number()), "张三", "在职职工", "320902"]])
    )
    with pytest.raises(BusinessRuleError) as caught:
        commit(batch)
    assert caught.value.message == services.NOT_READY
    assert Person.objects.count() == 0


def test_it_refuses_rows_of_another_county_for_a_clerk(clerk_a):
    batch = preview(clerk_a, "people", people_csv([[id_number(), "张三", "在职职工", "320903"]]))
    assert reasons(batch) == [
        (2, "经办机构代码", str(kinds.OTHER_COUNTY_ROW % {"code": "320903", "own": "320902"}))
    ]


def test_it_lets_city_staff_import_any_county(city_agent):
    batch = commit(
        preview(city_agent, "people", people_csv([[id_number(), "张三", "在职职工", "320903"]]))
    )
    assert batch.status == ImportStatus.COMMITTED and batch.county is None
    assert Person.objects.get().county_id == "320903"


def test_it_refuses_a_person_already_registered_in_any_county(clerk_a, city_agent):
    commit(preview(city_agent, "people", people_csv([[id_number(), "张三", "在职职工", "320903"]])))
    batch = preview(clerk_a, "people", people_csv([[id_number(), "张三", "在职职工", "320902"]]))
    assert reasons(batch) == [(2, "身份证号码", str(k.PERSON_EXISTS))]


def test_it_writes_nothing_when_a_row_goes_bad_between_preview_and_commit(clerk_a, city_agent):
    rows = [[id_number(seq=i), f"人{i}", "在职职工", "320902"] for i in range(1, 6)]
    batch = preview(clerk_a, "people", people_csv(rows))
    assert batch.is_clean
    # Someone registers the 5th person in the meantime: the commit re-checks and writes none.
    commit(preview(city_agent, "people", people_csv([rows[4]])))
    batch = commit(batch)
    assert batch.status == ImportStatus.FAILED
    assert reasons(batch) == [(6, "身份证号码", str(k.PERSON_EXISTS))]
    assert Person.objects.count() == 1


def test_it_commits_a_batch_only_once(clerk_a):
    batch = commit(
        preview(clerk_a, "people", people_csv([[id_number(), "张三", "在职职工", "320902"]]))
    )
    with pytest.raises(BusinessRuleError) as caught:
        commit(batch)
    assert caught.value.message == services.ALREADY_COMMITTED
    assert Person.objects.count() == 1


def test_it_keeps_one_audit_entry_for_the_batch_not_one_per_row(clerk_a):
    rows = [[id_number(seq=i), f"人{i}", "在职职工", "320902"] for i in range(1, 4)]
    batch = commit(preview(clerk_a, "people", people_csv(rows)))
    entries = LogEntry.objects.get_for_object(batch)
    committed = [e for e in entries if e.additional_data and e.additional_data.get("rows") == 3]
    assert len(committed) == 1 and committed[0].actor == clerk_a
    assert not LogEntry.objects.filter(content_type__model="person").exists()


def test_it_reports_a_truncated_file_as_such(clerk_a):
    data = (
        people_csv([[id_number(seq=1), "张三", "在职职工", "320902"]]) + id_number(seq=2).encode()
    )
    batch = preview(clerk_a, "people", data)
    assert batch.file_error == str(TRUNCATED % {"row": 3}) and batch.error_count == 1


def test_it_reads_a_gbk_file_with_chinese_category_names(clerk_a):
    text = "身份证号码,姓名,人员类别\n" + f"{id_number()},张三,在职职工\n"
    batch = commit(preview(clerk_a, "people", text.encode("gbk")))
    assert Person.objects.get().name == "张三" and batch.rows_written == 1


def test_it_hides_a_clerks_batch_from_another_county(clerk_a, clerk_b):
    batch = upload(clerk_a, "people", people_csv([[id_number(), "张三", "在职职工", "320902"]]))
    with acting_as(clerk_b):
        assert not ImportBatch.objects.filter(pk=batch.pk).exists()
    with acting_as(clerk_a):
        assert ImportBatch.objects.filter(pk=batch.pk).exists()


def test_it_refuses_an_unknown_kind_and_a_read_only_role(clerk_a, auditor):
    with pytest.raises(BusinessRuleError) as caught:
        upload(clerk_a, "planets", b"a\n1\n")
    assert caught.value.message == kinds.UNKNOWN_KIND
    with pytest.raises(PermissionDenied, match="批量导入经办数据"):
        upload(auditor, "people", b"a\n1\n")


# --- the other kinds ---------------------------------------------------------------


def test_it_imports_employers_and_checks_the_credit_code(clerk_a):
    bad = credit_code(2)[:-1] + ("0" if credit_code(2)[-1] != "0" else "1")
    data = (
        "统一社会信用代码,单位名称,联系电话\n"
        f"{credit_code(1)},甲公司,13800000000\n{bad},乙公司,12\n"
    ).encode()
    batch = preview(clerk_a, "employers", data)
    assert [(r, c) for r, c, _ in reasons(batch)] == [(3, "统一社会信用代码"), (3, "联系电话")]
    assert "校验码错误" in reasons(batch)[0][2]
    good = commit(
        preview(
            clerk_a, "employers", f"统一社会信用代码,单位名称\n{credit_code(1)},甲公司\n".encode()
        )
    )
    assert good.status == ImportStatus.COMMITTED and Employer.objects.get().county_id == "320902"


@pytest.fixture
def employer_and_people(clerk_a):
    commit(
        preview(
            clerk_a, "employers", f"统一社会信用代码,单位名称\n{credit_code(1)},甲公司\n".encode()
        )
    )
    rows = [[id_number(seq=i), f"人{i}", "在职职工", "320902"] for i in (1, 2)]
    commit(preview(clerk_a, "people", people_csv(rows)))


def test_it_imports_enrolments_of_people_and_employers_on_file(
    clerk_a, employer_and_people, demo_policy
):
    data = (
        "身份证号码,险种,参保起始月,统一社会信用代码\n"
        f"{id_number(seq=1)},职工基本医疗保险,2026-01,{credit_code(1)}\n"
        f"{id_number(seq=2)},城乡居民基本医疗保险,202602,\n"
        f"{id_number(seq=9)},城乡居民基本医疗保险,2026-13,\n"
    ).encode()
    batch = preview(clerk_a, "enrolments", data)
    assert [(r, c) for r, c, _ in reasons(batch)] == [(4, "参保起始月")]
    assert "月份格式不正确" in reasons(batch)[0][2]
    batch = commit(preview(clerk_a, "enrolments", data.rsplit(b"\n", 2)[0] + b"\n"))
    assert batch.status == ImportStatus.COMMITTED, batch.errors
    assert Enrolment.objects.filter(employer__isnull=False).count() == 1
    again = preview(clerk_a, "enrolments", data.rsplit(b"\n", 3)[0] + b"\n")
    assert reasons(again)[0][2] == str(k.ALREADY_ENROLLED)


def test_the_preview_applies_the_enrolment_rules_too(clerk_a, employer_and_people, demo_policy):
    from enrollment import services

    person = Person.objects.get(id_number=id_number(seq=1))
    earlier = services.enrol(
        person=person,
        scheme="employee",
        start_month=date(2026, 1, 1),
        employer=Employer.objects.get(),
        actor=SETUP,
    )
    services.enrolment_end(
        enrolment=earlier, end_month=date(2026, 3, 1), reason="测试终止", actor=SETUP
    )
    data = (
        "身份证号码,险种,参保起始月\n"
        f"{id_number(seq=2)},城乡居民基本医疗保险,2026-01\n"
        f"{id_number(seq=1)},城乡居民基本医疗保险,2026-02\n"
    ).encode()  # overlaps January–March
    batch = preview(clerk_a, "enrolments", data)
    assert [(r, c) for r, c, _ in reasons(batch)] == [(3, "参保起始月")]
    assert "重叠" in reasons(batch)[0][2]
    assert Enrolment.objects.count() == 1  # the preview wrote nothing


def test_a_rule_that_refuses_at_commit_names_its_row_and_writes_nothing(
    clerk_a, employer_and_people, demo_policy
):
    from enrollment import services

    data = (
        "身份证号码,险种,参保起始月\n"
        f"{id_number(seq=1)},城乡居民基本医疗保险,2026-01\n"
        f"{id_number(seq=2)},城乡居民基本医疗保险,2026-01\n"
    ).encode()
    batch = preview(clerk_a, "enrolments", data)
    assert batch.is_clean
    # Between preview and commit, a clerk enrols the second person in the employee scheme.
    person = Person.objects.get(id_number=id_number(seq=2))
    services.enrol(
        person=person,
        scheme="employee",
        start_month=date(2026, 1, 1),
        employer=Employer.objects.get(),
        actor=SETUP,
    )
    batch = commit(batch)
    assert batch.status == ImportStatus.FAILED
    assert [(r, c) for r, c, _ in reasons(batch)] == [(3, "身份证号码")]
    assert Enrolment.objects.count() == 1  # only the clerk's own enrolment


def test_it_imports_declaration_lines_and_refuses_a_negative_amount(
    clerk_a, employer_and_people, demo_policy
):
    enrol = f"身份证号码,险种,参保起始月,统一社会信用代码\n{id_number(seq=1)},职工基本医疗保险,2026-01,{credit_code(1)}\n"
    assert commit(preview(clerk_a, "enrolments", enrol.encode())).status == ImportStatus.COMMITTED
    header = "统一社会信用代码,费款所属期,身份证号码,申报工资基数（元）\n"
    bad = preview(
        clerk_a,
        "declarations",
        (header + f"{credit_code(1)},2026-01,{id_number(seq=1)},-5\n").encode(),
    )
    assert reasons(bad) == [(2, "申报工资基数（元）", str(NEGATIVE_AMOUNT % {"value": "-5"}))]
    good = header + f"{credit_code(1)},2026-01,{id_number(seq=1)},6500\n"
    assert commit(preview(clerk_a, "declarations", good.encode())).status == ImportStatus.COMMITTED
    declaration = Declaration.objects.get()
    assert declaration.total_fen > 0 and declaration.lines.count() == 1
    # A line the service would refuse (not enrolled with this employer): the preview names
    # it, with the file's column, and the file cannot be committed.
    refused = preview(
        clerk_a,
        "declarations",
        (
            header + f"{credit_code(1)},2026-02,{id_number(seq=1)},6500\n"
            f"{credit_code(1)},2026-02,{id_number(seq=2)},6500\n"
        ).encode(),
    )
    assert [(r, c) for r, c, _m in reasons(refused)] == [
        (3, "身份证号码")
    ] and "没有该单位" in reasons(refused)[0][2]
    assert not refused.is_clean
    assert declaration.lines.count() == 1 and Declaration.objects.count() == 1


def test_it_matches_tax_collections_to_declarations_and_refuses_a_bad_date(
    clerk_a, employer_and_people, demo_policy
):
    enrol = f"身份证号码,险种,参保起始月,统一社会信用代码\n{id_number(seq=1)},职工基本医疗保险,2026-01,{credit_code(1)}\n"
    commit(preview(clerk_a, "enrolments", enrol.encode()))
    commit(
        preview(
            clerk_a,
            "declarations",
            (
                f"统一社会信用代码,费款所属期,身份证号码,申报工资基数（元）\n"
                f"{credit_code(1)},2026-01,{id_number(seq=1)},6500\n"
            ).encode(),
        )
    )
    total = Declaration.objects.get().total_fen
    header = "税务到账流水号,统一社会信用代码,费款所属期,到账金额（元）,到账日期\n"
    bad = preview(
        clerk_a, "collections", (header + f"T1,{credit_code(1)},2026-01,400,2026-02-30\n").encode()
    )
    assert [(r, c) for r, c, _ in reasons(bad)] == [(2, "到账日期")]
    assert reasons(bad)[0][2] == str(dates.BAD_DATE % {"value": "2026-02-30"})
    first, rest = "%.2f" % (100 / 100), "%.2f" % ((total - 100) / 100)
    data = (
        header
        + f"T1,{credit_code(1)},2026-01,{first},2026-02-10\nT2,{credit_code(1)},2026-01,{rest},2026-02-11\n"
    )
    assert commit(preview(clerk_a, "collections", data.encode())).status == ImportStatus.COMMITTED
    declaration = Declaration.objects.get()
    assert (declaration.paid_fen, declaration.status) == (total, "paid")
    assert Collection.objects.filter(declaration=declaration).count() == 2


def test_it_runs_preview_and_commit_as_celery_tasks_idempotently(clerk_a, settings):
    from pooling.imports.tasks import import_commit, import_preview

    settings.CELERY_TASK_ALWAYS_EAGER = True
    batch = upload(clerk_a, "people", people_csv([[id_number(), "张三", "在职职工", "320902"]]))
    assert import_preview.delay(batch.pk).get() == ImportStatus.PREVIEWED
    assert (
        import_preview.delay(batch.pk).get() == ImportStatus.PREVIEWED
    )  # redelivered: no second pass
    assert import_commit.delay(batch.pk).get() == ImportStatus.COMMITTED
    assert import_commit.delay(batch.pk).get() == "already_committed"
    assert Person.objects.count() == 1


def test_it_runs_the_task_scoped_to_the_clerk_who_uploaded(clerk_a, clerk_b, city_agent):
    """A batch of clerk_b's county cannot be used to write into clerk_a's county: rows are
    checked against the uploader, whoever triggers the task."""
    batch = upload(clerk_b, "people", people_csv([[id_number(), "张三", "在职职工", "320902"]]))
    from pooling.imports.tasks import import_preview

    import_preview.delay(batch.pk)
    batch.refresh_from_db()
    assert reasons(batch)[0][1] == "经办机构代码" and batch.error_count == 1


def test_it_imports_an_xlsx_file_and_names_an_empty_one(clerk_a):
    import io

    from openpyxl import Workbook

    from pooling.tabular.reader import EMPTY_FILE

    wb = Workbook()
    wb.active.append(["身份证号码", "姓名", "人员类别"])
    wb.active.append([id_number(), "张三", "在职职工"])
    out = io.BytesIO()
    wb.save(out)
    batch = commit(preview(clerk_a, "people", out.getvalue(), name="人员.xlsx"))
    assert batch.status == ImportStatus.COMMITTED and Person.objects.get().name == "张三"
    empty = preview(clerk_a, "people", b"", name="空.csv")
    assert empty.file_error == str(EMPTY_FILE) and not empty.is_clean


def test_it_reads_an_enrolment_workbooks_dates_by_their_format_and_names_a_bare_serial(
    clerk_a, employer_and_people, demo_policy
):
    import io
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["身份证号码", "险种", "参保起始月", "统一社会信用代码"])
    sheet.append([id_number(seq=1), "职工基本医疗保险", datetime(2026, 1, 1), credit_code(1)])
    sheet.append(
        [id_number(seq=2), "城乡居民基本医疗保险", 46082, None]
    )  # a date that lost its format
    out = io.BytesIO()
    book.save(out)
    batch = preview(clerk_a, "enrolments", out.getvalue(), name="参保.xlsx")
    assert reasons(batch) == [
        (3, "参保起始月", str(dates.EXCEL_SERIAL % {"value": "46082", "date": "2026-03-01"}))
    ]
    sheet["C3"].value, sheet["C3"].number_format = 46082, "yyyy-mm"
    out = io.BytesIO()
    book.save(out)
    batch = commit(preview(clerk_a, "enrolments", out.getvalue(), name="参保.xlsx"))
    assert batch.status == ImportStatus.COMMITTED, batch.errors
    assert sorted(Enrolment.objects.values_list("start_month", flat=True)) == [
        date(2026, 1, 1),
        date(2026, 3, 1),
    ]


def test_a_collections_file_takes_its_counties_booking_locks_first_in_code_order(monkeypatch):
    """Each recording holds its county's booking lock until the file commits: two files of
    several counties at once would deadlock if each took them in its own row order."""
    from types import SimpleNamespace

    import enrollment.services as enrollment_services
    from settlement.cycle import booking

    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(booking, "county_lock", lambda county: calls.append(("lock", county)))

    def record(**kw):
        calls.append(("record", kw["tax_ref"]))

    monkeypatch.setattr(enrollment_services, "collection_record", record)
    rows = [
        SimpleNamespace(
            county_id=county,
            tax_ref=ref,
            employer=SimpleNamespace(credit_code="x"),
            month=date(2026, 1, 1),
            amount_fen=100,
            received_on=date(2026, 1, 5),
        )
        for county, ref in (("320903", "T1"), ("320902", "T2"), ("320903", "T3"))
    ]
    ctx: Any = SimpleNamespace(actor=SETUP)  # write reads only the actor here
    assert k.CollectionKind().write(iter(rows), ctx) == 3
    assert calls == [
        ("lock", "320902"),
        ("lock", "320903"),
        ("record", "T1"),
        ("record", "T2"),
        ("record", "T3"),
    ]

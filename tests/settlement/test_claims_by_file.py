"""Claims by file: visits with their fee lines through the import workflow — the same rules as
real-time settlement, all-or-nothing, every refusal named by row, column and reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import unrestricted
from settlement.models import Accumulator, Settlement, Visit
from tests.enrollment.imports.helpers import commit, preview

HEADER = (
    "定点机构编码,就诊流水号,身份证号码,险种类型,医疗类别,就诊/入院时间,出院时间,主要诊断编码,使用个人账户,"
    "费用明细流水号,医保目录编码,项目名称,数量,单价,金额,费用发生时间"
)


def csv(rows):
    return ("\n".join([HEADER, *[",".join(r) for r in rows]]) + "\n").encode("utf-8")


def day(n=2):
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def rows_for(hospital, people):
    code, emp, res = hospital.national_code, people.employee.id_number, people.resident.id_number
    return [
        [
            code,
            "MZ1",
            emp,
            "310",
            "11",
            f"{day()} 09:00:00",
            "",
            "",
            "1",
            "1",
            "001102000000100",
            "诊查费",
            "1",
            "20.00",
            "20.00",
            f"{day()} 09:10:00",
        ],
        [
            code,
            "MZ1",
            emp,
            "310",
            "11",
            f"{day()} 09:00:00",
            "",
            "",
            "1",
            "2",
            "250101001000000",
            "血常规",
            "1",
            "1000.00",
            "1000.00",
            f"{day()} 09:20:00",
        ],
        [
            code,
            "ZY1",
            res,
            "390",
            "21",
            f"{day(5)} 10:00:00",
            f"{day(1)} 09:00:00",
            "",
            "0",
            "1",
            "110900001000000",
            "床位费",
            "4",
            "50.00",
            "200.00",
            f"{day(4)} 10:00:00",
        ],
    ]


def test_it_settles_a_file_of_visits_through_the_same_rules(hospital, people, clerk_a):
    batch = preview(clerk_a, "settlement_claims", csv(rows_for(hospital, people)))
    assert batch.error_count == 0, batch.errors
    with unrestricted():
        assert Settlement.objects.count() == 0  # the preview rehearsed and rolled back
    batch = commit(batch)
    assert batch.status == "committed", batch.errors
    with unrestricted():
        outpatient = Settlement.objects.get(med_type="11")
        inpatient = Settlement.objects.get(med_type="21")
        assert outpatient.channel == "file" and outpatient.medfee_sumamt == 102000
        assert (
            outpatient.act_pay_dedc == 60000 and outpatient.hifp_pay == 23100
        )  # (1020 − 600) × 55 %
        assert outpatient.acct_pay == 50000  # the account's whole balance, asked for in the file
        # resident adult, 二级 first admission: deductible 600.00 > the 200.00 in scope: the fund pays nothing
        assert inpatient.act_pay_dedc == 20000 and inpatient.hifp_pay == 0
        assert Accumulator.objects.get(person=people.resident).admissions == 1


def test_it_refuses_the_whole_file_naming_the_visit_it_cannot_settle(hospital, people, clerk_a):
    person = people.resident
    person.died_on = timezone.localdate() - timedelta(days=10)
    person.save(update_fields=["died_on"])
    rows = rows_for(hospital, people)
    rows.append(
        [
            hospital.national_code,
            "MZ9",
            "110101199001011237",
            "310",
            "11",
            f"{day()} 09:00:00",
            "",
            "",
            "0",
            "1",
            "001102000000100",
            "",
            "1",
            "20.00",
            "25.00",
            "",
        ]
    )
    batch = preview(clerk_a, "settlement_claims", csv(rows))
    reasons = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert any("死亡" in r for (row, _c), r in reasons.items() if row == 4), reasons
    assert any(col == "身份证号码" and row == 5 for (row, col) in reasons), reasons
    assert any(col == "金额" and row == 5 for (row, col) in reasons), reasons
    with pytest.raises(BusinessRuleError):  # only a clean file is committed
        commit(batch)
    with unrestricted():
        assert Settlement.objects.count() == 0 and Visit.objects.count() == 0


def test_it_lets_a_clerk_import_only_for_providers_their_unit_handles(hospital, people, clerk_b):
    batch = preview(clerk_b, "settlement_claims", csv(rows_for(hospital, people)))
    assert batch.error_count == 3 and all("320902" in e["reason"] for e in batch.errors), (
        batch.errors
    )

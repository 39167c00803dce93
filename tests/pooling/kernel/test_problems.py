"""One problem type for every check that reports many: row, column, code, message in both languages."""

from __future__ import annotations

from pooling.kernel import codes
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.problems import Problem
from pooling.policy import validation
from pooling.tabular.reader import FIELD_COUNT, Column, open_table
from tests.pooling.policy.policy_docs import demo_doc


def test_it_reads_in_either_language_and_stores_both():
    problem = Problem(
        3, "身份证号码", codes.ID_BAD_CHECK_DIGIT, {"expected": "1", "actual": "2"}, "id_check"
    )
    assert problem.text("zh-hans") == "身份证号码校验码错误：末位应为 1，实际为 2"
    assert problem.text("en") != problem.text("zh-hans") and "1" in problem.text("en")
    assert problem.as_dict() == {
        "row": 3,
        "column": "身份证号码",
        "code": "id_check",
        "reason": problem.text("zh-hans"),
        "reason_en": problem.text("en"),
    }
    assert str(problem) == "第 3 行「身份证号码」：身份证号码校验码错误：末位应为 1，实际为 2"


def test_it_carries_a_refusal_to_its_place():
    exc = BusinessRuleError(
        codes.CREDIT_BAD_CHECK, code="credit_check", params={"expected": "Q", "actual": "R"}
    )
    problem = Problem.from_error(exc, row=7, column="统一社会信用代码")
    assert (problem.row, problem.column, problem.message, problem.code) == (
        7,
        "统一社会信用代码",
        codes.CREDIT_BAD_CHECK,
        "credit_check",
    )
    assert problem.reason == exc.text()


def test_a_plain_chinese_text_is_its_own_message():
    assert (
        Problem(None, "", "文件为空").reason == "文件为空"
        and str(Problem(None, "", "文件为空")) == "文件为空"
    )


def test_the_reader_and_policy_validation_report_the_same_type():
    with open_table(b"a,b\n1,2,3\n", columns=[Column("a", "a"), Column("b", "b")]) as table:
        [row] = list(table)
    assert isinstance(row.errors[0], Problem) and row.errors[0].message is FIELD_COUNT
    doc = demo_doc()
    del doc["title"]
    [problem] = validation.document_problems(doc)
    assert (problem.row, problem.column, problem.message) == (None, "$.title", validation.MISSING)
    assert problem.text("en") != problem.text("zh-hans")

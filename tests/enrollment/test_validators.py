"""The checks every door (form, API, import) applies to a person's phone, name, category and prior months.
(ID numbers and credit codes: tests/pooling/kernel/test_codes.py; months: test_dates.py.)"""

import pytest

from enrollment import validators as v
from pooling.kernel.errors import BusinessRuleError


def _error(fn, *args, **kwargs) -> BusinessRuleError:
    with pytest.raises(BusinessRuleError) as exc:
        fn(*args, **kwargs)
    return exc.value


def test_it_checks_phones_names_and_categories():
    assert v.check_phone("138 0000 1234") == "13800001234"
    assert v.check_phone("0515-88888888") == "0515-88888888"
    assert v.check_phone("") == ""
    assert _error(v.check_phone, "12345").message is v.BAD_PHONE
    assert v.check_name("　张三 ") == "张三"
    assert _error(v.check_name, "  ").message is v.BAD_NAME
    assert v.parse_category("退休人员") == "retired"
    assert v.parse_category("in_service") == "in_service"
    assert v.parse_category("学生") == "minor_student"
    assert _error(v.parse_category, "公务员").message is v.BAD_CATEGORY


def test_it_reads_prior_months_as_the_sql_screen_does():
    assert v.parse_prior_months("") == 0 and v.parse_prior_months("1200") == 1200
    for bad in ("1201", "-1", "十二", "１２", "1.5"):
        assert _error(v.parse_prior_months, bad).message is v.BAD_PRIOR_MONTHS

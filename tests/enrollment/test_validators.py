"""The checks every door (form, API, import) applies to an ID number, a credit code, a month."""

from datetime import date

import pytest

from enrollment import validators as v
from pooling.kernel.errors import BusinessRuleError


def _error(fn, *args, **kwargs) -> BusinessRuleError:
    with pytest.raises(BusinessRuleError) as exc:
        fn(*args, **kwargs)
    return exc.value


@pytest.mark.parametrize("number, birth, sex", [
    ("360426199101010071", date(1991, 1, 1), "M"),
    ("120103198806018241", date(1988, 6, 1), "F"),
])
def test_it_accepts_valid_id_numbers_and_derives_birth_and_sex(number, birth, sex):
    facts = v.check_id_number(number)
    assert (facts.id_number, facts.birth_date, facts.sex) == (number, birth, sex)


def test_it_normalizes_spaces_and_a_lower_case_x():
    first17 = "32090219900307001"
    number = first17 + v.id_check_char(first17)
    assert v.check_id_number(f" {number.lower()} ").id_number == number


def test_it_computes_an_x_check_digit():
    # Find a valid number whose check char is X and make sure it passes in both cases.
    for seq in range(100, 999):
        first17 = f"32090219900307{seq:03d}"
        if v.id_check_char(first17) == "X":
            assert v.check_id_number(first17 + "x").id_number == first17 + "X"
            return
    pytest.fail("no X check digit found")


def test_it_refuses_each_kind_of_bad_id_number_with_its_own_message():
    assert _error(v.check_id_number, "36042619910101007").message is v.ID_WRONG_LENGTH
    assert _error(v.check_id_number, "36042619910101A071").message is v.ID_BAD_CHARS
    assert _error(v.check_id_number, "360426199101010072").message is v.ID_BAD_CHECK_DIGIT
    first17 = "99042619910101007"
    assert _error(v.check_id_number, first17 + v.id_check_char(first17)).message is v.ID_UNKNOWN_AREA
    first17 = "36042619910231007"  # 31 February
    assert _error(v.check_id_number, first17 + v.id_check_char(first17)).message is v.ID_BAD_BIRTH_DATE
    first17 = "36042620990101007"
    assert _error(v.check_id_number, first17 + v.id_check_char(first17),
                  today=date(2026, 1, 1)).message is v.ID_FUTURE_BIRTH_DATE


def test_it_names_the_expected_check_digit():
    err = _error(v.check_id_number, "360426199101010072")
    assert err.params == {"expected": "1", "actual": "2"} and err.field == "id_number"
    assert "应为 1" in err.text("zh-hans")


@pytest.mark.parametrize("code", ["91110108551385082Q", "91110000600037341L", "91110108551385082q"])
def test_it_accepts_valid_credit_codes(code):
    assert v.check_credit_code(code) == code.upper()


def test_it_refuses_bad_credit_codes_with_distinct_messages():
    assert _error(v.check_credit_code, "91110108551385082").message is v.CREDIT_WRONG_LENGTH
    assert _error(v.check_credit_code, "9111010855138508IQ").message is v.CREDIT_BAD_CHARS
    err = _error(v.check_credit_code, "91110108551385082R")
    assert err.message is v.CREDIT_BAD_CHECK and err.params["expected"] == "Q"


@pytest.mark.parametrize("text", ["2026-03", "2026/3", "202603", "2026年3月", "2026-03-15", "2026.03"])
def test_it_parses_months_to_their_first_day(text):
    assert v.parse_month(text) == date(2026, 3, 1)


@pytest.mark.parametrize("text", ["2026-13", "26-03", "", "三月", "2026031"])
def test_it_refuses_bad_months(text):
    assert _error(v.parse_month, text).message is v.BAD_MONTH


def test_it_parses_dates_and_refuses_impossible_ones():
    assert v.parse_date("2026/3/1") == date(2026, 3, 1)
    assert v.parse_date("20260301") == date(2026, 3, 1)
    assert _error(v.parse_date, "2026-02-30").message is v.BAD_DATE


@pytest.mark.parametrize("parse", [v.parse_date, v.parse_month])
def test_it_names_an_excel_serial_number_instead_of_guessing_the_date(parse):
    error = _error(parse, "46082")
    assert error.message is v.EXCEL_SERIAL and error.params == {"value": "46082", "date": "2026-03-01"}
    assert _error(parse, "４６０８２").message is not v.EXCEL_SERIAL  # full-width: the reader names those


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

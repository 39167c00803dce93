"""Checks of a person's other fields, as a clerk types them or an import row carries them.

Pure functions, no database: the single-row services, the forms, the API and the
bulk imports all call these, so a row is judged the same way whichever door it came
through. (ID numbers and credit codes are national codes: `pooling.kernel.codes`;
months and dates: `pooling.kernel.dates`.) The limits below are also what the set-wise
people screen (`enrollment.imports.people_sql`) writes its SQL from. Each failure raises
`BusinessRuleError` with its own Chinese constant (tests assert on them), naming the field.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import PersonCategory, choice_code, choice_list
from pooling.kernel.errors import BusinessRuleError

BAD_PHONE = _("联系电话格式不正确：%(value)s")
BAD_NAME = _("姓名不能为空，且不超过 50 个字")
BAD_CATEGORY = _("人员类别不正确：%(value)s（可选：%(choices)s）")
BAD_PRIOR_MONTHS = _("月数应为 0 到 1200 之间的整数：%(value)s")

NAME_MAX = 50
ADDRESS_MAX = 200
PRIOR_MONTHS_MAX = 1200
# A mobile (11 digits starting with 1) or a fixed line (area code, extension optional).
# ASCII digits only; the same text is a Python and a PostgreSQL regular expression.
PHONE_PATTERN = r"1[0-9]{10}|(0[0-9]{2,3}-?)?[0-9]{7,8}(-[0-9]{1,5})?"
_PHONE = re.compile(PHONE_PATTERN)


def check_phone(value: str, *, field: str = "phone") -> str:
    """A phone number without its spaces; blank allowed."""
    text = str(value or "").strip().replace(" ", "")
    if text and not _PHONE.fullmatch(text):
        raise BusinessRuleError(BAD_PHONE, code="phone", field=field, params={"value": text})
    return text


def check_name(value: str, *, field: str = "name") -> str:
    text = str(value or "").replace("\u3000", " ").strip()
    if not text or len(text) > NAME_MAX:
        raise BusinessRuleError(BAD_NAME, code="name", field=field)
    return text


def parse_prior_months(value: str, *, field: str = "prior_months") -> int:
    """Months contributed outside this system (视同缴费): blank is 0, else 0 to 1200."""
    text = str(value or "")
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()) or int(text) > PRIOR_MONTHS_MAX:
        raise BusinessRuleError(
            BAD_PRIOR_MONTHS, code="prior_months", field=field, params={"value": text}
        )
    return int(text)


def parse_category(value: str, *, field: str = "category") -> str:
    """A person category by code ('in_service') or by its Chinese label ('在职职工')."""
    text = str(value or "").strip()
    code = choice_code(PersonCategory, text)
    if code is not None:
        return code
    aliases = {
        "在职": "in_service",
        "退休": "retired",
        "居民": "resident_adult",
        "成年居民": "resident_adult",
        "学生": "minor_student",
        "未成年人": "minor_student",
    }
    if text in aliases:
        return aliases[text]
    choices = choice_list(PersonCategory)
    raise BusinessRuleError(
        BAD_CATEGORY, code="category", field=field, params={"value": text, "choices": choices}
    )

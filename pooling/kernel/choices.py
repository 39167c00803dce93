"""Code lists shared by every app: schemes, person categories, hospital levels, roles.

Files and forms name a choice by its code or its Chinese label; `choice_code` reads both
(and the label in the reader's language), whatever language the page or task runs in.
"""

from functools import cache
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

LIST_SEP = _("、")


@cache
def _names(choices: Any, language: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for code, label in choices.choices:
        with translation.override("zh-hans"):
            names.setdefault(str(label), str(code))
        names.setdefault(str(label), str(code))  # the active language (the cache key)
        names[str(code)] = str(code)
    return names


def choice_code(choices: Any, text: str) -> str | None:
    """The code a cell or field names: its code, its Chinese label, or its label in the active language."""
    return _names(choices, translation.get_language() or "").get(text)


def choice_list(choices: Any) -> str:
    """The accepted labels for a message: as files write them (Chinese), with their meaning
    when the reader's language is another: 在职职工 (In-service employee), 退休人员 (Retiree)."""
    shown = []
    for code, label in choices.choices:
        if not code:
            continue
        with translation.override("zh-hans"):
            chinese = str(label)
        here = str(label)
        shown.append(chinese if here == chinese else f"{chinese} ({here})")
    return str(LIST_SEP).join(shown)


class Scheme(models.TextChoices):
    EMPLOYEE = "employee", _("职工基本医疗保险")
    RESIDENT = "resident", _("城乡居民基本医疗保险")
    MATERNITY = "maternity", _("生育保险")
    EMPLOYEE_LARGE = "employee_large", _("职工大额医疗费用补充保险")
    RESIDENT_CRITICAL = "resident_critical", _("城乡居民大病保险")


class PersonCategory(models.TextChoices):
    IN_SERVICE = "in_service", _("在职职工")
    RETIRED = "retired", _("退休人员")
    RESIDENT_ADULT = "resident_adult", _("城乡居民（成年）")
    MINOR_STUDENT = "minor_student", _("未成年人/学生")


# The basic schemes and the person categories each covers (职工: 在职/退休; 居民: 成年/未成年).
SCHEME_CATEGORIES: dict[str, tuple[PersonCategory, ...]] = {
    Scheme.EMPLOYEE: (PersonCategory.IN_SERVICE, PersonCategory.RETIRED),
    Scheme.RESIDENT: (PersonCategory.RESIDENT_ADULT, PersonCategory.MINOR_STUDENT),
}


class SpecialGroup(models.TextChoices):
    # Keys match the policy document's resident.special_group_subsidy; the kernel holds it
    # so the policy pages name 低保/特困 the way the enrolment pages do.
    NONE = "", _("无")
    DIBAO = "dibao", _("低保对象")
    TEKUN = "tekun", _("特困人员")


class HospitalLevel(models.TextChoices):
    COMMUNITY = "community", _("社区/基层")
    LEVEL1 = "level1", _("一级")
    LEVEL2 = "level2", _("二级")
    LEVEL3 = "level3", _("三级")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县级经办单位")


class RegionKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("地级市")
    DISTRICT = "district", _("市辖区")
    COUNTY = "county", _("县")
    COUNTY_CITY = "county_city", _("县级市")
    ZONE = "zone", _("开发区/功能区")


class Role(models.TextChoices):
    COUNTY_CLERK = "county_clerk", _("县经办人员")
    CITY_AGENCY = "city_agency", _("市经办机构人员")
    BUREAU_ADMIN = "bureau_admin", _("市医保局管理员")
    FINANCE = "finance", _("财务人员")
    AUDITOR = "auditor", _("审计人员")

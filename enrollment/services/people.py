"""Employers and insured people: registration, corrections, life events."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    Employer,
    EmployerStatus,
    Enrolment,
    EnrolmentStatus,
    Person,
    SpecialGroup,
)
from enrollment.services.common import clean_and_save
from enrollment.services.locks import lock_person
from enrollment.validators import check_name, check_phone, parse_category
from pooling.kernel.choices import PersonCategory
from pooling.kernel.codes import check_credit_code, check_id_number
from pooling.kernel.dates import first_of_month
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.kernel.scoping import unrestricted
from pooling.models import Region

EMPLOYER_EXISTS = _("统一社会信用代码 %(code)s 已登记为参保单位：%(name)s")
EMPLOYER_EXISTS_ELSEWHERE = _("统一社会信用代码 %(code)s 已在%(county)s登记为参保单位")
PERSON_EXISTS_HERE = _("身份证号码 %(id)s 已在本经办单位登记，请直接查询该人员")
PERSON_EXISTS_ELSEWHERE = _("身份证号码 %(id)s 已在%(county)s参保登记，请办理市内转移接续（转入）")
BAD_SPECIAL_GROUP = _("特殊群体类别不正确：%(value)s")
ALREADY_DEAD = _("该人员已登记死亡，不能再办理业务")
DEATH_BEFORE_BIRTH = _("死亡日期不能早于出生日期")
ALREADY_RETIRED = _("该人员已办理退休")
RETIRE_NOT_EMPLOYEE = _("只有职工医保参保人员才能办理退休（当前类别：%(category)s）")
UNIT_NOT_COUNTY = _("请选择县级经办单位")


def _check_unit(county: Region) -> None:
    if not county.is_handling_unit:
        raise BusinessRuleError(UNIT_NOT_COUNTY, code="unit", field="county")


@transaction.atomic
def employer_register(
    *,
    county: Region,
    credit_code: str,
    name: str,
    industry: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    actor: Actor,
) -> Employer:
    """Register an employer (参保单位) with its handling unit; the credit code is unique city-wide."""
    require(actor, "employer.manage", county=county.pk)
    _check_unit(county)
    code = check_credit_code(credit_code)
    _check_employer_free(county, code)
    employer = Employer(
        county=county,
        credit_code=code,
        name=check_name(name, field="name"),
        industry=industry.strip(),
        contact_name=contact_name.strip(),
        contact_phone=check_phone(contact_phone, field="contact_phone"),
        address=address.strip(),
        created_by=staff_user(actor),
    )
    with unique_clash(
        lambda: _check_employer_free(county, code)
    ):  # registered meanwhile by another clerk
        clean_and_save(employer, exclude=["credit_code"])
    return employer


def _check_employer_free(county: Region, code: str) -> None:
    with unrestricted():  # is the code taken anywhere? Say where, show nothing else.
        existing = Employer.objects.filter(credit_code=code).select_related("county").first()
    if existing is not None:
        if existing.county_id == county.pk:
            raise BusinessRuleError(
                EMPLOYER_EXISTS,
                code="employer_exists",
                field="credit_code",
                params={"code": code, "name": existing.name},
            )
        raise BusinessRuleError(
            EMPLOYER_EXISTS_ELSEWHERE,
            code="employer_exists_elsewhere",
            field="credit_code",
            params={"code": code, "county": existing.county.name},
        )


@transaction.atomic
def employer_update(
    *,
    employer: Employer,
    name: str,
    industry: str,
    contact_name: str,
    contact_phone: str,
    address: str,
    status: str,
    actor: Actor,
) -> Employer:
    """Correct an employer's details or status; the credit code and handling unit stay."""
    require(actor, "employer.manage", county=employer.county_id)
    employer.name = check_name(name, field="name")
    employer.industry, employer.contact_name, employer.address = (
        industry.strip(),
        contact_name.strip(),
        address.strip(),
    )
    employer.contact_phone = check_phone(contact_phone, field="contact_phone")
    employer.status = EmployerStatus(status)
    clean_and_save(
        employer,
        exclude=["credit_code"],
        update_fields=["name", "industry", "contact_name", "contact_phone", "address", "status"],
    )
    return employer


def check_special_group(value: str) -> str:
    value = (value or "").strip()
    if value not in SpecialGroup.values:
        raise BusinessRuleError(
            BAD_SPECIAL_GROUP, code="special_group", field="special_group", params={"value": value}
        )
    return value


def person_duplicate_check(*, county: Region, id_number: str) -> None:
    """Refuse an ID already registered; in another county, name only that county."""
    with unrestricted():  # the one question asked city-wide: is this ID insured anywhere?
        existing = (
            Person.objects.filter(id_number=id_number)
            .values_list("county_id", "county__name")
            .first()
        )
    if existing is None:
        return
    if existing[0] == county.pk:
        raise BusinessRuleError(
            PERSON_EXISTS_HERE, code="person_exists", field="id_number", params={"id": id_number}
        )
    raise BusinessRuleError(
        PERSON_EXISTS_ELSEWHERE,
        code="person_exists_elsewhere",
        field="id_number",
        params={"id": id_number, "county": existing[1]},
    )


@transaction.atomic
def person_register(
    *,
    county: Region,
    id_number: str,
    name: str,
    category: str,
    phone: str = "",
    address: str = "",
    special_group: str = "",
    prior_contribution_months: int = 0,
    actor: Actor,
) -> Person:
    """Register an insured person in their household handling unit (one record city-wide).

    Sex and birth date come from the ID number, never typed.
    """
    require(actor, "person.register", county=county.pk)
    _check_unit(county)
    facts = check_id_number(id_number)
    person_duplicate_check(county=county, id_number=facts.id_number)
    person = Person(
        county=county,
        id_number=facts.id_number,
        name=check_name(name),
        sex=facts.sex,
        birth_date=facts.birth_date,
        phone=check_phone(phone),
        address=address.strip(),
        category=parse_category(category),
        special_group=check_special_group(special_group),
        prior_contribution_months=prior_contribution_months,
        created_by=staff_user(actor),
    )
    with unique_clash(lambda: person_duplicate_check(county=county, id_number=facts.id_number)):
        clean_and_save(person, exclude=["id_number"])
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    name: str,
    phone: str,
    address: str,
    category: str,
    special_group: str,
    actor: Actor,
) -> Person:
    """Correct a person's contact details, category or special group (not the ID number)."""
    require(actor, "person.change", county=person.county_id)
    lock_person(person)
    if person.died_on:
        raise BusinessRuleError(ALREADY_DEAD, code="dead")
    person.name, person.phone = check_name(name), check_phone(phone)
    person.address = address.strip()
    person.category = parse_category(category)
    person.special_group = check_special_group(special_group)
    clean_and_save(
        person,
        exclude=["id_number"],
        update_fields=["name", "phone", "address", "category", "special_group"],
    )
    return person


@transaction.atomic
def person_retire(*, person: Person, on: date, actor: Actor) -> Person:
    """Life event: retirement. The employee enrolment continues; declarations stop."""
    require(actor, "person.change", county=person.county_id)
    lock_person(person)
    if person.died_on:
        raise BusinessRuleError(ALREADY_DEAD, code="dead")
    if person.retired_on:
        raise BusinessRuleError(ALREADY_RETIRED, code="retired")
    if person.category != PersonCategory.IN_SERVICE:
        raise BusinessRuleError(
            RETIRE_NOT_EMPLOYEE,
            code="retire_category",
            params={"category": person.get_category_display()},
        )
    person.retired_on, person.category = on, PersonCategory.RETIRED
    person.save(update_fields=["retired_on", "category"])
    return person


@transaction.atomic
def person_death(*, person: Person, on: date, actor: Actor) -> Person:
    """Life event: death. Active and suspended enrolments end with the month of death."""
    require(actor, "person.change", county=person.county_id)
    lock_person(person)
    if person.died_on:
        raise BusinessRuleError(ALREADY_DEAD, code="dead")
    if on < person.birth_date:
        raise BusinessRuleError(DEATH_BEFORE_BIRTH, code="death_date", field="on")
    person.died_on = on
    person.save(update_fields=["died_on"])
    for enrolment in (
        Enrolment.objects.select_for_update()
        .filter(person=person)
        .exclude(status=EnrolmentStatus.ENDED)
    ):
        enrolment.status = EnrolmentStatus.ENDED
        enrolment.end_month = max(first_of_month(on), enrolment.start_month)
        enrolment.save(update_fields=["status", "end_month"])
    return person

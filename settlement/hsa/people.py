"""How the interface names a person: `psn_no` (our person number) or a certificate.

`psn_no` is the pooling area's code followed by the person's number, 14 digits (20 in
all), and never changes when the person moves between counties. Certificates: 02 the
resident ID card and 03 the social-security card carry the ID number (社会保障号码 is
the citizen ID number); 01, the medical-insurance e-certificate, is decoded by the
national platform and is not accepted here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from enrollment.models import Person
from pooling.kernel import sqlrows
from pooling.kernel.scoping import unrestricted
from settlement.hsa import fields
from settlement.hsa.errors import HsaError

UNKNOWN_PERSON = _("未找到参保人：%(field)s=%(value)s")
ECERT = _(
    "医保电子凭证（mdtrt_cert_type=01）须经国家平台解码，本接口请使用 02 居民身份证或 03 社会保障卡"
)
NO_IDENTITY = _("缺少参保人标识：须有 psn_no，或 mdtrt_cert_type 与 mdtrt_cert_no")
CERT_MISMATCH = _("mdtrt_cert_no=%(value)s 与 psn_no 所指参保人的证件号码不一致")
PERSON_MISMATCH = _("psn_no=%(value)s 与就诊记录的参保人不一致")

GENDERS = {"M": "1", "F": "2"}
PSN_TYPES = {"in_service": "11", "retired": "21", "resident_adult": "31", "minor_student": "32"}


def psn_no(person: Person | int) -> str:
    pk = person if isinstance(person, int) else person.pk
    return f"{settings.POOLING_AREA_CODE}{pk:014d}"


def person_by_psn_no(value: str) -> Person:
    area = settings.POOLING_AREA_CODE
    if len(value) != 20 or not (value.isascii() and value.isdigit()) or not value.startswith(area):
        raise HsaError(UNKNOWN_PERSON, field="psn_no", code="unknown_person", value=value)
    person = _person_where('"id" = %s', int(value[6:]))
    if person is None:
        raise HsaError(UNKNOWN_PERSON, field="psn_no", code="unknown_person", value=value)
    return person


def person_from(data: dict[str, Any]) -> Person:
    """The person a message names: `psn_no` if given, else the certificate."""
    number = fields.text(data, "psn_no", required=False, max_len=30)
    if number:
        named = person_by_psn_no(number)
        _same_certificate(data, named)
        return named
    if data.get("mdtrt_cert_type") in (None, "") and data.get("mdtrt_cert_no") in (None, ""):
        raise HsaError(NO_IDENTITY, field="psn_no", code="missing")
    cert_type = fields.choice(data, "mdtrt_cert_type", {"01": 1, "02": 1, "03": 1})
    if cert_type == "01":
        raise HsaError(ECERT, field="mdtrt_cert_type", code="ecert")
    cert_no = fields.text(data, "mdtrt_cert_no", max_len=30).upper()
    person = _person_where('"id_number" = %s', cert_no)
    if person is None:
        raise HsaError(UNKNOWN_PERSON, field="mdtrt_cert_no", code="unknown_person", value=cert_no)
    return person


def _same_certificate(data: dict[str, Any], person: Person) -> None:
    """A message naming the person twice (psn_no and an ID card) names one person. Only an ID
    card's number is the ID number: 01's is the e-certificate's token, 03's the social-security
    card's own number (the interface's reading) — neither can be compared, so neither refused."""
    cert_no = fields.text(data, "mdtrt_cert_no", required=False, max_len=50).upper()
    cert_type = fields.text(data, "mdtrt_cert_type", required=False, max_len=10)
    if cert_no and cert_type == "02" and cert_no != person.id_number.upper():
        raise HsaError(CERT_MISMATCH, field="mdtrt_cert_no", code="person_mismatch", value=cert_no)


def _person_where(where: str, value: Any) -> Person | None:
    """The person with this key (a unique column), across counties: the person is insured in one
    county and treated in another. Read by hand (pooling.kernel.sqlrows) as nearly every message
    names a person, and the ORM's compiling of this one-row read cost more than the read."""
    with unrestricted():
        return sqlrows.select_one(Person, where, [value])


def check_same_person(data: dict[str, Any], person_id: int) -> None:
    """A message about a visit may repeat the person's psn_no; if it does, it must be theirs."""
    number = fields.text(data, "psn_no", required=False, max_len=30)
    if number and number != psn_no(person_id):
        raise HsaError(PERSON_MISMATCH, field="psn_no", code="person_mismatch", value=number)


def baseinfo(person: Person) -> dict[str, Any]:
    from django.utils import timezone

    today = timezone.localdate()
    age = (
        today.year
        - person.birth_date.year
        - ((today.month, today.day) < (person.birth_date.month, person.birth_date.day))
    )
    return {
        "psn_no": psn_no(person),
        "psn_cert_type": "01",
        "certno": person.id_number,
        "psn_name": person.name,
        "gend": GENDERS.get(person.sex, "9"),
        "naty": "",
        "brdy": person.birth_date.isoformat(),
        "age": age,
        "psn_type": PSN_TYPES.get(person.category, ""),
        "insuplc_admdvs": person.county_id,
    }

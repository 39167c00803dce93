"""Registering a provider in the city-wide register (统一定点管理)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import RegionLevel
from pooling.kernel.codes import PHARMACY, check_credit_code, check_provider_code, normalize_code
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.kernel.scoping import unrestricted
from pooling.models import Region
from providers.choices import ProviderKind, State
from providers.models import Provider, ProviderEvent
from providers.services.handling import handling_unit_for, require_handler

LEVEL_REQUIRED = _("医疗机构须填写医院级别")
PHARMACY_NO_LEVEL = _("零售药店不填写医院级别")
NOT_A_COUNTY = _("所在区县须为本统筹区的县级经办单位")
DUPLICATE_CODE = _("医保机构编码 %(code)s 已登记")
DUPLICATE_CREDIT = _("统一社会信用代码 %(code)s 已登记")
OPENED_IN_FUTURE = _("开业日期不能晚于今天")


@dataclass(frozen=True)
class ProviderSpec:
    kind: str
    name: str
    national_code: str
    credit_code: str
    location_region: Region
    address: str
    ownership: str
    opened_on: date
    level: str = ""
    grade: str = ""
    hospital_type: str = ""


def national_code_prefix(kind: str) -> str:
    """Pharmacies carry `P`, every medical institution (hospital, clinic) `H` (医保发〔2019〕39号)."""
    return PHARMACY if kind == ProviderKind.PHARMACY else "H"


def check_codes(
    *, kind: str, national_code: str, credit_code: str, location_region: Region
) -> None:
    """Refuse a malformed national code, one from another area, or a bad credit code."""
    check_provider_code(national_code, prefix=national_code_prefix(kind), area=location_region.code)
    check_credit_code(credit_code)


def _check_spec(spec: ProviderSpec) -> None:
    if spec.location_region.level != RegionLevel.COUNTY:
        raise BusinessRuleError(NOT_A_COUNTY, code="location", field="location_region")
    check_codes(
        kind=spec.kind,
        national_code=spec.national_code,
        credit_code=spec.credit_code,
        location_region=spec.location_region,
    )
    if spec.kind == ProviderKind.PHARMACY and spec.level:
        raise BusinessRuleError(PHARMACY_NO_LEVEL, code="level", field="level")
    if spec.kind != ProviderKind.PHARMACY and not spec.level:
        raise BusinessRuleError(LEVEL_REQUIRED, code="level", field="level")
    if spec.opened_on > date.today():
        raise BusinessRuleError(OPENED_IN_FUTURE, code="opened_on", field="opened_on")
    # The register is city-wide: a code taken in another county is taken (read unscoped,
    # answer only yes/no).
    with unrestricted():
        if Provider.objects.filter(national_code=spec.national_code).exists():
            raise BusinessRuleError(
                DUPLICATE_CODE,
                code="duplicate",
                field="national_code",
                params={"code": spec.national_code},
            )
        if Provider.objects.filter(credit_code=spec.credit_code).exists():
            raise BusinessRuleError(
                DUPLICATE_CREDIT,
                code="duplicate",
                field="credit_code",
                params={"code": spec.credit_code},
            )


@transaction.atomic
def provider_register(*, actor: Actor, spec: ProviderSpec, on: date | None = None) -> Provider:
    """Enter a provider in the register, handled by the unit the rules name.

    Only that unit may receive it: a new application goes to the agency that will handle
    the provider (Yancheng art. 13). `on` dates the registration in the event log (a
    migrated provider was registered long before its later steps; the log is read by date).
    """
    require(actor, "provider.register")
    spec = ProviderSpec(
        **{
            **spec.__dict__,
            "national_code": normalize_code(spec.national_code),
            "credit_code": normalize_code(spec.credit_code),
        }
    )
    _check_spec(spec)
    handling = handling_unit_for(
        kind=spec.kind,
        level=spec.level,
        location_region=spec.location_region,
        national_code=spec.national_code,
    )
    require_handler(actor=actor, region=handling)
    provider = Provider(**spec.__dict__, handling_region=handling, state=State.REGISTERED)
    provider.full_clean(validate_unique=False)
    with unique_clash(
        lambda: _check_spec(spec)
    ):  # the same code entered meanwhile by another clerk
        provider.save()
    ProviderEvent.objects.create(
        provider=provider,
        action="register",
        from_state=State.REGISTERED,
        to_state=State.REGISTERED,
        effective_on=on or date.today(),
        created_by=staff_user(actor),
        data={"handling_region": handling.code},
    )
    return provider

from __future__ import annotations

from datetime import date

import pytest

from pooling.kernel.choices import HospitalLevel
from pooling.kernel.codes import BAD_PROVIDER_CODE, CREDIT_BAD_CHECK, PROVIDER_CODE_AREA
from pooling.kernel.errors import BusinessRuleError
from providers.choices import Ownership, ProviderKind, State
from providers.models import HandlingException, HandlingRule, ProviderEvent
from providers.services import register as reg
from providers.services.handling import (
    NOT_THE_HANDLING_AGENCY,
    handling_rules_load,
    handling_unit_for,
)
from tests.actors import SETUP
from tests.providers.factories import codes
from tests.races import blind_once

pytestmark = pytest.mark.django_db


def spec(
    county,
    *,
    kind=ProviderKind.HOSPITAL,
    level=HospitalLevel.LEVEL2,
    national=None,
    credit=None,
    ownership=Ownership.PUBLIC,
):
    n, c = codes(county.code, kind)
    return reg.ProviderSpec(
        kind=kind,
        name="盐城测试医院",
        national_code=national or n,
        credit_code=credit or c,
        location_region=county,
        address="开放大道1号",
        ownership=ownership,
        opened_on=date(2015, 5, 1),
        level="" if kind == ProviderKind.PHARMACY else level,
    )


def test_it_sends_tertiary_hospitals_in_the_districts_to_the_city_agency(
    handling_rules, county_a, city
):
    unit = handling_unit_for(
        kind=ProviderKind.HOSPITAL,
        level=HospitalLevel.LEVEL3,
        location_region=county_a,
        national_code="H32090299999",
    )
    assert unit == city


def test_it_keeps_other_providers_with_their_county(handling_rules, county_a, regions):
    assert (
        handling_unit_for(
            kind=ProviderKind.HOSPITAL,
            level=HospitalLevel.LEVEL2,
            location_region=county_a,
            national_code="H32090299998",
        )
        == county_a
    )
    assert (
        handling_unit_for(
            kind=ProviderKind.PHARMACY,
            level="",
            location_region=county_a,
            national_code="P32090299998",
        )
        == county_a
    )
    # 东台市 is a county-level city, not a district: its tertiary hospital stays with it.
    dongtai = regions["320981"]
    assert (
        handling_unit_for(
            kind=ProviderKind.HOSPITAL,
            level=HospitalLevel.LEVEL3,
            location_region=dongtai,
            national_code="H32098199998",
        )
        == dongtai
    )


def test_it_honours_the_named_exception_for_the_third_hospital(handling_rules, county_a, county_b):
    assert HandlingException.objects.get(national_code="H32090200003").handling_region == county_b
    assert (
        handling_unit_for(
            kind=ProviderKind.HOSPITAL,
            level=HospitalLevel.LEVEL3,
            location_region=county_a,
            national_code="H32090200003",
        )
        == county_b
    )


def test_it_reads_who_handles_what_from_the_data(handling_rules, county_a):
    HandlingRule.objects.filter(location_region=county_a).delete()
    assert (
        handling_unit_for(
            kind=ProviderKind.HOSPITAL,
            level=HospitalLevel.LEVEL3,
            location_region=county_a,
            national_code="H32090299997",
        )
        == county_a
    )


def test_it_loads_the_rules_twice(handling_rules):
    handling_rules_load(area_code="320900", actor=SETUP)
    assert HandlingRule.objects.count() == 4 and HandlingException.objects.count() == 1


def test_it_registers_and_audits_a_provider(handling_rules, clerk_a, county_a):
    provider = reg.provider_register(actor=clerk_a, spec=spec(county_a))
    assert provider.handling_region == county_a and provider.state == State.REGISTERED
    event = ProviderEvent.objects.get(provider=provider)
    assert event.created_by == clerk_a and event.action == "register"


def test_it_receives_applications_only_at_the_handling_agency(
    handling_rules, clerk_a, clerk_b, city_agent, county_a
):
    with pytest.raises(BusinessRuleError) as err:
        reg.provider_register(actor=clerk_b, spec=spec(county_a))
    assert err.value.message == NOT_THE_HANDLING_AGENCY
    tertiary = spec(county_a, level=HospitalLevel.LEVEL3)
    with pytest.raises(BusinessRuleError) as err:
        reg.provider_register(actor=clerk_a, spec=tertiary)
    assert err.value.message == NOT_THE_HANDLING_AGENCY
    with pytest.raises(BusinessRuleError):
        reg.provider_register(actor=city_agent, spec=spec(county_a))
    assert reg.provider_register(actor=city_agent, spec=tertiary).handling_region_id == "320900"


@pytest.mark.parametrize(
    "national, message",
    [
        ("P32090200001", BAD_PROVIDER_CODE),
        ("H3209020001", BAD_PROVIDER_CODE),
        ("H32090300001", PROVIDER_CODE_AREA),
    ],
)
def test_it_checks_the_national_code(handling_rules, clerk_a, county_a, national, message):
    with pytest.raises(BusinessRuleError) as err:
        reg.provider_register(actor=clerk_a, spec=spec(county_a, national=national))
    assert err.value.message == message


def test_it_wants_a_p_code_for_a_pharmacy(handling_rules, clerk_a, county_a):
    with pytest.raises(BusinessRuleError) as err:
        reg.provider_register(
            actor=clerk_a, spec=spec(county_a, kind=ProviderKind.PHARMACY, national="H32090200077")
        )
    assert err.value.message == BAD_PROVIDER_CODE
    assert reg.provider_register(actor=clerk_a, spec=spec(county_a, kind=ProviderKind.PHARMACY)).pk


def test_it_checks_the_credit_code(handling_rules, clerk_a, county_a):
    with pytest.raises(BusinessRuleError) as err:
        reg.provider_register(actor=clerk_a, spec=spec(county_a, credit="91110108551385082A"))
    assert err.value.message == CREDIT_BAD_CHECK
    ok = reg.provider_register(actor=clerk_a, spec=spec(county_a, credit="91110108551385082Q"))
    assert ok.credit_code == "91110108551385082Q"


def test_it_refuses_a_code_registered_in_another_county(
    handling_rules, clerk_a, clerk_b, county_a, county_b
):
    from pooling.kernel.scoping import acting_as

    first = reg.provider_register(actor=clerk_a, spec=spec(county_a))
    with acting_as(clerk_b), pytest.raises(BusinessRuleError) as err:
        reg.provider_register(actor=clerk_b, spec=spec(county_b, credit=first.credit_code))
    assert err.value.message == reg.DUPLICATE_CREDIT


def test_it_wants_a_level_for_hospitals_only(handling_rules, clerk_a, county_a):
    with pytest.raises(BusinessRuleError) as err:
        reg.provider_register(actor=clerk_a, spec=spec(county_a, level=""))
    assert err.value.message == reg.LEVEL_REQUIRED


def test_it_names_a_code_registered_meanwhile_by_another_clerk(
    handling_rules, clerk_a, county_a, monkeypatch
):
    first = reg.provider_register(actor=clerk_a, spec=spec(county_a))
    blind_once(monkeypatch, reg, "_check_spec")
    with pytest.raises(BusinessRuleError) as err:
        reg.provider_register(actor=clerk_a, spec=spec(county_a, national=first.national_code))
    assert err.value.message == reg.DUPLICATE_CODE

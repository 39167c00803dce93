"""A small settling world: the demo policy and catalogue, a hospital and a pharmacy in
performance, their signed-in systems, an employee with a personal account and a resident.

- hospital: 二级 hospital of 亭湖区 (county_a), handled by 亭湖区's agency.
- employee: 亭湖区, in service, enrolled since 2025-01, personal account 500.00 yuan.
- resident: 盐都区 (county_b), adult, enrolled since 2025-01.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.settlement.hsa_client import HsaClient, put_in_performance, world_people


@pytest.fixture
def catalogue(db):
    from pooling.benefits.catalogue.importer import load_demo_catalogue

    return load_demo_catalogue(lambda _m: None)


@pytest.fixture
def hospital(county_a, catalogue):
    from tests.providers.factories import make_provider

    return put_in_performance(make_provider(county_a, "二院"))


@pytest.fixture
def people(county_a, county_b, demo_policy):
    return world_people(county_a, county_b, since=date(2025, 1, 1))


@pytest.fixture
def hsa(hospital, clerk_a, demo_policy, people, client) -> HsaClient:
    """The hospital's system, credential issued by 亭湖区's clerk, signed in for today."""
    return HsaClient.signed_in(client, hospital, issued_by=clerk_a)

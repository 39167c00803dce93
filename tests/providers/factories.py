"""Rows of the providers app for tests, and SCOPED_FACTORIES for the scoping matrix."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from pooling.kernel.choices import HospitalLevel
from pooling.kernel.codes import PHARMACY, credit_code_from
from pooling.models import Region
from providers.choices import Ownership, ProviderKind, State, ViolationKind
from providers.models import (
    Agreement,
    AgreementTemplate,
    AssessmentResult,
    AssessmentTemplate,
    Provider,
    ProviderEvent,
    Violation,
)

_seq = itertools.count(1)
LONG_AGO = date(2020, 1, 6)


def codes(area: str, kind: str = ProviderKind.HOSPITAL) -> tuple[str, str]:
    n = next(_seq)
    prefix = PHARMACY if kind == ProviderKind.PHARMACY else "H"
    return f"{prefix}{area}{50000 + n:05d}", credit_code_from(f"91{area}{n:09d}")


def make_provider(
    county: Region,
    marker: str = "",
    *,
    kind: str = ProviderKind.HOSPITAL,
    level: str = HospitalLevel.LEVEL2,
    ownership: str = Ownership.PRIVATE,
    handling: Region | None = None,
    state: str = State.REGISTERED,
    opened_on: date = LONG_AGO,
) -> Provider:
    national, credit = codes(county.code, kind)
    return Provider.objects.create(
        kind=kind,
        name=f"测试医院{marker}",
        national_code=national,
        credit_code=credit,
        location_region=county,
        handling_region=handling or county,
        address=f"{county.name}测试路1号",
        level="" if kind == ProviderKind.PHARMACY else level,
        ownership=ownership,
        opened_on=opened_on,
        state=state,
    )


def make_template(
    kind: str = ProviderKind.HOSPITAL, version: int = 1, effective_from: date = date(2019, 1, 1)
) -> AgreementTemplate:
    return AgreementTemplate.objects.create(
        provider_kind=kind,
        version=version,
        title=f"盐城市定点{kind}医保服务协议",
        body="协议正文",
        effective_from=effective_from,
        term_months=12,
    )


def make_event(county: Region, marker: str) -> ProviderEvent:
    provider = make_provider(county, "E")
    return ProviderEvent.objects.create(
        provider=provider,
        action="apply",
        from_state=State.REGISTERED,
        to_state=State.APPLIED,
        effective_on=date(2026, 1, 5),
        reason=f"说明{marker}",
    )


def make_agreement(county: Region, marker: str) -> Agreement:
    provider = make_provider(county, "A")
    template = (
        AgreementTemplate.objects.filter(provider_kind=provider.kind).first() or make_template()
    )
    return Agreement.objects.create(
        provider=provider,
        template=template,
        number=f"{provider.national_code}-X",
        term_start=date(2026, 1, 1),
        term_end=date(2026, 12, 31),
        signed_on=date(2025, 12, 20),
        agency_signatory=f"签订人{marker}",
        provider_signatory="院长",
    )


def make_violation(county: Region, marker: str) -> Violation:
    provider = make_provider(county, "V")
    return Violation.objects.create(
        provider=provider,
        kind=ViolationKind.OVERCHARGE,
        found_on=date(2026, 3, 3),
        finding=f"查实{marker}",
        recover_fen=100,
        deduct_fen=100,
        deduction_month=date(2026, 4, 1),
    )


def make_assessment(county: Region, marker: str) -> AssessmentResult:
    provider = make_provider(county, marker)
    template = AssessmentTemplate.objects.first() or AssessmentTemplate.objects.create(
        name="考核", from_year=2020
    )
    return AssessmentResult.objects.create(
        provider=provider, year=2025, template=template, scores={}, total=Decimal("90.00")
    )


def since(days: int) -> date:
    return date.today() - timedelta(days=days)


SCOPED_FACTORIES = {
    Provider: lambda county, marker: make_provider(county, marker),
    ProviderEvent: make_event,
    Agreement: make_agreement,
    Violation: make_violation,
    AssessmentResult: make_assessment,
}

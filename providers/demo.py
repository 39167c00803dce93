"""Demo providers of the demo city, one per interesting case, from its demo file's "providers"
section (`pooling/data/demo/<area code>.json`). Safe to load twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from pooling.kernel.codes import credit_code_from
from pooling.kernel.demo_city import demo_city
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.permissions import DEMO_LOADER
from pooling.models import Region
from providers.choices import ProviderKind, ViolationKind
from providers.models import AgreementTemplate, AssessmentTemplate, Provider
from providers.services.agreements import template_publish
from providers.services.assessment import assessment_enter, assessment_template_create
from providers.services.handling import handling_rules_load
from providers.services.lifecycle import transition
from providers.services.register import ProviderSpec, provider_register
from providers.services.violations import ViolationSpec, violation_record


@dataclass(frozen=True)
class Demo:
    code: str
    name: str
    kind: str
    level: str
    region: str
    ownership: str
    story: str  # performing | evaluating | suspended | expiring | applied
    violation: bool = False  # a finding, a deduction and last year's assessment


def _reference_data(data: dict[str, Any]) -> None:
    handling_rules_load(area_code=settings.POOLING_AREA_CODE, actor=DEMO_LOADER)
    city, since = data["city_name"], date.fromisoformat(data["agreement_from"])
    for kind, label in ProviderKind.choices:
        if not AgreementTemplate.objects.filter(provider_kind=kind).exists():
            template_publish(
                actor=DEMO_LOADER,
                provider_kind=kind,
                title=f"{city}基本医疗保险{label}服务协议",
                body="（全市统一协议文本，由市医保局制定。）",
                effective_from=since,
            )
    if not AssessmentTemplate.objects.exists():
        assessment_template_create(
            name=f"{city}定点医药机构医疗保障服务质量年度考核",
            from_year=since.year,
            actor=DEMO_LOADER,
            indicators=[
                ("A1", "基础管理", 20),
                ("A2", "医疗服务与费用控制", 40),
                ("A3", "协议履行与信息报送", 25),
                ("A4", "参保人满意度", 15),
            ],
            bands=[
                (Decimal("90"), Decimal("1")),
                (Decimal("80"), Decimal("0.8")),
                (Decimal("60"), Decimal("0.5")),
                (Decimal("0"), Decimal("0")),
            ],
        )


def _steps(story: str, today: date, signatory: str) -> list[tuple[str, date, dict[str, Any], str]]:
    d = lambda n: today - timedelta(days=n)  # noqa: E731
    sign = {"agency_signatory": signatory, "provider_signatory": "法定代表人"}
    start = {"performing": 200, "suspended": 250, "expiring": 300}.get(story, 0)
    head: list[tuple[str, date, dict[str, Any], str]] = [
        ("apply", d(start + 60), {}, ""),
        ("accept", d(start + 58), {}, ""),
    ]
    if story == "applied":
        return [("apply", d(2), {}, "")]
    if story == "evaluating":
        return [("apply", d(82), {}, ""), ("accept", d(80), {}, "")]
    steps = head + [
        ("evaluate_pass", d(start + 30), {}, ""),
        ("sign", d(start + 10), {**sign, "term_start": d(start)}, ""),
        ("publish", d(start + 5), {}, ""),
        ("start_performance", d(start), {}, ""),
    ]
    if story == "suspended":
        steps.append(("suspend", d(170), {}, "违规结算目录外费用，暂停协议整改"))
    return steps


def _provider(demo: Demo, regions: dict[str, Region], *, registered_on: date) -> Provider:
    n = int(demo.code[-5:])
    return provider_register(
        actor=DEMO_LOADER,
        on=registered_on,
        spec=ProviderSpec(
            kind=demo.kind,
            name=demo.name,
            national_code=demo.code,
            credit_code=credit_code_from(f"12{demo.region}{n:09d}"),
            location_region=regions[demo.region],
            address=f"{regions[demo.region].name}示范路{n % 100}号",
            ownership=demo.ownership,
            opened_on=date(2005, 6, 1),
            level=demo.level,
            grade="A" if demo.level == "level3" else "",
        ),
    )


@DEMO_LOADERS.register
def load(echo: Callable[[str], None]) -> None:
    data = demo_city()["providers"]
    _reference_data(data)
    regions = {r.code: r for r in Region.objects.all()}
    today = date.today()
    made = 0
    for demo in (Demo(**row) for row in data["list"]):
        if Provider.objects.filter(national_code=demo.code).exists():
            continue
        steps = _steps(demo.story, today, data["agency_signatory"])
        provider = _provider(demo, regions, registered_on=steps[0][1] - timedelta(days=1))
        for action, on, params, reason in steps:
            transition(
                provider_id=provider.pk,
                action=action,
                actor=DEMO_LOADER,
                on=on,
                reason=reason,
                params=params,
            )
        if demo.violation:
            violation_record(
                actor=DEMO_LOADER,
                provider_id=provider.pk,
                spec=ViolationSpec(
                    kind=ViolationKind.OVERCHARGE,
                    found_on=today - timedelta(days=20),
                    finding="抽查住院病历12份，超标准收取床位费",
                    recover_fen=356000,
                    deduct_fen=100000,
                    deduction_month=today,
                ),
            )
            assessment_enter(
                actor=DEMO_LOADER,
                provider_id=provider.pk,
                year=today.year - 1,
                scores={
                    "A1": Decimal("92"),
                    "A2": Decimal("86"),
                    "A3": Decimal("90"),
                    "A4": Decimal("95"),
                },
            )
        made += 1
    echo(f"定点医药机构演示数据：新增 {made} 家（{data['echo']}）")

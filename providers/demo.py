"""Demo providers of Yancheng, one per interesting case. Safe to load twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pooling.kernel.codes import credit_code_from
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.permissions import DEMO_LOADER
from pooling.models import Region
from providers.choices import Ownership, ProviderKind, ViolationKind
from providers.models import AgreementTemplate, AssessmentTemplate, Provider
from providers.services.agreements import template_publish
from providers.services.assessment import assessment_enter, assessment_template_create
from providers.services.handling import handling_rules_load
from providers.services.lifecycle import transition
from providers.services.register import ProviderSpec, provider_register
from providers.services.violations import ViolationSpec, violation_record

H, P = ProviderKind.HOSPITAL, ProviderKind.PHARMACY


@dataclass(frozen=True)
class Demo:
    code: str
    name: str
    kind: str
    level: str
    region: str
    ownership: str
    story: str  # performing | evaluating | suspended | expiring | applied


DEMO = [
    Demo("H32090200001", "盐城市第一人民医院", H, "level3", "320902", Ownership.PUBLIC, "performing"),
    Demo("H32090200003", "盐城市第三人民医院", H, "level3", "320902", Ownership.PUBLIC, "performing"),
    Demo("H32090200101", "盐城市亭湖区人民医院", H, "level2", "320902", Ownership.PUBLIC, "evaluating"),
    Demo("H32090300102", "盐城康宁医院", H, "level1", "320903", Ownership.PRIVATE, "suspended"),
    Demo("P32090200201", "盐城百信大药房（建军路店）", P, "", "320902", Ownership.PRIVATE, "expiring"),
    Demo("H32098100001", "东台市人民医院", H, "level3", "320981", Ownership.PUBLIC, "performing"),
    Demo("H32090300201", "盐都区仁和诊所", ProviderKind.CLINIC, "level1", "320903", Ownership.PRIVATE, "applied"),
]


def _reference_data() -> None:
    handling_rules_load(area_code="320900", actor=DEMO_LOADER)
    for kind, label in ProviderKind.choices:
        if not AgreementTemplate.objects.filter(provider_kind=kind).exists():
            template_publish(actor=DEMO_LOADER, provider_kind=kind, title=f"盐城市基本医疗保险{label}服务协议",
                             body="（全市统一协议文本，由市医保局制定。）", effective_from=date(2021, 2, 1))
    if not AssessmentTemplate.objects.exists():
        assessment_template_create(
            name="盐城市定点医药机构医疗保障服务质量年度考核", from_year=2021, actor=DEMO_LOADER,
            indicators=[("A1", "基础管理", 20), ("A2", "医疗服务与费用控制", 40),
                        ("A3", "协议履行与信息报送", 25), ("A4", "参保人满意度", 15)],
            bands=[(Decimal("90"), Decimal("1")), (Decimal("80"), Decimal("0.8")),
                   (Decimal("60"), Decimal("0.5")), (Decimal("0"), Decimal("0"))])


def _steps(story: str, today: date) -> list[tuple[str, date, dict[str, Any], str]]:
    d = lambda n: today - timedelta(days=n)  # noqa: E731
    sign = {"agency_signatory": "陈静", "provider_signatory": "法定代表人"}
    start = {"performing": 200, "suspended": 250, "expiring": 300}.get(story, 0)
    head: list[tuple[str, date, dict[str, Any], str]] = [("apply", d(start + 60), {}, ""), ("accept", d(start + 58), {}, "")]
    if story == "applied":
        return [("apply", d(2), {}, "")]
    if story == "evaluating":
        return [("apply", d(82), {}, ""), ("accept", d(80), {}, "")]
    steps = head + [("evaluate_pass", d(start + 30), {}, ""),
                    ("sign", d(start + 10), {**sign, "term_start": d(start)}, ""),
                    ("publish", d(start + 5), {}, ""), ("start_performance", d(start), {}, "")]
    if story == "suspended":
        steps.append(("suspend", d(170), {}, "违规结算目录外费用，暂停协议整改"))
    return steps


def _provider(demo: Demo, regions: dict[str, Region], *, registered_on: date) -> Provider:
    n = int(demo.code[-5:])
    return provider_register(actor=DEMO_LOADER, on=registered_on, spec=ProviderSpec(
        kind=demo.kind, name=demo.name, national_code=demo.code,
        credit_code=credit_code_from(f"12{demo.region}{n:09d}"),
        location_region=regions[demo.region], address=f"{regions[demo.region].name}示范路{n % 100}号",
        ownership=demo.ownership, opened_on=date(2005, 6, 1), level=demo.level,
        grade="A" if demo.level == "level3" else "",
    ))


@DEMO_LOADERS.register
def load(echo: Callable[[str], None]) -> None:
    _reference_data()
    regions = {r.code: r for r in Region.objects.all()}
    today = date.today()
    made = 0
    for demo in DEMO:
        if Provider.objects.filter(national_code=demo.code).exists():
            continue
        steps = _steps(demo.story, today)
        provider = _provider(demo, regions, registered_on=steps[0][1] - timedelta(days=1))
        for action, on, params, reason in steps:
            transition(provider_id=provider.pk, action=action, actor=DEMO_LOADER, on=on, reason=reason,
                       params=params)
        if demo.story == "performing" and demo.region == "320902" and demo.code.endswith("001"):
            violation_record(actor=DEMO_LOADER, provider_id=provider.pk, spec=ViolationSpec(
                kind=ViolationKind.OVERCHARGE, found_on=today - timedelta(days=20),
                finding="抽查住院病历12份，超标准收取床位费", recover_fen=356000, deduct_fen=100000,
                deduction_month=today))
            assessment_enter(actor=DEMO_LOADER, provider_id=provider.pk, year=today.year - 1, scores={
                "A1": Decimal("92"), "A2": Decimal("86"), "A3": Decimal("90"), "A4": Decimal("95")})
        made += 1
    echo(f"定点医药机构演示数据：新增 {made} 家（市三院由盐都区经办）")

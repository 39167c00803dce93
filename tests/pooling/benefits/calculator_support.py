"""Shared inputs for the calculator tests: the demo policy's rules and a small catalogue."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pooling.benefits.types import Accumulators, CatalogueEntry, Claim, ClaimLine
from pooling.kernel.choices import HospitalLevel, Scheme
from pooling.policy.benefit_rules import BenefitRules
from pooling.policy.document import policy_from_document

if TYPE_CHECKING:  # for the annotations; publish_demo_policy imports the models when called
    from pooling.models import PolicyVersion, User

DEMO = Path(__file__).resolve().parents[3] / "pooling" / "policy" / "documents" / "demo-2026.json"


def demo_rules() -> BenefitRules:
    return policy_from_document(json.loads(DEMO.read_text("utf-8"))).benefits


DRUG_A = "XA01ABD075A002010100483"  # 甲类西药
DRUG_B = "XJ01DCC118A001010104443"  # 乙类西药（默认先行自付10%）
DRUG_B20 = "ZA01AAA0010010100000"  # 乙类中成药（先行自付20%，20位编码）
ITEM_A = "001102000000100"  # 甲类诊疗项目
ITEM_C = "003100000010000"  # 丙类（目录外）诊疗项目
UNKNOWN = "XX00XXX000X000000000000"  # 目录中没有

CATALOGUE = {
    DRUG_A: CatalogueEntry(DRUG_A, "阿莫西林胶囊", "A"),
    DRUG_B: CatalogueEntry(DRUG_B, "头孢呋辛酯片", "B"),
    DRUG_B20: CatalogueEntry(DRUG_B20, "复方丹参滴丸", "B", self_pay_rate=Decimal("0.2")),
    ITEM_A: CatalogueEntry(ITEM_A, "普通门诊诊查费", "A", kind="item"),
    ITEM_C: CatalogueEntry(ITEM_C, "美容整形", "C", kind="item"),
}


def ytd(
    admissions: int = 0,
    deductible: dict[str, int] | None = None,
    fund: dict[str, int] | None = None,
) -> Accumulators:
    return Accumulators(
        admissions=admissions,
        deductible_paid_fen=MappingProxyType(deductible or {}),
        fund_paid_fen=MappingProxyType(fund or {}),
    )


def claim(
    scheme: str, level: str, care: str, *lines: tuple[str, int | Decimal, int], **kw: Any
) -> Claim:
    return Claim(
        scheme=Scheme(scheme),
        hospital_level=HospitalLevel(level),
        care_type=care,
        service_date=date(2026, 6, 1),
        lines=tuple(ClaimLine(code, q, price) for code, q, price in lines),
        **kw,
    )


def publish_demo_policy(drafted_by: User, approved_by: User) -> PolicyVersion:
    """The demo policy, published (as pooling/demo.py does), for tests that go through the DB."""
    from django.utils import timezone

    from pooling.models import PolicyStatus, PolicyVersion

    doc = json.loads(DEMO.read_text("utf-8"))
    return PolicyVersion.objects.create(
        code=doc["code"],
        title=doc["title"],
        effective_from=doc["effective_from"],
        document=doc,
        status=PolicyStatus.PUBLISHED,
        drafted_by=drafted_by,
        approved_by=approved_by,
        published_at=timezone.now(),
    )

"""The values the benefit calculator reads and returns: frozen, typed, amounts in fen.

Nothing here touches the database: a caller (the quote API, the 待遇测算 page, later
real-time settlement) builds these from its own reads and hands them to `settle`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple


class CareType:
    INPATIENT = "inpatient"  # 住院
    OUTPATIENT = "outpatient"  # 普通门诊统筹
    CHRONIC = "chronic"  # 门诊慢特病（门慢/门特）
    MATERNITY = "maternity"  # 生育医疗费用

    ALL = (INPATIENT, OUTPATIENT, CHRONIC, MATERNITY)
    LABELS = {INPATIENT: "住院", OUTPATIENT: "普通门诊统筹", CHRONIC: "门诊慢特病",
              MATERNITY: "生育医疗"}


SCHEMES = {"employee": "职工医保", "resident": "居民医保"}
CATEGORIES = {"in_service": "在职职工", "retired": "退休人员",
              "resident_adult": "成年居民", "minor_student": "未成年人及学生"}
HOSPITAL_LEVELS = {"community": "基层医疗机构", "level1": "一级医院",
                   "level2": "二级医院", "level3": "三级医院"}
CLASS_LABELS = {"A": "甲类", "B": "乙类", "C": "丙类（目录外）"}
KIND_LABELS = {"drug": "药品", "item": "诊疗项目", "facility": "医疗服务设施"}


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One catalogue item as the calculator sees it. cls: "A", "B" or "C" (excluded)."""

    code: str
    name: str
    cls: str
    kind: str = "drug"
    self_pay_rate: Decimal | None = None  # class B only; None = the policy's default share
    restrictions: str = ""


EMPTY: Mapping[str, int] = MappingProxyType({})


class Accumulators(NamedTuple):
    """What the person has used so far this calendar year (before this claim).

    `fund_paid_fen` is keyed by cap scope: "inpatient", "outpatient", "maternity[:<kind>]",
    "chronic:<disease code>". `deductible_paid_fen` likewise ("outpatient", chronic and
    maternity deductibles are annual; the inpatient deductible is per admission, so for
    it only `admissions` matters). A NamedTuple: one is made per claim settled.
    """

    admissions: int = 0
    deductible_paid_fen: Mapping[str, int] = EMPTY
    fund_paid_fen: Mapping[str, int] = EMPTY

    def fund_paid(self, scope: str) -> int:
        return self.fund_paid_fen.get(scope, 0)

    def deductible_paid(self, scope: str) -> int:
        return self.deductible_paid_fen.get(scope, 0)


@dataclass(frozen=True, slots=True)
class PersonContext:
    category: str  # in_service / retired / resident_adult / minor_student
    ytd: Accumulators = field(default_factory=Accumulators)
    account_balance_fen: int = 0


@dataclass(frozen=True, slots=True)
class ClaimLine:
    code: str
    quantity: Decimal | int
    unit_price_fen: int
    name: str = ""  # what the hospital called it; shown when the code is not in the catalogue


@dataclass(frozen=True, slots=True)
class Claim:
    scheme: str  # employee / resident
    hospital_level: str  # community / level1 / level2 / level3
    care_type: str  # CareType.*
    service_date: date
    lines: tuple[ClaimLine, ...]
    diagnosis: str = ""  # for 门慢/门特: the disease code on the list
    out_of_city: bool = False
    referral_registered: bool = False  # 转外就医备案 on file (or an emergency)
    use_personal_account: bool = False
    maternity_kind: str = ""  # vaginal_delivery / caesarean / prenatal_checks (定额 policies)


class SettledLine(NamedTuple):
    """One claim line after classification. (A NamedTuple: built ten times a claim, so cheap.)"""

    code: str
    name: str
    cls: str  # A / B / C
    quantity: Decimal | int
    unit_price_fen: int
    amount_fen: int
    excluded_fen: int  # 全自费
    class_b_self_pay_fen: int  # 乙类先行自付
    in_scope_fen: int  # 进入统筹计算的部分（政策范围内）
    self_pay_rate: Decimal | None = None
    restrictions: str = ""


class Basis(NamedTuple):
    """What the policy said for this claim, kept so the explanation can be written on demand."""

    claim: Claim
    scope: str  # the cap / accumulator scope
    deductible_kind: str  # inpatient / annual / lump / none
    deductible_label: str  # e.g. "三级医院", "二级医院普通门诊", "门慢「高血压」"
    deductible_line_fen: int
    deductible_before_fen: int  # met earlier this year (annual) / admissions before (inpatient)
    base_ratio: Decimal
    base_fen: int  # in scope minus deductible
    fund_uncapped_fen: int
    cap_fen: int | None
    paid_before_fen: int
    remaining_cap_fen: int | None
    balance_fen: int
    default_b_rate: Decimal
    account_covers_excluded: bool


class Settlement(NamedTuple):
    """An itemised settlement. Identities (checked in tests):

    total = excluded + class_b_self_pay + in_scope
    in_scope = deductible + fund + copay + over_cap
    total = fund + account + patient   (patient = cash the patient pays)
    """

    lines: tuple[SettledLine, ...]
    total_fen: int
    excluded_fen: int
    class_b_self_pay_fen: int
    in_scope_fen: int
    deductible_fen: int
    fund_fen: int
    copay_fen: int
    over_cap_fen: int
    account_fen: int
    patient_fen: int
    ratio: Decimal  # the fund's share after any out-of-city reduction
    ytd_after: Accumulators
    basis: Basis

    @property
    def self_burden_fen(self) -> int:
        """What falls on the person: paid from the personal account plus in cash."""
        return self.account_fen + self.patient_fen

    @property
    def explanation(self) -> tuple[str, ...]:
        """The reasons, in Chinese with the figures (written when read, not when settled)."""
        from pooling.benefits.explain import lines

        return lines(self)

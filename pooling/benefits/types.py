"""The values the benefit calculator reads and returns: typed, amounts in fen, built by field name.

Nothing here touches the database: a caller (the quote API, the 待遇测算 page, later
real-time settlement) builds these from its own reads and hands them to `settle`.
Schemes, person categories and hospital levels are the kernel's enums.

The results (`SettledLine`, `Plan`, `Basis`, `Settlement`) are slotted dataclasses that
the calculator fills by keyword. They are not frozen: a frozen dataclass's constructor
costs three times as much, and ten lines a claim at tens of thousands of claims a second
is the calculator's whole budget — treat them as values all the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme


class CareType:
    INPATIENT = "inpatient"  # 住院
    OUTPATIENT = "outpatient"  # 普通门诊统筹
    CHRONIC = "chronic"  # 门诊慢特病（门慢/门特）
    MATERNITY = "maternity"  # 生育医疗费用

    ALL = (INPATIENT, OUTPATIENT, CHRONIC, MATERNITY)
    LABELS = {
        INPATIENT: _("住院"),
        OUTPATIENT: _("普通门诊统筹"),
        CHRONIC: _("门诊慢特病"),
        MATERNITY: _("生育医疗"),
    }


# The schemes the calculator settles (大病保险 and 大额补充 settle on top of these, later).
SCHEMES = (Scheme.EMPLOYEE, Scheme.RESIDENT)
# Hospital levels as the explanations name them ("三级医院起付线").
LEVEL_NAMES = {
    HospitalLevel.COMMUNITY: _("基层医疗机构"),
    HospitalLevel.LEVEL1: _("一级医院"),
    HospitalLevel.LEVEL2: _("二级医院"),
    HospitalLevel.LEVEL3: _("三级医院"),
}
CLASS_LABELS = {"A": _("甲类"), "B": _("乙类"), "C": _("丙类（目录外）")}
KIND_LABELS = {"drug": _("药品"), "item": _("诊疗项目"), "facility": _("医疗服务设施")}


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


@dataclass(frozen=True, slots=True)
class Accumulators:
    """What the person has used so far this calendar year (before this claim).

    `fund_paid_fen` is keyed by cap scope: "inpatient", "outpatient", "maternity[:<kind>]",
    "chronic:<disease code>". `deductible_paid_fen` likewise ("outpatient", chronic and
    maternity deductibles are annual; the inpatient deductible is per admission, so for
    it only `admissions` matters).
    """

    admissions: int = 0
    deductible_paid_fen: Mapping[str, int] = field(default_factory=lambda: EMPTY)
    fund_paid_fen: Mapping[str, int] = field(default_factory=lambda: EMPTY)

    def fund_paid(self, scope: str) -> int:
        return self.fund_paid_fen.get(scope, 0)

    def deductible_paid(self, scope: str) -> int:
        return self.deductible_paid_fen.get(scope, 0)


@dataclass(frozen=True, slots=True)
class PersonContext:
    category: PersonCategory
    ytd: Accumulators = field(default_factory=Accumulators)
    account_balance_fen: int = 0


@dataclass(frozen=True, slots=True)
class ClaimLine:
    code: str
    quantity: Decimal | int
    unit_price_fen: int
    name: str = ""  # what the hospital called it; shown when the code is not in the catalogue
    # The line's own entry (None: not in the catalogue), used instead of the claim's lookup when
    # `classified`: settlement classifies each fee line by the catalogue in force on its own date,
    # so one code may be of two classes within a stay that crosses a catalogue version.
    entry: CatalogueEntry | None = None
    classified: bool = False


@dataclass(frozen=True, slots=True)
class Claim:
    scheme: Scheme  # employee / resident
    hospital_level: HospitalLevel
    care_type: str  # CareType.*
    service_date: date
    lines: tuple[ClaimLine, ...]
    diagnosis: str = ""  # for 门慢/门特: the disease code on the list
    out_of_city: bool = False
    referral_registered: bool = False  # 转外就医备案 on file (or an emergency)
    use_personal_account: bool = False
    maternity_kind: str = ""  # vaginal_delivery / caesarean / prenatal_checks (定额 policies)


@dataclass(slots=True)
class SettledLine:
    """One claim line after classification: what it was, and where its amount went."""

    line: ClaimLine
    entry: CatalogueEntry | None  # None: not in the catalogue in force
    cls: str  # A / B / C
    amount_fen: int
    class_b_self_pay_fen: int = 0  # 乙类先行自付
    self_pay_rate: Decimal | None = None  # the class-B share applied

    @property
    def code(self) -> str:
        return self.line.code

    @property
    def name(self) -> str:
        return self.entry.name if self.entry is not None else self.line.name

    @property
    def quantity(self) -> Decimal | int:
        return self.line.quantity

    @property
    def unit_price_fen(self) -> int:
        return self.line.unit_price_fen

    @property
    def restrictions(self) -> str:
        return self.entry.restrictions if self.entry is not None else ""

    @property
    def excluded_fen(self) -> int:
        """全自费: class C and anything not in the catalogue."""
        return self.amount_fen if self.cls == "C" else 0

    @property
    def in_scope_fen(self) -> int:
        """进入统筹计算的部分（政策范围内）."""
        return 0 if self.cls == "C" else self.amount_fen - self.class_b_self_pay_fen


@dataclass(slots=True)
class Plan:
    """What the policy says for this claim, before any amounts."""

    scope: str  # the cap / accumulator scope
    deductible_kind: str  # inpatient / annual / lump / none
    label: (
        str | Promise
    )  # e.g. "三级医院", "二级医院普通门诊", "门慢「高血压」", _("顺产") rendered when read
    deductible_line_fen: int  # the deductible standard itself
    deductible_before_fen: int  # annual: met earlier this year; inpatient: admissions before
    deductible_due_fen: int  # what is still to be met by this claim
    base_ratio: Decimal
    ratio: Decimal  # after the out-of-city reduction
    cap_fen: int | None


@dataclass(slots=True)
class Basis:
    """What the policy said for this claim, kept so the explanation can be written on demand."""

    claim: Claim
    plan: Plan
    base_fen: int  # in scope minus deductible
    fund_uncapped_fen: int
    paid_before_fen: int
    remaining_cap_fen: int | None
    balance_fen: int
    default_b_rate: Decimal
    account_covers_excluded: bool


@dataclass(slots=True)
class Settlement:
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

"""The financing sections of a policy (筹资): employee contributions and personal accounts,
resident contributions, subsidies and waiting periods — typed, immutable, money in fen,
rates as Decimal fractions.

Each section reads its own part of the document in `from_document` (the document has
passed validation, so every field the schema requires is there): the one place where
that part's yuan, percents and counts become values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from pooling.kernel.money import round_fen, yuan_to_fen
from pooling.kernel.numbers import percent_rate


def rate(value: str) -> Decimal:
    """A percent of the document as a rate; ranges are validation's (a base ceiling is 300 %)."""
    return percent_rate(value, maximum=None)


def fen_by_key(part: Mapping[str, str]) -> Mapping[str, int]:
    return MappingProxyType({key: yuan_to_fen(value) for key, value in part.items()})


@dataclass(frozen=True)
class RetireeAllocation:
    min_age: int
    monthly_fen: int


@dataclass(frozen=True)
class EmployeePolicy:
    average_monthly_wage_fen: int
    base_floor_rate: Decimal  # fraction of the average wage
    base_ceiling_rate: Decimal
    employer_rate: Decimal
    employee_rate: Decimal
    maternity_merged: bool
    maternity_rate: Decimal
    account_share_of_base: Decimal  # in-service: the employee's own share goes to the account
    retiree_allocations: tuple[RetireeAllocation, ...]  # by min_age, youngest band first
    retiree_years_men: int
    retiree_years_women: int
    retiree_actual_years_min: int

    @classmethod
    def from_document(cls, emp: dict[str, Any]) -> EmployeePolicy:
        account, years = emp["personal_account"], emp["retiree_years"]
        return cls(
            average_monthly_wage_fen=yuan_to_fen(emp["average_monthly_wage"]),
            base_floor_rate=rate(emp["base_floor_pct"]),
            base_ceiling_rate=rate(emp["base_ceiling_pct"]),
            employer_rate=rate(emp["employer_rate_pct"]),
            employee_rate=rate(emp["employee_rate_pct"]),
            maternity_merged=bool(emp["maternity"]["merged"]),
            maternity_rate=rate(emp["maternity"]["rate_pct"]),
            account_share_of_base=rate(account["in_service_share_of_base_pct"]),
            retiree_allocations=tuple(
                sorted(
                    (
                        RetireeAllocation(
                            min_age=int(a["min_age"]), monthly_fen=yuan_to_fen(a["amount"])
                        )
                        for a in account["retiree_monthly"]
                    ),
                    key=lambda a: a.min_age,
                )
            ),
            retiree_years_men=int(years["men_total"]),
            retiree_years_women=int(years["women_total"]),
            retiree_actual_years_min=int(years["min_actual"]),
        )

    @property
    def base_floor_fen(self) -> int:
        return round_fen(self.average_monthly_wage_fen * self.base_floor_rate)

    @property
    def base_ceiling_fen(self) -> int:
        return round_fen(self.average_monthly_wage_fen * self.base_ceiling_rate)

    def clamp_base(self, base_fen: int) -> int:
        """The contribution base clamped to 60 %–300 % (as configured) of the average wage."""
        return min(max(base_fen, self.base_floor_fen), self.base_ceiling_fen)

    def retiree_monthly_fen(self, age: int) -> int:
        eligible = [a for a in self.retiree_allocations if age >= a.min_age]
        return eligible[-1].monthly_fen if eligible else 0

    def required_years(self, sex: str) -> int:
        """Cumulative contribution years a retiree needs ("M"/"F")."""
        return self.retiree_years_men if sex == "M" else self.retiree_years_women


@dataclass(frozen=True)
class WaitingRules:
    base_months: int
    per_gap_year_months: int
    per_continuous_year_reduction_months: int
    newborn_exempt: bool
    from_employee_within_months: int

    @classmethod
    def from_document(cls, wait: dict[str, Any]) -> WaitingRules:
        return cls(
            base_months=int(wait["base_months"]),
            per_gap_year_months=int(wait["per_gap_year_months"]),
            per_continuous_year_reduction_months=int(wait["per_continuous_year_reduction_months"]),
            newborn_exempt=bool(wait["newborn_exempt"]),
            from_employee_within_months=int(wait["from_employee_within_months"]),
        )


@dataclass(frozen=True)
class ResidentPolicy:
    year: int
    individual_fen: Mapping[str, int]  # by person category
    subsidy_per_head_fen: int
    subsidy_split: Mapping[str, Decimal]  # central/province/city/county -> fraction
    special_group_subsidy_fen: Mapping[str, int]  # dibao/tekun -> fen paid for the person
    waiting: WaitingRules

    @classmethod
    def from_document(cls, res: dict[str, Any]) -> ResidentPolicy:
        return cls(
            year=int(res["year"]),
            individual_fen=fen_by_key(res["individual_contribution"]),
            subsidy_per_head_fen=yuan_to_fen(res["subsidy_per_head"]),
            subsidy_split=MappingProxyType(
                {k: rate(v) for k, v in res["subsidy_split_pct"].items()}
            ),
            special_group_subsidy_fen=fen_by_key(res["special_group_subsidy"]),
            waiting=WaitingRules.from_document(res["waiting_period"]),
        )

    def individual_contribution_fen(self, category: str) -> int:
        return self.individual_fen[category]


DEFAULT_QUALITY_DEPOSIT_PCT = "5"  # a document without the section: the common 5 % (按月预留)


@dataclass(frozen=True)
class ProviderPaymentPolicy:
    """How the monthly provider settlement pays (定点机构结算支付): the share of what the funds owe
    a provider that is withheld as its quality deposit (质量保证金). What is released after the
    annual assessment, by score band, is the assessment template's data (providers app)."""

    quality_deposit_rate: Decimal

    @classmethod
    def from_document(cls, part: dict[str, Any] | None) -> ProviderPaymentPolicy:
        part = part or {}
        return cls(
            quality_deposit_rate=rate(part.get("quality_deposit_pct", DEFAULT_QUALITY_DEPOSIT_PCT))
        )

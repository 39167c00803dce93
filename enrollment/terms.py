"""Every policy number this app uses, read here and only here.

All reads go through `pooling.policy.document.policy_in_force(on=date)`: a contribution month
is judged by the version in force on its first day, a resident year by the version
in force on 1 January of that year, an allocation by its month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pooling.kernel.money import apply_rate
from pooling.policy.document import policy_in_force
from pooling.policy.funding import WaitingRules


@dataclass(frozen=True)
class EmployeeMonth:
    """What one employee's declared wage becomes for one month."""

    declared_base_fen: int
    base_fen: int
    clamped: bool
    floor_fen: int
    ceiling_fen: int
    employer_fen: int
    employee_fen: int
    maternity_fen: int
    account_fen: int

    @property
    def total_fen(self) -> int:
        return self.employer_fen + self.employee_fen + self.maternity_fen


def employee_month(*, month: date, declared_base_fen: int) -> EmployeeMonth:
    """Clamp the base to the floor/ceiling and compute each share (half up, per share)."""
    emp = policy_in_force(on=month).employee
    base = emp.clamp_base(declared_base_fen)
    return EmployeeMonth(
        declared_base_fen=declared_base_fen,
        base_fen=base,
        clamped=base != declared_base_fen,
        floor_fen=emp.base_floor_fen,
        ceiling_fen=emp.base_ceiling_fen,
        employer_fen=apply_rate(base, emp.employer_rate),
        employee_fen=apply_rate(base, emp.employee_rate),
        # Maternity merged into employee insurance is collected at its own rate on the
        # same base (国办发〔2019〕10号), paid by the employer.
        maternity_fen=apply_rate(base, emp.maternity_rate),
        account_fen=apply_rate(base, emp.account_share_of_base),
    )


def retiree_monthly_fen(*, month: date, age: int) -> int:
    return policy_in_force(on=month).employee.retiree_monthly_fen(age)


def required_retiree_months(*, on: date, sex: str) -> tuple[int, int]:
    """(total months, actual months) a retiree needs to keep benefits without paying."""
    emp = policy_in_force(on=on).employee
    return emp.required_years(sex) * 12, emp.retiree_actual_years_min * 12


@dataclass(frozen=True)
class ResidentYear:
    standard_fen: int
    subsidy_fen: int  # paid for a special-group member (低保/特困), never above the standard

    @property
    def payable_fen(self) -> int:
        return self.standard_fen - self.subsidy_fen


def resident_year(*, year: int, category: str, special_group: str) -> ResidentYear:
    res = policy_in_force(on=date(year, 1, 1)).resident
    standard = res.individual_contribution_fen(category)
    subsidy = (
        min(res.special_group_subsidy_fen.get(special_group, 0), standard) if special_group else 0
    )
    return ResidentYear(standard_fen=standard, subsidy_fen=subsidy)


def waiting_rules(*, on: date) -> WaitingRules:
    return policy_in_force(on=on).resident.waiting

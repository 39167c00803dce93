"""The steps of a monthly run, in the order they run (the order is the accounting's)."""

from __future__ import annotations

from settlement.cycle.base import StepDef
from settlement.cycle.steps import (
    accounts,
    clearing,
    close,
    collection,
    disbursement,
    providers,
    reconcile,
    reimbursements,
    remittance,
)

STEPS: list[StepDef] = [
    collection.STEP,
    accounts.STEP,
    remittance.STEP,
    disbursement.STEP,
    providers.STEP,
    reimbursements.STEP,
    clearing.STEP,
    reconcile.STEP,
    close.STEP,
]
BY_NAME = {step.name: step for step in STEPS}

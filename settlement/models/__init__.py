"""Settlement's tables: providers' systems and their messages, visits, fee details,
settlements with their reversals, and each person's year-to-date accumulators.

See `settlement/partitioning.py` for why visits, fee details, settlements and the
message log are partitioned by month, and how their ids carry the month.
"""

from settlement.models.accumulators import Accumulator
from settlement.models.claims import (
    AllowancePayee,
    ClaimStatus,
    MaternityAllowance,
    MaternityEvent,
    Reimbursement,
    ReimbursementKind,
)
from settlement.models.clearing_applications import ClearingApplication, ClearingStatus
from settlement.models.cycle import CycleRun, CycleShard, CycleStatus, CycleStep, RunKind
from settlement.models.hsa import Credential, CredentialStatus, Message, SignIn
from settlement.models.provider_month import ProviderMonthStatement
from settlement.models.settlements import Settlement, SettlementKind, SettlementReversal
from settlement.models.statements import ProviderStatement
from settlement.models.visits import FeeDetail, Visit, VisitStatus

__all__ = [
    "Accumulator",
    "CycleRun",
    "CycleShard",
    "CycleStep",
    "CycleStatus",
    "RunKind",
    "AllowancePayee",
    "ClaimStatus",
    "ClearingApplication",
    "ClearingStatus",
    "MaternityAllowance",
    "MaternityEvent",
    "Reimbursement",
    "ReimbursementKind",
    "Credential",
    "CredentialStatus",
    "FeeDetail",
    "Message",
    "ProviderMonthStatement",
    "ProviderStatement",
    "Settlement",
    "SettlementKind",
    "SettlementReversal",
    "SignIn",
    "Visit",
    "VisitStatus",
]

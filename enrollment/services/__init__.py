"""Writes of the handling (经办) app. Import from here: `from enrollment.services import enrol`."""

from enrollment.services.accounts import (
    account_allocate,
    account_balance,
    account_open,
    account_pay,
    accounts_allocate_month,
)
from enrollment.services.contributions import (
    DeclarationResult,
    LineResult,
    collection_record,
    declaration_line_add,
    declaration_submit,
    resident_contribution_record,
)
from enrollment.services.enrolment import (
    enrol,
    enrolment_end,
    enrolment_resume,
    enrolment_suspend,
    resident_waiting_months,
)
from enrollment.services.people import (
    employer_register,
    employer_update,
    person_death,
    person_duplicate_check,
    person_register,
    person_retire,
    person_update,
)
from enrollment.services.referrals import referral_apply, referral_decide, referral_revoke
from enrollment.services.sweep import account_postings_sweep, account_postings_sweep_all
from enrollment.services.transfers import (
    transfer_cancel,
    transfer_object,
    transfer_release,
    transfer_request,
    transfers_complete_due,
)

__all__ = [
    "DeclarationResult",
    "LineResult",
    "account_allocate",
    "account_balance",
    "account_open",
    "account_pay",
    "account_postings_sweep",
    "account_postings_sweep_all",
    "accounts_allocate_month",
    "collection_record",
    "declaration_line_add",
    "declaration_submit",
    "employer_register",
    "employer_update",
    "enrol",
    "enrolment_end",
    "enrolment_resume",
    "enrolment_suspend",
    "person_death",
    "person_duplicate_check",
    "person_register",
    "person_retire",
    "person_update",
    "referral_apply",
    "referral_decide",
    "referral_revoke",
    "resident_contribution_record",
    "resident_waiting_months",
    "transfer_cancel",
    "transfer_object",
    "transfer_release",
    "transfer_request",
    "transfers_complete_due",
]

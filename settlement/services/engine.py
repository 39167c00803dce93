"""The calculation every channel shares: a case in, a settlement row out, then stored once.

A channel (a visit over the national interface or a file, a manual reimbursement) gathers
a `Case` — the person insured on the date, what is settled, its lines classified by the
catalogue, the row's identity fields — and `calculate` fills the amounts: the calculator
for the basic fund, then the second tier, then the personal account, then cash. `store`
writes the row, the account posting and the accumulators; the caller holds the person's
row lock (`lock_person`) from before it read the accumulators until its transaction ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from enrollment.models import Person
from pooling.benefits.calculator import settle
from pooling.benefits.quote import NO_CATALOGUE
from pooling.benefits.types import CareType, CatalogueEntry, Claim, ClaimLine, PersonContext
from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, staff_user
from pooling.kernel.scoping import unrestricted
from settlement.hsa.codes import Meaning
from settlement.models import Accumulator, Settlement
from settlement.services import account, memo
from settlement.services.accumulators import accumulator_for, accumulators_add, ytd_of
from settlement.services.eligibility import Insured
from settlement.services.tiers import apply_second_tier

EMPLOYEE_ONLY_ACCOUNT = _("居民医保没有个人账户，acct_used_flag 已忽略")

Notes = list[tuple[Any, dict[str, Any]]]


@dataclass
class Case:
    insured: Insured
    what: Meaning
    care_type: str
    service_date: date
    hospital_level: str
    lines: tuple[ClaimLine, ...]
    lookup: dict[str, CatalogueEntry]  # the entries of lines not `classified` by the channel
    row: Settlement  # identity fields filled in by the channel; amounts by `calculate`
    diagnosis: str = ""
    maternity_kind: str = ""
    out_of_city: bool = False
    referral_registered: bool = False
    wants_account: bool = False
    notes: Notes = field(default_factory=list)
    acc: Accumulator | None = (
        None  # read by `calculate` under the person's lock (or by the channel); `store` moves this row
    )
    balance_fen: int | None = None  # the account's balance, if the channel read it under the lock

    @property
    def person(self) -> Person:
        return self.insured.person


def lock_person(person_id: int) -> Person:
    """The person's row lock: every change to a person's benefits takes it first."""
    with unrestricted():
        return Person.objects.select_for_update().get(pk=person_id)


def calculate(case: Case) -> Settlement:
    """Fill the row's amounts under the policy in force on the service date."""
    policy = memo.policy(on=case.service_date)
    rules = policy.benefits
    if case.acc is None:
        case.acc = accumulator_for(
            person_id=case.person.pk, year=case.service_date.year, scheme=case.what.scheme
        )
    acc = case.acc
    use_account = case.wants_account and case.what.scheme == "employee"
    if case.wants_account and not use_account:
        case.notes.append((EMPLOYEE_ONLY_ACCOUNT, {}))
    # balc is the employee's account balance after the settlement, whether the account was
    # asked to pay or not (a resident has none: 0).
    balance = 0
    if case.what.scheme == "employee":
        balance = (
            case.balance_fen
            if case.balance_fen is not None
            else account.balance(person=case.person)
        )
    claim = Claim(
        scheme=Scheme(case.what.scheme),
        hospital_level=HospitalLevel(case.hospital_level),
        care_type=case.care_type,
        service_date=case.service_date,
        lines=case.lines,
        diagnosis=case.diagnosis,
        out_of_city=case.out_of_city,
        referral_registered=case.referral_registered,
        use_personal_account=False,  # the account pays after the second tier (tiers.py)
        maternity_kind=case.maternity_kind,
    )
    result = settle(
        rules=rules,
        catalogue=case.lookup,
        claim=claim,
        person=PersonContext(
            category=PersonCategory(case.insured.category),
            ytd=ytd_of(acc),
            account_balance_fen=balance,
        ),
    )
    version = memo.catalogue(on=case.service_date)
    if version is None:  # without a catalogue every line would look excluded: refuse, say why
        raise BusinessRuleError(
            NO_CATALOGUE,
            code="no_catalogue",
            field="service_date",
            params={"on": case.service_date.isoformat()},
        )
    row = case.row
    row.person_id, row.scheme, row.fund_book = case.person.pk, case.what.scheme, case.what.fund_book
    row.clr_type = row.clr_type or case.what.clr_type
    row.scope, row.year, row.service_date = (
        result.basis.plan.scope,
        case.service_date.year,
        case.service_date,
    )
    row.policy_code, row.catalogue_code = policy.code, version.code if version else ""
    row.medfee_sumamt, row.fulamt_ownpay_amt = result.total_fen, result.excluded_fen
    row.preselfpay_amt, row.inscp_scp_amt = result.class_b_self_pay_fen, result.in_scope_fen
    row.act_pay_dedc, row.hifp_pay, row.pool_prop_selfpay = (
        result.deductible_fen,
        result.fund_fen,
        result.ratio,
    )
    row.over_cap_fen, row.copay_fen = result.over_cap_fen, result.copay_fen
    row.admission = 1 if case.care_type == CareType.INPATIENT else 0
    row.detail = {
        **(row.detail or {}),
        "care_type": case.care_type,
        "lines": [_line_json(x) for x in result.lines],
    }
    apply_second_tier(
        row=row,
        result=result,
        rules=rules,
        acc=acc,
        balance_fen=balance,
        use_account=use_account,
        notes=case.notes,
    )
    return row


def store(
    row: Settlement, person: Person, *, actor: Actor, acc: Accumulator | None = None
) -> Settlement:
    """Write the row, pay from the account, move the accumulators — once, under the person's lock.
    `acc`: the accumulator `calculate` read under this same lock (spares reading it again)."""
    row.created_by = staff_user(actor)
    row.save()
    pay_from_account(row, person, actor=actor)
    with unrestricted():
        accumulators_add(row=row, sign=1, acc=acc)
    return row


def pay_from_account(row: Settlement, person: Person, *, actor: Actor) -> None:
    """The stored settlement's account payment, keyed by its setl_id (once), under the person's lock."""
    if row.acct_pay:
        account.pay(
            person=person,
            amount_fen=row.acct_pay,
            month=row.month,
            key=f"setl:{row.setl_id}",
            memo=f"结算 {row.setl_id}",
            actor=actor,
        )


def _line_json(line: Any) -> dict[str, Any]:
    return {
        "code": line.code,
        "name": line.name,
        "cls": line.cls,
        "qty": str(line.quantity),
        "price": line.unit_price_fen,
        "amount": line.amount_fen,
        "excluded": line.excluded_fen,
        "class_b": line.class_b_self_pay_fen,
        "in_scope": line.in_scope_fen,
    }

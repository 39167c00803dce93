"""Settling a visit (2207/2304, a file) and quoting it (2206/2303).

The order inside the transaction is fixed, so two settlements for one person always take
their turns and never deadlock: lock the person, then the visit; read the accumulators;
calculate (`engine`); write the settlement, the account posting, the accumulators, then
mark the fee lines and the visit. A quote runs the same computation and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Person
from enrollment.services.diseases import disease_registration_in_force
from pooling.benefits.types import CareType, CatalogueEntry, ClaimLine
from pooling.kernel import sqlrows
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import fen_to_yuan
from pooling.kernel.permissions import Actor, require
from pooling.kernel.scoping import unrestricted
from providers.models import Provider
from settlement.hsa.codes import Meaning, meaning
from settlement.models import FeeDetail, Settlement, Visit, VisitStatus
from settlement.partitioning import month_key
from settlement.services import memo, settle_sql, txn
from settlement.services.eligibility import (
    READ,
    check_insured,
    check_maternity,
    check_not_future,
    check_provider,
)
from settlement.services.engine import Case, Notes, calculate, lock_person, pay_from_account

NOTHING_TO_SETTLE = _("就诊 %(mdtrt_id)s 没有可结算的费用明细（请先上传费用明细）")
TOTAL_MISMATCH = _("医疗费总额 medfee_sumamt=%(given)s 元与已上传费用明细合计 %(total)s 元不符")
NOT_DISCHARGED = _("住院就诊 %(mdtrt_id)s 尚未办理出院（2402），不能结算")
ALREADY_SETTLED = _("就诊 %(mdtrt_id)s 已结算（结算ID %(setl_id)s），如需重新结算请先撤销")
VISIT_STATE = _("就诊 %(mdtrt_id)s 当前状态为“%(status)s”，不能结算")
NOT_REGISTERED = _(
    "参保人未办理门诊慢特病「%(disease)s」待遇认定（或认定不在有效期内），本次按普通门诊结算"
)
NOT_ON_LIST = _("诊断 %(code)s 不在门诊慢特病病种目录内，本次按普通门诊结算")

# The policy's maternity sum each delivery type (codes.MATN_TYPES) is paid.
DELIVERY_KINDS = {"1": "vaginal_delivery", "2": "caesarean"}
BAD_DELIVERY = _("生育类别 matn_type=%(value)s 不正确：1 顺产，2 剖宫产")
# The visit's fee lines not cancelled nor settled yet, in upload order: read by hand (sqlrows adds
# the caller's scope) as the ORM's compiler cost more CPU than the read.
_OPEN_FEES = (
    '"settlement_feedetail"."month" = %s AND "settlement_feedetail"."visit_id" = %s'
    ' AND NOT "settlement_feedetail"."cancelled" AND "settlement_feedetail"."settlement_id" IS NULL'
)
_BY_ID = 'ORDER BY "settlement_feedetail"."id"'


@dataclass(frozen=True)
class SettleInput:
    visit: Visit
    acct_used: bool = False
    medfee_sumamt_fen: int | None = None
    chrg_bchno: str = ""
    msgid: str = ""
    invono: str = ""
    operator: str = ""
    delivery: str = ""  # "1" 顺产 / "2" 剖宫产, for maternity settlements paid as fixed sums
    when: datetime | None = None
    channel: str = "hsa"  # hsa / file (see SettlementChannel)
    # The caller read `visit.person` under its row lock in this transaction
    # (shapes.visit_from(lock_person=True)): not locked again.
    person_locked: bool = False


@dataclass
class Computed:
    row: Settlement  # unsaved; amounts filled in
    fees: list[FeeDetail]
    case: Case


def settlement_quote(*, data: SettleInput) -> Computed:
    """Pre-settlement (2206/2303): the same computation as a settlement; nothing is written."""
    with transaction.atomic():
        computed = _compute(data, lock=False)
        transaction.set_rollback(True)
    return computed


@txn.atomic
def settlement_settle(*, data: SettleInput, actor: Actor) -> Settlement:
    """Settle a visit's uploaded fees: store the settlement and move accumulators and account, once.
    `actor`: a clerk of the city's own clients, or the national interface's system actor."""
    require(actor, "settlement.settle")
    computed = _compute(data, lock=True)
    assert computed.case.acc is not None  # read under the person's lock by _compute or calculate
    # Row, accumulator, fee lines, visit: one statement (settle_sql), then the account.
    row = settle_sql.write(row=computed.row, acc=computed.case.acc, fees=computed.fees, actor=actor)
    with unrestricted():
        pay_from_account(row, computed.case.person, actor=actor)
    row.person = computed.case.person  # the answer shows the person: spare it a second read
    return row


def _compute(data: SettleInput, *, lock: bool) -> Computed:
    visit = data.visit
    if lock:
        person = visit.person if data.person_locked else lock_person(visit.person_id)
    else:
        person = _person(visit.person_id)
    provider = memo.provider(pk=visit.provider_id)
    what, service_date = _meaning(visit, provider), _service_date(visit)
    held = None
    if lock:  # the visit's lock, its person's enrolment, accumulator and balance: one statement
        held = settle_sql.hold(
            visit=visit, person_id=person.pk, scheme=what.scheme, on=service_date
        )
        visit = held.visit
        if (_meaning(visit, provider).scheme, _service_date(visit)) != (what.scheme, service_date):
            # Changed (2203) between the first read and the lock: read them for what it says now.
            what, service_date, held = _meaning(visit, provider), _service_date(visit), None
    _check_visit(visit)
    fees = _fees(visit, data)
    check_not_future(service_date, field="endtime" if visit.inpatient else "begntime")
    check_provider(provider=provider, on=service_date)
    # Again here: 2203 may have changed the med_type since registration.
    check_maternity(person=person, insutype=visit.insutype, med_type=visit.med_type)
    insured = check_insured(
        person=person,
        scheme=what.scheme,
        on=service_date,
        enrolment=held.enrolment if held else READ,
    )
    notes: Notes = []
    case = Case(
        insured=insured,
        what=what,
        care_type=_care_type(what, visit, person, service_date, notes),
        service_date=service_date,
        hospital_level=provider.level or "community",
        lines=tuple(_claim_line(f) for f in fees),
        lookup={},  # every line carries its own class (_claim_line)
        row=_row(data, visit),
        diagnosis=visit.main_diag_code,
        maternity_kind=_maternity_kind(visit, data.delivery),
        wants_account=data.acct_used,
        notes=notes,
        acc=held.acc if held else None,
        balance_fen=held.balance_fen if held else None,
    )
    return Computed(row=calculate(case), fees=fees, case=case)


def _meaning(visit: Visit, provider: Provider) -> Meaning:
    return meaning(
        insutype=visit.insutype, med_type=visit.med_type, pharmacy=provider.kind == "pharmacy"
    )


def _fees(visit: Visit, data: SettleInput) -> list[FeeDetail]:
    fees = sqlrows.select(FeeDetail, _OPEN_FEES, [visit.month, visit.pk], tail=_BY_ID)
    if data.chrg_bchno:
        fees = [f for f in fees if f.chrg_bchno == data.chrg_bchno] or fees
    if not fees:
        raise BusinessRuleError(
            NOTHING_TO_SETTLE, code="no_fees", field="mdtrt_id", params={"mdtrt_id": visit.mdtrt_id}
        )
    total = sum(f.amount_fen for f in fees)
    if data.medfee_sumamt_fen is not None and data.medfee_sumamt_fen != total:
        raise BusinessRuleError(
            TOTAL_MISMATCH,
            code="total_mismatch",
            field="medfee_sumamt",
            params={"given": fen_to_yuan(data.medfee_sumamt_fen), "total": fen_to_yuan(total)},
        )
    return fees


def _person(person_id: int) -> Person:
    with unrestricted():
        return Person.objects.get(pk=person_id)


def _check_visit(visit: Visit) -> None:
    if visit.status == VisitStatus.SETTLED:
        last = Settlement.objects.filter(visit_id=visit.pk, kind="settle").order_by("-id").first()
        raise BusinessRuleError(
            ALREADY_SETTLED,
            code="already_settled",
            field="mdtrt_id",
            params={"mdtrt_id": visit.mdtrt_id, "setl_id": last.setl_id if last else "—"},
        )
    if visit.inpatient and visit.status != VisitStatus.DISCHARGED:
        raise BusinessRuleError(
            NOT_DISCHARGED,
            code="not_discharged",
            field="mdtrt_id",
            params={"mdtrt_id": visit.mdtrt_id},
        )
    if not visit.inpatient and visit.status != VisitStatus.OPEN:
        raise BusinessRuleError(
            VISIT_STATE,
            code="visit_state",
            field="mdtrt_id",
            params={"mdtrt_id": visit.mdtrt_id, "status": visit.get_status_display()},
        )


def _service_date(visit: Visit) -> date:
    """Outpatient: the day of the visit; inpatient: the day of discharge (its policy decides)."""
    moment = visit.endtime if visit.inpatient and visit.endtime else visit.begntime
    return timezone.localtime(moment).date()


def _care_type(what: Meaning, visit: Visit, person: Person, on: date, notes: Notes) -> str:
    """门慢/门特 only for a person registered for that disease; anyone else is ordinary outpatient care."""
    if what.care_type != CareType.CHRONIC:
        return what.care_type
    disease = memo.policy(on=on).benefits.disease(visit.main_diag_code)
    if disease is None:
        notes.append((NOT_ON_LIST, {"code": visit.main_diag_code or "—"}))
        return CareType.OUTPATIENT
    with unrestricted():
        registered = disease_registration_in_force(
            person_id=person.pk, disease_code=disease.code, on=on
        )
    if registered is None:
        notes.append((NOT_REGISTERED, {"disease": disease.name}))
        return CareType.OUTPATIENT
    return CareType.CHRONIC


def _maternity_kind(visit: Visit, delivery: str) -> str:
    if delivery and delivery not in DELIVERY_KINDS:  # every channel: refused, never "1" by default
        raise BusinessRuleError(
            BAD_DELIVERY, code="bad_delivery", field="matn_type", params={"value": delivery}
        )
    if visit.med_type == "51":
        return "prenatal_checks"
    if visit.med_type == "52":
        return DELIVERY_KINDS.get(delivery, "vaginal_delivery")
    return ""


def _claim_line(fee: FeeDetail) -> ClaimLine:
    """The line with its class as it was classified at upload, by the catalogue in force on its own
    date (what 2204/2301 answered): a stay crossing a catalogue version keeps each line's class."""
    quantity = (
        fee.quantity if fee.quantity != fee.quantity.to_integral_value() else int(fee.quantity)
    )
    entry = None
    if fee.in_catalogue:
        rate = None if fee.self_pay_pct is None else fee.self_pay_pct / 100
        entry = CatalogueEntry(code=fee.code, name=fee.name, cls=fee.cls, self_pay_rate=rate)
    return ClaimLine(
        code=fee.code,
        quantity=quantity,
        unit_price_fen=fee.price_fen,
        name=fee.name,
        entry=entry,
        classified=True,
    )


def _row(data: SettleInput, visit: Visit) -> Settlement:
    when = data.when or timezone.now()
    return Settlement(
        month=month_key(timezone.localtime(when).date()),
        setl_time=when,
        visit_id=visit.pk,
        visit_month=visit.month,
        provider_id=visit.provider_id,
        insured_county_id=visit.insured_county_id,
        handling_unit_id=visit.handling_unit_id,
        insutype=visit.insutype,
        med_type=visit.med_type,
        msgid=data.msgid,
        chrg_bchno=data.chrg_bchno,
        invono=data.invono,
        operator=data.operator,
        channel=data.channel,
    )

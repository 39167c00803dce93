"""Settling a visit (2207/2304) and quoting it (2206/2303): the calculator, the second tier,
the personal account, the accumulators — under the person's row lock, in one transaction.

The order inside the transaction is fixed, so two settlements for one person always take
their turns and never deadlock: lock the person, then the visit; read the accumulators;
settle; write the settlement row, the account posting, the accumulators and the visit.
A quote runs the same computation and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Person
from enrollment.services.diseases import disease_registration_in_force
from pooling.benefits.calculator import settle
from pooling.benefits.catalogue.selectors import catalogue_in_force
from pooling.benefits.rules import rules_for
from pooling.benefits.types import CareType, CatalogueEntry, Claim, ClaimLine
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import unrestricted
from pooling.policy.document import policy_in_force
from settlement.hsa.codes import Meaning, meaning
from settlement.models import FeeDetail, Settlement, Visit, VisitStatus
from settlement.partitioning import month_key
from settlement.services import account
from settlement.services.accumulators import accumulator_for, accumulators_add, ytd_of
from settlement.services.eligibility import Insured, check_insured, check_not_future, check_provider
from settlement.services.tiers import apply_second_tier
from settlement.services.visits import lock_visit

NOTHING_TO_SETTLE = _("就诊 %(mdtrt_id)s 没有可结算的费用明细（请先上传费用明细）")
TOTAL_MISMATCH = _("医疗费总额 medfee_sumamt=%(given)s 元与已上传费用明细合计 %(total)s 元不符")
NOT_DISCHARGED = _("住院就诊 %(mdtrt_id)s 尚未办理出院（2402），不能结算")
ALREADY_SETTLED = _("就诊 %(mdtrt_id)s 已结算（结算ID %(setl_id)s），如需重新结算请先撤销")
VISIT_STATE = _("就诊 %(mdtrt_id)s 当前状态为“%(status)s”，不能结算")
NOT_REGISTERED = _("参保人未办理门诊慢特病「%(disease)s」待遇认定（或认定不在有效期内），本次按普通门诊结算")
NOT_ON_LIST = _("诊断 %(code)s 不在门诊慢特病病种目录内，本次按普通门诊结算")
EMPLOYEE_ONLY_ACCOUNT = _("居民医保没有个人账户，acct_used_flag 已忽略")

DELIVERY_KINDS = {"1": "vaginal_delivery", "2": "caesarean"}


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


@dataclass
class Computed:
    row: Settlement  # unsaved; amounts filled in
    fees: list[FeeDetail]
    insured: Insured
    notes: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)


def settlement_quote(*, data: SettleInput) -> Computed:
    """Pre-settlement (2206/2303): the same computation as a settlement; nothing is written."""
    with transaction.atomic():
        computed = _compute(data, lock=False)
        transaction.set_rollback(True)
    return computed


@transaction.atomic
def settlement_settle(*, data: SettleInput, by: Any = None) -> Settlement:
    """Settle a visit's uploaded fees: store the settlement and move accumulators and account, once."""
    computed = _compute(data, lock=True)
    row = computed.row
    row.created_by = by if getattr(by, "pk", None) else None
    row.save()
    with unrestricted():
        if row.acct_pay:
            account.pay(person=computed.insured.person, amount_fen=row.acct_pay, month=row.month,
                        key=f"setl:{row.setl_id}", memo=f"结算 {row.setl_id}", by=row.created_by)
        accumulators_add(row=row, sign=1)
    FeeDetail.objects.filter(month=row.visit_month, visit_id=row.visit_id,
                             pk__in=[f.pk for f in computed.fees]).update(settlement_id=row.pk)
    Visit.objects.filter(month=row.visit_month, pk=row.visit_id).update(status=VisitStatus.SETTLED)
    return row


def lock_person(person_id: int) -> Person:
    """The person's row lock: every change to a person's benefits takes it first."""
    with unrestricted():
        return Person.objects.select_for_update().get(pk=person_id)


def _compute(data: SettleInput, *, lock: bool) -> Computed:
    visit = data.visit
    person = lock_person(visit.person_id) if lock else _person(visit.person_id)
    visit = lock_visit(month=visit.month, pk=visit.pk) if lock else visit
    _check_visit(visit)
    fees = list(FeeDetail.objects.filter(month=visit.month, visit_id=visit.pk, cancelled=False,
                                         settlement_id__isnull=True).order_by("id"))
    if data.chrg_bchno:
        fees = [f for f in fees if f.chrg_bchno == data.chrg_bchno] or fees
    if not fees:
        raise BusinessRuleError(NOTHING_TO_SETTLE, code="no_fees", field="mdtrt_id",
                                params={"mdtrt_id": visit.mdtrt_id})
    total = sum(f.amount_fen for f in fees)
    if data.medfee_sumamt_fen is not None and data.medfee_sumamt_fen != total:
        raise BusinessRuleError(TOTAL_MISMATCH, code="total_mismatch", field="medfee_sumamt", params={
            "given": _yuan(data.medfee_sumamt_fen), "total": _yuan(total)})
    service_date = _service_date(visit)
    check_not_future(service_date, field="endtime" if visit.inpatient else "begntime")
    with unrestricted():
        from providers.models import Provider

        provider = Provider.objects.get(pk=visit.provider_id)
    check_provider(provider=provider, on=service_date)
    what = meaning(insutype=visit.insutype, med_type=visit.med_type, pharmacy=provider.kind == "pharmacy")
    insured = check_insured(person=person, scheme=what.scheme, on=service_date)
    notes: list[tuple[Any, dict[str, Any]]] = []
    care_type = _care_type(what, visit, person, service_date, notes)
    policy = policy_in_force(on=service_date)
    rules = rules_for(policy)
    acc = accumulator_for(person_id=person.pk, year=service_date.year, scheme=what.scheme)
    use_account = data.acct_used and what.scheme == "employee"
    if data.acct_used and not use_account:
        notes.append((EMPLOYEE_ONLY_ACCOUNT, {}))
    balance = account.balance(person=person) if use_account else 0
    claim = Claim(scheme=what.scheme, hospital_level=provider.level or "community", care_type=care_type,
                  service_date=service_date, lines=tuple(_claim_line(f) for f in fees),
                  diagnosis=visit.main_diag_code, use_personal_account=False,  # the account pays after the second tier
                  maternity_kind=_maternity_kind(visit, data.delivery))
    from pooling.benefits.types import PersonContext

    result = settle(rules=rules, catalogue=_lookup(fees), person=PersonContext(
        category=insured.category, ytd=ytd_of(acc), account_balance_fen=balance), claim=claim)
    version = catalogue_in_force(on=service_date)
    row = _row(data, visit, person, what, care_type, service_date, policy.code,
               version.code if version else "", result)
    apply_second_tier(row=row, result=result, rules=rules, policy=policy, acc=acc, balance_fen=balance,
                      use_account=use_account, notes=notes)
    return Computed(row=row, fees=fees, insured=insured, notes=notes)


def _person(person_id: int) -> Person:
    with unrestricted():
        return Person.objects.get(pk=person_id)


def _check_visit(visit: Visit) -> None:
    if visit.status == VisitStatus.SETTLED:
        last = Settlement.objects.filter(visit_id=visit.pk, kind="settle").order_by("-id").first()
        raise BusinessRuleError(ALREADY_SETTLED, code="already_settled", field="mdtrt_id", params={
            "mdtrt_id": visit.mdtrt_id, "setl_id": last.setl_id if last else "—"})
    if visit.inpatient and visit.status != VisitStatus.DISCHARGED:
        raise BusinessRuleError(NOT_DISCHARGED, code="not_discharged", field="mdtrt_id",
                                params={"mdtrt_id": visit.mdtrt_id})
    if not visit.inpatient and visit.status != VisitStatus.OPEN:
        raise BusinessRuleError(VISIT_STATE, code="visit_state", field="mdtrt_id", params={
            "mdtrt_id": visit.mdtrt_id, "status": visit.get_status_display()})


def _service_date(visit: Visit) -> date:
    """Outpatient: the day of the visit; inpatient: the day of discharge (its policy decides)."""
    moment = visit.endtime if visit.inpatient and visit.endtime else visit.begntime
    return timezone.localtime(moment).date()


def _care_type(what: Meaning, visit: Visit, person: Person, on: date,
               notes: list[tuple[Any, dict[str, Any]]]) -> str:
    """门慢/门特 only for a person registered for that disease; anyone else is ordinary outpatient care."""
    if what.care_type != CareType.CHRONIC:
        return what.care_type
    rules = rules_for(policy_in_force(on=on))
    disease = rules.disease(what.scheme, visit.main_diag_code)
    if disease is None:
        notes.append((NOT_ON_LIST, {"code": visit.main_diag_code or "—"}))
        return CareType.OUTPATIENT
    with unrestricted():
        registered = disease_registration_in_force(person_id=person.pk, disease_code=disease.code, on=on)
    if registered is None:
        notes.append((NOT_REGISTERED, {"disease": disease.name}))
        return CareType.OUTPATIENT
    return CareType.CHRONIC


def _maternity_kind(visit: Visit, delivery: str) -> str:
    if visit.med_type == "51":
        return "prenatal_checks"
    if visit.med_type == "52":
        return DELIVERY_KINDS.get(delivery, "vaginal_delivery")
    return ""


def _claim_line(fee: FeeDetail) -> ClaimLine:
    quantity = fee.quantity if fee.quantity != fee.quantity.to_integral_value() else int(fee.quantity)
    return ClaimLine(code=fee.code, quantity=quantity, unit_price_fen=fee.price_fen, name=fee.name)


def _lookup(fees: list[FeeDetail]) -> dict[str, CatalogueEntry]:
    """Each line's class as it was classified at upload (by the catalogue in force on its date);
    where one code was classified twice during a stay, the later date's class is used."""
    entries: dict[str, CatalogueEntry] = {}
    for fee in sorted(fees, key=lambda f: f.occurred_at):
        if fee.in_catalogue:
            rate = None if fee.self_pay_pct is None else fee.self_pay_pct / 100
            entries[fee.code] = CatalogueEntry(code=fee.code, name=fee.name, cls=fee.cls, self_pay_rate=rate)
    return entries


def _row(data: SettleInput, visit: Visit, person: Person, what: Meaning, care_type: str, service_date: date,
         policy_code: str, catalogue_code: str, result: Any) -> Settlement:
    when = data.when or timezone.now()
    scope = result.basis.scope
    return Settlement(
        month=month_key(timezone.localtime(when).date()), visit_id=visit.pk, visit_month=visit.month,
        provider_id=visit.provider_id, person_id=person.pk, insured_county_id=visit.insured_county_id,
        handling_unit_id=visit.handling_unit_id, insutype=visit.insutype, med_type=visit.med_type,
        clr_type=what.clr_type, scheme=what.scheme, fund_book=what.fund_book, scope=scope,
        year=service_date.year, service_date=service_date, setl_time=when, policy_code=policy_code,
        catalogue_code=catalogue_code, medfee_sumamt=result.total_fen, fulamt_ownpay_amt=result.excluded_fen,
        preselfpay_amt=result.class_b_self_pay_fen, inscp_scp_amt=result.in_scope_fen,
        act_pay_dedc=result.deductible_fen, hifp_pay=result.fund_fen, pool_prop_selfpay=result.ratio,
        over_cap_fen=result.over_cap_fen, copay_fen=result.copay_fen,
        admission=1 if care_type == CareType.INPATIENT else 0, msgid=data.msgid, chrg_bchno=data.chrg_bchno,
        invono=data.invono, operator=data.operator, channel=data.channel,
        detail={"care_type": care_type, "lines": [_line_json(x) for x in result.lines]})


def _line_json(line: Any) -> dict[str, Any]:
    return {"code": line.code, "name": line.name, "cls": line.cls, "qty": str(line.quantity),
            "price": line.unit_price_fen, "amount": line.amount_fen, "excluded": line.excluded_fen,
            "class_b": line.class_b_self_pay_fen, "in_scope": line.in_scope_fen}


def _yuan(fen: int) -> str:
    from pooling.kernel.money import fen_to_yuan

    return str(fen_to_yuan(fen))

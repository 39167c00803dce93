"""零星报销: care paid in cash — out of the city with or without a registered referral, an
emergency, or a local visit that could not be settled online — reimbursed to the person.

A clerk enters the invoices' items; the same calculator decides, with the out-of-city
ratio reduction (smaller when a referral was registered or it was an emergency); a
second clerk approves, which stores a settlement (channel "manual", no provider) under
the person's row lock, so the accumulators count it like any other. The fund's share
becomes payable to the person; the decision is printable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Person
from enrollment.selectors import referral_in_force
from pooling.benefits.catalogue.selectors import catalogue_lookup
from pooling.benefits.types import ClaimLine
from pooling.kernel.choices import HospitalLevel
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import round_fen
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.kernel.scoping import unrestricted
from settlement.hsa.codes import INPATIENT_MED_TYPES, INSUTYPES, MED_TYPES, meaning
from settlement.models import ClaimStatus, Reimbursement, ReimbursementKind, Settlement
from settlement.partitioning import month_key
from settlement.services.eligibility import check_insured, check_maternity, check_not_future
from settlement.services.engine import Case, calculate, lock_person, store

NO_ITEMS = _("请至少录入一项费用")
BAD_ITEM = _("第 %(row)s 项：金额 %(amount)s 元不等于数量 × 单价（%(expected)s 元）")
NEGATIVE_ITEM = _("第 %(row)s 项：数量必须大于 0，单价不能为负数")
BAD_CODE = _("%(field)s 取值不正确：%(value)s")
END_BEFORE_BEGIN = _("出院日期不能早于入院日期")
END_REQUIRED = _("住院须填写出院日期")
BAD_AREA = _("就医地行政区划代码应为 6 位数字")
NOT_ENTERED = _("该报销已%(status)s，不能再审核")
SAME_PERSON = _("审核须由受理人以外的经办人员办理")
ITEM_DATE = _("第 %(row)s 项：费用日期 %(on)s 不在就诊期间（%(begin)s 至 %(end)s）内")
LEVELS = tuple(HospitalLevel.values)


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    quantity: Decimal
    price_fen: int
    amount_fen: int
    # The day the item was given (optional): a stay crossing a catalogue version classifies each
    # item by the catalogue of its own day, as a settled fee line; blank, by the service date.
    on: date | None = None


@transaction.atomic
def reimbursement_enter(
    *,
    person: Person,
    kind: str,
    insutype: str,
    med_type: str,
    hospital_name: str,
    hospital_level: str,
    begin_on: date,
    items: list[Item],
    actor: Actor,
    end_on: date | None = None,
    hospital_area_code: str = "",
    diagnosis: str = "",
    invoice_nos: str = "",
) -> Reimbursement:
    """Take a claim: the items are checked now, the benefit decided at approval."""
    require(actor, "reimbursement.enter", county=person.county_id)
    for field_name, value, allowed in (
        ("kind", kind, ReimbursementKind.values),
        ("insutype", insutype, INSUTYPES),
        ("med_type", med_type, MED_TYPES),
        ("hospital_level", hospital_level, LEVELS),
    ):
        if value not in allowed:
            raise BusinessRuleError(
                BAD_CODE,
                code="bad_value",
                field=field_name,
                params={"field": field_name, "value": value},
            )
    if hospital_area_code and not (len(hospital_area_code) == 6 and hospital_area_code.isdigit()):
        raise BusinessRuleError(BAD_AREA, code="area", field="hospital_area_code")
    inpatient = med_type in INPATIENT_MED_TYPES
    if inpatient and end_on is None:
        raise BusinessRuleError(END_REQUIRED, code="end_required", field="end_on")
    if end_on is not None and end_on < begin_on:
        raise BusinessRuleError(END_BEFORE_BEGIN, code="end_before_begin", field="end_on")
    service_date = end_on if inpatient and end_on else begin_on
    check_not_future(service_date, field="end_on" if inpatient else "begin_on")
    _check_items(items, begin_on=begin_on, end_on=end_on or begin_on)
    person = lock_person(person.pk)
    # The national interface's maternity rules (eligibility.check_maternity), at entry and again
    # at approval: a claim is a settlement too, whatever the channel.
    check_maternity(person=person, insutype=insutype, med_type=med_type)
    check_insured(
        person=person,
        scheme=meaning(insutype=insutype, med_type=med_type, pharmacy=False).scheme,
        on=service_date,
    )
    claim = Reimbursement(
        county_id=person.county_id,
        person=person,
        kind=kind,
        insutype=insutype,
        med_type=med_type,
        hospital_name=hospital_name.strip()[:100],
        hospital_level=hospital_level,
        hospital_area_code=hospital_area_code,
        begin_on=begin_on,
        end_on=end_on,
        diagnosis=diagnosis.strip()[:100],
        invoice_nos=invoice_nos.strip()[:200],
        items=[_item_json(i) for i in items],
        total_fen=sum(i.amount_fen for i in items),
        entered_by=staff_user(actor),
    )
    claim.save()
    return claim


def _check_items(items: list[Item], *, begin_on: date, end_on: date) -> None:
    if not items:
        raise BusinessRuleError(NO_ITEMS, code="no_items", field="items")
    for row, item in enumerate(items, start=1):
        if item.quantity <= 0 or item.price_fen < 0:
            raise BusinessRuleError(NEGATIVE_ITEM, code="item", field="items", params={"row": row})
        expected = round_fen(item.quantity * item.price_fen)
        if item.amount_fen != expected:
            from pooling.kernel.money import fen_to_yuan

            raise BusinessRuleError(
                BAD_ITEM,
                code="item_amount",
                field="items",
                params={
                    "row": row,
                    "amount": fen_to_yuan(item.amount_fen),
                    "expected": fen_to_yuan(expected),
                },
            )
        if item.on is not None and not begin_on <= item.on <= end_on:
            raise BusinessRuleError(
                ITEM_DATE,
                code="item_date",
                field="items",
                params={
                    "row": row,
                    "on": item.on.isoformat(),
                    "begin": begin_on.isoformat(),
                    "end": end_on.isoformat(),
                },
            )


def _item_json(item: Item) -> dict[str, Any]:
    found = {
        "code": item.code.strip().upper(),
        "name": item.name.strip(),
        "qty": str(item.quantity),
        "price": item.price_fen,
        "amount": item.amount_fen,
    }
    if item.on is not None:
        found["on"] = item.on.isoformat()
    return found


def reimbursement_quote(*, claim: Reimbursement) -> Settlement:
    """What the decision would be, today, without storing anything."""
    with transaction.atomic():
        row = calculate(_case(claim, lock=False))
        transaction.set_rollback(True)
    return row


@transaction.atomic
def reimbursement_decide(
    *, claim: Reimbursement, approve: bool, note: str, actor: Actor
) -> Reimbursement:
    """Approve (a settlement is stored and the fund's share becomes payable) or refuse, once."""
    require(actor, "reimbursement.approve", county=claim.county_id)
    claim = Reimbursement.objects.select_for_update().get(pk=claim.pk)
    if claim.status != ClaimStatus.ENTERED:
        raise BusinessRuleError(
            NOT_ENTERED, code="not_entered", params={"status": claim.get_status_display()}
        )
    if claim.entered_by_id == getattr(actor, "pk", None):
        raise BusinessRuleError(SAME_PERSON, code="same_person")
    claim.decided_at, claim.decided_by, claim.note = (
        timezone.now(),
        staff_user(actor),
        note.strip()[:200],
    )
    if approve:
        case = _case(claim, lock=True)
        row = store(calculate(case), case.person, actor=actor, acc=case.acc)
        claim.status, claim.settlement_id, claim.settlement_month = (
            ClaimStatus.DECIDED,
            row.pk,
            row.month,
        )
        claim.payable_fen = row.hifp_pay + row.hifmi_pay + row.hifob_pay
    else:
        claim.status = ClaimStatus.REJECTED
    claim.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "note",
            "settlement_id",
            "settlement_month",
            "payable_fen",
        ]
    )
    return claim


def _case(claim: Reimbursement, *, lock: bool) -> Case:
    person = lock_person(claim.person_id) if lock else claim.person
    inpatient = claim.med_type in INPATIENT_MED_TYPES
    service_date = claim.end_on if inpatient and claim.end_on else claim.begin_on
    what = meaning(insutype=claim.insutype, med_type=claim.med_type, pharmacy=False)
    check_maternity(person=person, insutype=claim.insutype, med_type=claim.med_type)
    insured = check_insured(person=person, scheme=what.scheme, on=service_date)
    out_of_city, registered = _out_of_city(claim, person, service_date)
    lines = _lines(claim, service_date)
    now = timezone.now()
    row = Settlement(
        month=month_key(timezone.localtime(now).date()),
        setl_time=now,
        channel="manual",
        provider_id=None,
        insured_county_id=person.county_id,
        handling_unit_id=claim.county_id,
        insutype=claim.insutype,
        med_type=claim.med_type,
        operator="",
        detail={"reimbursement": claim.pk, "hospital": claim.hospital_name, "kind": claim.kind},
    )
    return Case(
        insured=insured,
        what=what,
        care_type=what.care_type,
        service_date=service_date,
        hospital_level=claim.hospital_level,
        lines=lines,
        lookup={},  # every line carries its own class (_lines)
        row=row,
        diagnosis=claim.diagnosis,
        out_of_city=out_of_city,
        referral_registered=registered,
        maternity_kind="prenatal_checks"
        if claim.med_type == "51"
        else ("vaginal_delivery" if claim.med_type == "52" else ""),
    )


def _lines(claim: Reimbursement, service_date: date) -> tuple[ClaimLine, ...]:
    """Each item classified by the catalogue in force on its own day (the service date when the
    item has none): one lookup per distinct day."""
    days = [date.fromisoformat(i["on"]) if i.get("on") else service_date for i in claim.items]
    entries = {}
    with unrestricted():
        for day in set(days):
            codes = [i["code"] for i, d in zip(claim.items, days, strict=True) if d == day]
            for code, entry in catalogue_lookup(on=day, codes=codes).items():
                entries[(day, code)] = entry
    return tuple(
        ClaimLine(
            code=i["code"],
            quantity=_qty(i["qty"]),
            unit_price_fen=int(i["price"]),
            name=i["name"],
            entry=entries.get((day, i["code"])),
            classified=True,
        )
        for i, day in zip(claim.items, days, strict=True)
    )


def _out_of_city(claim: Reimbursement, person: Person, on: date) -> tuple[bool, bool]:
    """Out of the city, and whether the lower reduction applies (a registered referral, an emergency)."""
    if claim.kind == ReimbursementKind.LOCAL_UNSETTLED:
        return False, False
    if claim.kind == ReimbursementKind.EMERGENCY:
        inside = (
            claim.hospital_area_code[:4] == settings.POOLING_AREA_CODE[:4]
            or not claim.hospital_area_code
        )
        return (not inside), True
    with unrestricted():
        registered = referral_in_force(person=person, on=on) is not None
    return True, registered


def _qty(text: str) -> Decimal | int:
    q = Decimal(text)
    return int(q) if q == q.to_integral_value() else q

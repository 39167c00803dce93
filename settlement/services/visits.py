"""Visits and their fee details: open (2201/2401), describe (2203), discharge (2402), cancel
(2202/2404/2405), upload and cancel fee lines (2204/2205, 2301/2302).

A visit is opened only for a person insured in the named scheme at a provider in
performance on that day; every step after the first checks the visit's state under a
row lock on the visit, so two messages about one visit take turns.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Person
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import round_fen
from pooling.kernel.scoping import unrestricted
from providers.models import Provider
from settlement.hsa.codes import INPATIENT_MED_TYPES, meaning
from settlement.models import FeeDetail, Visit, VisitStatus
from settlement.partitioning import month_key
from settlement.services import fees_sql, memo, txn
from settlement.services.eligibility import (
    check_insured,
    check_maternity,
    check_not_future,
    check_provider,
)
from settlement.services.visit_row import insert_visit

WRONG_STATE = _("就诊 %(mdtrt_id)s 当前状态为“%(status)s”，不能%(action)s")
NOT_INPATIENT = _("就诊 %(mdtrt_id)s 不是住院，不能%(action)s")
INPATIENT_ONLY = _("住院请使用入院登记（2401），门诊请使用挂号（2201）")
FEES_EXIST = _("就诊 %(mdtrt_id)s 还有未撤销的费用明细，请先撤销费用明细")
SETTLED_FEES = _("费用明细 %(sn)s 已结算，请先撤销结算")
DUPLICATE_SN = _("费用明细流水号 %(sn)s 已上传过")
DUPLICATE_SN_IN_MESSAGE = _("本次上传中费用明细流水号 %(sn)s 出现了两次")
BAD_AMOUNT = _(
    "费用明细 %(sn)s：金额 det_item_fee_sumamt %(amount)s 元不等于数量 cnt %(qty)s × 单价 pric %(price)s 元（应为 %(expected)s 元）"
)
BEFORE_VISIT = _("费用明细 %(sn)s 的发生时间早于就诊开始时间")
NO_LINES = _("费用明细不能为空")
TOO_MANY_LINES = _("一次最多上传 %(max)s 条费用明细")
UNKNOWN_SN = _("就诊 %(mdtrt_id)s 没有流水号为 %(sn)s 的未结算费用明细")
DISCHARGE_BEFORE = _("出院时间不能早于入院时间")

MAX_LINES = 2000


@dataclass(frozen=True)
class VisitInfo:
    ipt_otp_no: str = ""
    dept_name: str = ""
    atddr_name: str = ""
    main_diag_code: str = ""
    main_diag_name: str = ""
    diagnoses: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class FeeLine:
    feedetl_sn: str
    code: str
    quantity: Decimal
    price_fen: int
    amount_fen: int
    occurred_at: datetime
    name: str = ""
    medins_code: str = ""
    chrg_bchno: str = ""


def lock_visit(*, month: Any, pk: int) -> Visit:
    """The visit, locked for this transaction (raises Visit.DoesNotExist when not visible to the caller)."""
    return Visit.objects.select_for_update().get(month=month, pk=pk)


def _state_error(visit: Visit, action: str) -> BusinessRuleError:
    return BusinessRuleError(
        WRONG_STATE,
        code="visit_state",
        field="mdtrt_id",
        params={"mdtrt_id": visit.mdtrt_id, "status": visit.get_status_display(), "action": action},
    )


@txn.atomic
def visit_open(
    *,
    provider: Provider,
    person: Person,
    insutype: str,
    med_type: str,
    begntime: datetime,
    msgid: str,
    info: VisitInfo,
) -> Visit:
    """Register an outpatient visit (2201) or an admission (2401)."""
    on = timezone.localtime(begntime).date()
    check_not_future(on, field="begntime")
    check_provider(provider=provider, on=on)
    check_maternity(person=person, insutype=insutype, med_type=med_type)
    what = meaning(insutype=insutype, med_type=med_type, pharmacy=provider.kind == "pharmacy")
    check_insured(person=person, scheme=what.scheme, on=on)
    inpatient = med_type in INPATIENT_MED_TYPES
    visit = Visit(
        month=month_key(on),
        provider=provider,
        person=person,
        insured_county_id=person.county_id,
        handling_unit_id=provider.handling_region_id,
        insutype=insutype,
        med_type=med_type,
        inpatient=inpatient,
        begntime=begntime,
        opened_msgid=msgid,
        status=VisitStatus.ADMITTED if inpatient else VisitStatus.OPEN,
        **_info(info),
    )
    insert_visit(visit)  # `visit.save()`, its INSERT written once per process
    return visit


def _info(info: VisitInfo) -> dict[str, Any]:
    return {
        "ipt_otp_no": info.ipt_otp_no,
        "dept_name": info.dept_name,
        "atddr_name": info.atddr_name,
        "main_diag_code": info.main_diag_code.upper(),
        "main_diag_name": info.main_diag_name,
        "diagnoses": list(info.diagnoses),
    }


@transaction.atomic
def visit_describe(*, visit: Visit, info: VisitInfo, med_type: str | None = None) -> Visit:
    """Diagnoses and visit details (2203), before settlement."""
    visit = lock_visit(month=visit.month, pk=visit.pk)
    if visit.status not in (VisitStatus.OPEN, VisitStatus.ADMITTED, VisitStatus.DISCHARGED):
        raise _state_error(visit, "修改就诊信息")
    for name, value in _info(info).items():
        if value:
            setattr(visit, name, value)
    if med_type and (med_type in INPATIENT_MED_TYPES) == visit.inpatient:
        visit.med_type = med_type
    visit.save(update_fields=[*_info(info), "med_type"])
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit) -> Visit:
    """Cancel a registration (2202) or an admission (2404); its fee lines must be cancelled first."""
    visit = lock_visit(month=visit.month, pk=visit.pk)
    if visit.status not in (VisitStatus.OPEN, VisitStatus.ADMITTED):
        raise _state_error(visit, "撤销登记")
    if FeeDetail.objects.filter(month=visit.month, visit_id=visit.pk, cancelled=False).exists():
        raise BusinessRuleError(
            FEES_EXIST, code="fees_exist", field="mdtrt_id", params={"mdtrt_id": visit.mdtrt_id}
        )
    visit.status = VisitStatus.CANCELLED
    visit.save(update_fields=["status"])
    return visit


@transaction.atomic
def visit_discharge(*, visit: Visit, endtime: datetime, info: VisitInfo) -> Visit:
    """Discharge (2402): the discharge date decides the policy the stay is settled under."""
    visit = lock_visit(month=visit.month, pk=visit.pk)
    if not visit.inpatient:
        raise BusinessRuleError(
            NOT_INPATIENT,
            code="not_inpatient",
            field="mdtrt_id",
            params={"mdtrt_id": visit.mdtrt_id, "action": "办理出院"},
        )
    if visit.status != VisitStatus.ADMITTED:
        raise _state_error(visit, "办理出院")
    check_not_future(timezone.localtime(endtime).date(), field="endtime")
    if endtime < visit.begntime:
        raise BusinessRuleError(DISCHARGE_BEFORE, code="discharge_before", field="endtime")
    for name, value in _info(info).items():
        if value:
            setattr(visit, name, value)
    visit.endtime, visit.status = endtime, VisitStatus.DISCHARGED
    visit.save(update_fields=[*_info(info), "endtime", "status"])
    return visit


@transaction.atomic
def visit_discharge_cancel(*, visit: Visit) -> Visit:
    """Cancel a discharge (2405), before settlement: the stay is open again."""
    visit = lock_visit(month=visit.month, pk=visit.pk)
    if visit.status != VisitStatus.DISCHARGED:
        raise _state_error(visit, "撤销出院")
    visit.endtime, visit.status = None, VisitStatus.ADMITTED
    visit.save(update_fields=["endtime", "status"])
    return visit


@txn.atomic
def fees_add(*, visit: Visit, lines: list[FeeLine], locked: bool = False) -> list[FeeDetail]:
    """Upload fee lines (2204/2301), each classified by the catalogue in force on its own date.
    `locked`: the caller read `visit` under its row lock in the enclosing transaction."""
    if not locked:
        visit = lock_visit(month=visit.month, pk=visit.pk)
    if visit.status not in (VisitStatus.OPEN, VisitStatus.ADMITTED, VisitStatus.DISCHARGED):
        raise _state_error(visit, "上传费用明细")
    if not lines:
        raise BusinessRuleError(NO_LINES, code="no_lines", field="feedetail")
    if len(lines) > MAX_LINES:
        raise BusinessRuleError(
            TOO_MANY_LINES, code="too_many_lines", field="feedetail", params={"max": MAX_LINES}
        )
    # Each line's local date, once: the checks, the catalogue and the row all need it.
    days = [timezone.localtime(line.occurred_at).date() for line in lines]
    _check_lines(visit, lines, days)
    classes = _classify(lines, days)
    rows = []
    for line, day in zip(lines, days, strict=True):
        entry = classes.get((day, line.code.upper()))
        rows.append(
            FeeDetail(
                month=visit.month,
                visit_id=visit.pk,
                provider_id=visit.provider_id,
                insured_county_id=visit.insured_county_id,
                handling_unit_id=visit.handling_unit_id,
                feedetl_sn=line.feedetl_sn,
                chrg_bchno=line.chrg_bchno,
                code=line.code.upper(),
                medins_code=line.medins_code,
                name=(entry.name if entry else "") or line.name,
                quantity=line.quantity,
                price_fen=line.price_fen,
                amount_fen=line.amount_fen,
                occurred_at=line.occurred_at,
                cls=entry.cls if entry else "C",
                in_catalogue=entry is not None,
                self_pay_pct=None
                if entry is None or entry.self_pay_rate is None
                else entry.self_pay_rate * 100,
            )
        )
    taken = fees_sql.insert(rows)  # with the check against the visit's stored serials
    if taken is not None:
        raise BusinessRuleError(
            DUPLICATE_SN, code="duplicate_sn", field="feedetl_sn", params={"sn": taken}
        )
    return rows


def _check_lines(visit: Visit, lines: list[FeeLine], days: list[date]) -> None:
    """Each line on its own and its serial once in the message; a serial the visit has already is
    found by the insert (fees_sql.insert), which writes nothing then. `days`: each line's local date."""
    seen: set[str] = set()
    visit_day = timezone.localtime(visit.begntime).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    today = timezone.localdate()
    for line, day in zip(lines, days, strict=True):
        if line.feedetl_sn in seen:
            raise BusinessRuleError(
                DUPLICATE_SN_IN_MESSAGE,
                code="duplicate_sn",
                field="feedetl_sn",
                params={"sn": line.feedetl_sn},
            )
        seen.add(line.feedetl_sn)
        expected = round_fen(line.quantity * line.price_fen)
        if line.amount_fen != expected:
            raise BusinessRuleError(
                BAD_AMOUNT,
                code="line_amount",
                field="det_item_fee_sumamt",
                params={
                    "sn": line.feedetl_sn,
                    "amount": _yuan(line.amount_fen),
                    "qty": line.quantity,
                    "price": _yuan(line.price_fen),
                    "expected": _yuan(expected),
                },
            )
        if line.occurred_at < visit_day:
            raise BusinessRuleError(
                BEFORE_VISIT,
                code="before_visit",
                field="fee_ocur_time",
                params={"sn": line.feedetl_sn},
            )
        if day > today:
            check_not_future(day, field="fee_ocur_time")  # its refusal, in its words


def _yuan(fen: int) -> str:
    from pooling.kernel.money import fen_to_yuan

    return str(fen_to_yuan(fen))


def _classify(lines: list[FeeLine], days: list[date]) -> dict[tuple[Any, str], Any]:
    """The catalogue entry of each (date, code): at most one query per distinct date (a stay spans
    a few), for the codes the memo does not hold (memo.catalogue_entries)."""
    by_day: dict[Any, set[str]] = defaultdict(set)
    for line, day in zip(lines, days, strict=True):
        by_day[day].add(line.code.upper())
    found = {}
    with unrestricted():
        for day, codes in by_day.items():
            for code, entry in memo.catalogue_entries(on=day, codes=codes).items():
                found[(day, code)] = entry
    return found


@transaction.atomic
def fees_cancel(*, visit: Visit, feedetl_sn: str = "", chrg_bchno: str = "") -> int:
    """Cancel unsettled fee lines (2205/2302): one by its serial number, a charge batch, or all
    ("" or "0000")."""
    visit = lock_visit(month=visit.month, pk=visit.pk)
    rows = FeeDetail.objects.filter(month=visit.month, visit_id=visit.pk, cancelled=False)
    if chrg_bchno:
        rows = rows.filter(chrg_bchno=chrg_bchno)
    if feedetl_sn and feedetl_sn != "0000":
        rows = rows.filter(feedetl_sn=feedetl_sn)
    settled = rows.filter(settlement_id__isnull=False).values_list("feedetl_sn", flat=True).first()
    if settled is not None:
        raise BusinessRuleError(
            SETTLED_FEES, code="settled_fees", field="feedetl_sn", params={"sn": settled}
        )
    count = rows.update(cancelled=True)
    if not count and feedetl_sn and feedetl_sn != "0000":
        raise BusinessRuleError(
            UNKNOWN_SN,
            code="unknown_sn",
            field="feedetl_sn",
            params={"mdtrt_id": visit.mdtrt_id, "sn": feedetl_sn},
        )
    return count

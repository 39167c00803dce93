"""What outpatient and inpatient transactions share: reading fee lines, diagnoses, settle input,
and answering with setlinfo."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.kernel.permissions import HSA_GATEWAY
from pooling.kernel.scoping import unrestricted
from settlement.hsa import fields
from settlement.hsa.codes import INPATIENT_MED_TYPES, INSUTYPES, MATN_TYPES, MED_TYPES
from settlement.hsa.dispatch import Context
from settlement.hsa.errors import HsaError
from settlement.hsa.people import check_same_person
from settlement.hsa.shapes import NO_VISIT, fee_result, setldetail, setlinfo, visit_from
from settlement.models import Settlement, Visit
from settlement.partitioning import BAD_ID, parse_external_id
from settlement.services import fees_sql, memo
from settlement.services.settle import SettleInput, settlement_quote, settlement_settle
from settlement.services.visits import FeeLine, VisitInfo, fees_add

MAX_DIAGNOSES = 50
MIXED_VISITS = _("一次上传的费用明细须属于同一就诊（第 %(row)s 条的 mdtrt_id 为 %(value)s）")
LINE = _("第 %(row)s 条费用明细：%(detail)s")
WRONG_KIND = _("就诊 %(mdtrt_id)s 是%(kind)s，请使用%(use)s交易")
SETTLEMENT_KIND = _("结算 setl_id=%(setl_id)s 是%(kind)s结算，请使用%(use)s交易")
MID_SETTLEMENT = _("暂不支持中途结算（mid_setl_flag=1），请出院后结算")
MED_TYPE_MISMATCH = _(
    "医疗类别 med_type=%(value)s 与该就诊登记的医疗类别 %(visit)s 不一致，不能按另一类别结算"
)


def insutype(data: dict[str, Any]) -> str:
    return fields.choice(data, "insutype", INSUTYPES)


def med_type(data: dict[str, Any], *, required: bool = True) -> str:
    return fields.choice(data, "med_type", MED_TYPES, required=required)


def diagnoses(ctx: Context) -> tuple[dict[str, str], ...]:
    rows = fields.rows(ctx.input, "diseinfo", required=False)
    if (
        len(rows) > MAX_DIAGNOSES
    ):  # refused, not cut: a diagnosis dropped silently is a wrong record
        raise fields.bad("diseinfo", f"对象数组，最多 {MAX_DIAGNOSES} 条", len(rows))
    out = []
    for row in rows:
        out.append(
            {
                "diag_type": fields.text(row, "diag_type", required=False, max_len=3),
                "diag_code": fields.text(row, "diag_code", required=False, max_len=30),
                "diag_name": fields.text(row, "diag_name", required=False, max_len=100),
                "maindiag_flag": fields.text(row, "maindiag_flag", required=False, max_len=1),
            }
        )
    return tuple(out)


def visit_info(data: dict[str, Any], ctx: Context) -> VisitInfo:
    return VisitInfo(
        ipt_otp_no=fields.text(data, "ipt_otp_no", required=False, max_len=30)
        or fields.text(data, "ipt_no", required=False, max_len=30),
        dept_name=fields.text(data, "dept_name", required=False, max_len=50)
        or fields.text(data, "adm_dept_name", required=False, max_len=50),
        atddr_name=fields.text(data, "dr_name", required=False, max_len=50)
        or fields.text(data, "chfpdr_name", required=False, max_len=50),
        main_diag_code=fields.text(data, "dise_codg", required=False, max_len=30),
        main_diag_name=fields.text(data, "dise_name", required=False, max_len=100),
        diagnoses=diagnoses(ctx),
    )


def check_kind(visit: Visit, *, inpatient: bool) -> None:
    if visit.inpatient != inpatient:
        raise HsaError(
            WRONG_KIND,
            field="mdtrt_id",
            code="wrong_kind",
            mdtrt_id=visit.mdtrt_id,
            kind="住院" if visit.inpatient else "门诊",
            use="住院（23xx/24xx）" if visit.inpatient else "门诊（22xx）",
        )


def check_settlement_kind(row: Settlement, *, inpatient: bool) -> None:
    """2208 cancels outpatient settlements, 2305 inpatient ones (as check_kind for visits)."""
    if (row.med_type in INPATIENT_MED_TYPES) != inpatient:
        raise HsaError(
            SETTLEMENT_KIND,
            field="setl_id",
            code="wrong_kind",
            setl_id=row.setl_id,
            kind="门诊" if inpatient else "住院",
            use="门诊结算撤销（2208）" if inpatient else "住院结算撤销（2305）",
        )


def upload_fees(ctx: Context, *, inpatient: bool) -> dict[str, Any]:
    """2204/2301: read the `feedetail` list, add it to its visit, answer each line's class."""
    rows = fields.rows(ctx.input, "feedetail")
    visit = _locked_visit(rows[0])
    check_kind(visit, inpatient=inpatient)
    lines = []
    for number, row in enumerate(rows, start=1):
        try:
            if fields.text(row, "mdtrt_id", max_len=30) != visit.mdtrt_id:
                raise HsaError(
                    MIXED_VISITS,
                    field="mdtrt_id",
                    code="mixed_visits",
                    row=number,
                    value=row.get("mdtrt_id"),
                )
            lines.append(_fee_line(row))
        except HsaError as exc:
            if exc.code == "mixed_visits":
                raise
            raise HsaError(
                LINE, field=exc.field, code=exc.code, row=number, detail=exc.text("zh-hans")
            ) from None
    saved = fees_add(visit=visit, lines=lines, locked=True)
    with unrestricted():
        default_b = memo.policy(
            on=timezone.localtime(visit.begntime).date()
        ).benefits.class_b_self_pay_rate
    return {
        "result": [fee_result(fee, default_b_rate=default_b) for fee in saved],
        "mdtrt_id": visit.mdtrt_id,
    }


def _locked_visit(data: dict[str, Any]) -> Visit:
    """`visit_from(data, lock=True)` read by hand (fees_sql.lock_visit: the same row, scope and
    lock, without the ORM's compiler): the provider's own visit, locked now — only the visit is
    locked here, so there is no order to keep with a person lock."""
    value = fields.text(data, "mdtrt_id", max_len=30)
    month, pk = parse_external_id(value, error=BAD_ID, field="mdtrt_id")
    visit = fees_sql.lock_visit(month=month, pk=pk)
    if visit is None:
        raise HsaError(NO_VISIT, field="mdtrt_id", code="no_visit", value=value)
    check_same_person(data, visit.person_id)
    return visit


def _fee_line(row: dict[str, Any]) -> FeeLine:
    quantity = fields.quantity(row, "cnt")
    price = fields.money_fen(row, "pric")
    occurred = fields.timestamp(row, "fee_ocur_time")
    assert occurred is not None
    return FeeLine(
        feedetl_sn=fields.text(row, "feedetl_sn", max_len=30),
        code=fields.text(row, "med_list_codg", max_len=50),
        medins_code=fields.text(row, "medins_list_codg", required=False, max_len=50),
        name=fields.text(row, "medins_list_name", required=False, max_len=200)
        or fields.text(row, "med_list_name", required=False, max_len=200),
        quantity=quantity,
        price_fen=price,
        amount_fen=fields.money_fen(row, "det_item_fee_sumamt"),
        occurred_at=occurred,
        chrg_bchno=fields.text(row, "chrg_bchno", required=False, max_len=30),
    )


def settle_input(ctx: Context, visit: Visit, *, person_locked: bool = False) -> SettleInput:
    data = ctx.data
    if fields.flag(data, "mid_setl_flag"):
        raise HsaError(MID_SETTLEMENT, field="mid_setl_flag", code="mid_settlement")
    given_insutype = fields.text(data, "insutype", required=False, max_len=3)
    if given_insutype and given_insutype != visit.insutype:
        fields.choice({"insutype": given_insutype}, "insutype", {visit.insutype: 1})
    # The visit's med_type decides how it is settled (2201/2401, changed by 2203): a settlement
    # saying another would be settled as the visit's while the provider books it as its own.
    given_med_type = fields.text(data, "med_type", required=False, max_len=10)
    if given_med_type and given_med_type != visit.med_type:
        raise HsaError(
            MED_TYPE_MISMATCH,
            field="med_type",
            code="med_type_mismatch",
            value=given_med_type,
            visit=visit.med_type,
        )
    return SettleInput(
        visit=visit,
        acct_used=fields.flag(data, "acct_used_flag"),
        medfee_sumamt_fen=fields.money_fen(data, "medfee_sumamt"),
        chrg_bchno=fields.text(data, "chrg_bchno", required=False, max_len=30),
        msgid=ctx.env.msgid,
        invono=fields.text(data, "invono", required=False, max_len=30),
        operator=ctx.env.opter_name or ctx.env.opter,
        delivery=fields.choice(data, "matn_type", MATN_TYPES, required=False),
        person_locked=person_locked,
    )


def answer_settlement(row: Settlement, person_id: int) -> dict[str, Any]:
    from settlement.hsa.people import person_by_psn_no, psn_no

    # The settling path already holds the person (row.person cached): no second read.
    person = row.person if Settlement.person.is_cached(row) else person_by_psn_no(psn_no(person_id))
    return {"setlinfo": setlinfo(row, person), "setldetail": setldetail(row)}


def quote(ctx: Context, *, inpatient: bool) -> dict[str, Any]:
    visit = visit_from(ctx.data)
    check_kind(visit, inpatient=inpatient)
    computed = settlement_quote(data=settle_input(ctx, visit))
    return answer_settlement(computed.row, visit.person_id)


def settle(ctx: Context, *, inpatient: bool) -> dict[str, Any]:
    visit = visit_from(ctx.data, lock_person=True)  # the settlement's first lock, with the read
    check_kind(visit, inpatient=inpatient)
    row = settlement_settle(data=settle_input(ctx, visit, person_locked=True), actor=HSA_GATEWAY)
    return answer_settlement(row, visit.person_id)

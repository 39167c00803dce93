"""The national shapes of what we store: setlinfo, setldetail, fee-detail results, and lookups
of a visit or settlement by the ids a provider holds (its own only: the provider scope)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Person
from pooling.kernel import sqlrows
from pooling.kernel.money import apply_rate
from settlement.hsa import fields
from settlement.hsa.codes import FUND_PAY_TYPES
from settlement.hsa.envelope import money, ratio
from settlement.hsa.errors import HsaError
from settlement.hsa.people import baseinfo, check_same_person
from settlement.models import FeeDetail, Settlement, Visit
from settlement.partitioning import BAD_ID, external_id, parse_external_id
from settlement.services import settle_sql

NO_VISIT = _("未找到就诊 mdtrt_id=%(value)s（或不属于本机构）")
NO_SETTLEMENT = _("未找到结算 setl_id=%(value)s（或不属于本机构）")
OTHER_VISIT = _("mdtrt_id=%(value)s 不是结算 setl_id=%(setl_id)s 的就诊")
CLASS_LEVELS = {"A": "01", "B": "02", "C": "03"}
_BY_KEY = '"settlement_visit"."month" = %s AND "settlement_visit"."id" = %s'


def visit_from(
    data: dict[str, Any], field: str = "mdtrt_id", *, lock: bool = False, lock_person: bool = False
) -> Visit:
    """The provider's own visit the message names; `lock`: take its row lock now (in the message's
    transaction), for a step that locks nothing else, so the service need not read it again;
    `lock_person`: read it with its person (`visit.person`) and take the person's row lock — the
    first lock of a settlement — in the same statement (the visit itself is not locked)."""
    value = fields.text(data, field, max_len=30)
    month, pk = parse_external_id(value, error=BAD_ID, field=field)
    # Hand-written reads (the ORM's compiler cost more CPU than the read itself), each with the
    # provider scope's filter added (`scope_where`): its own visits only.
    if lock_person:
        visit = settle_sql.visit_locking_person(month=month, pk=pk)
    else:
        visit = sqlrows.select_one(Visit, _BY_KEY, [month, pk], lock=lock)
    if visit is None:
        raise HsaError(NO_VISIT, field=field, code="no_visit", value=value)
    check_same_person(data, visit.person_id)
    return visit


def settlement_from(data: dict[str, Any], field: str = "setl_id") -> Settlement:
    value = fields.text(data, field, max_len=30)
    month, pk = parse_external_id(value, error=BAD_ID, field=field)
    row = Settlement.objects.filter(month=month, pk=pk).first()
    if row is None:
        raise HsaError(NO_SETTLEMENT, field=field, code="no_settlement", value=value)
    check_same_person(data, row.person_id)
    given = fields.text(data, "mdtrt_id", required=False, max_len=30)
    if (
        given
        and row.visit_month
        and row.visit_id
        and given != external_id(row.visit_month, row.visit_id)
    ):
        raise HsaError(
            OTHER_VISIT, field="mdtrt_id", code="other_visit", value=given, setl_id=value
        )
    return row


def setlinfo(row: Settlement, person: Person) -> dict[str, Any]:
    info = baseinfo(person)
    return {
        "mdtrt_id": external_id(row.visit_month, row.visit_id)
        if row.visit_id and row.visit_month
        else "",
        "setl_id": row.setl_id if row.pk else "",
        **{
            k: info[k]
            for k in (
                "psn_no",
                "psn_name",
                "psn_cert_type",
                "certno",
                "gend",
                "naty",
                "brdy",
                "age",
                "psn_type",
            )
        },
        "insutype": row.insutype,
        "med_type": row.med_type,
        "clr_type": row.clr_type,
        "clr_way": "1",
        "clr_optins": row.handling_unit_id,
        "insuplc_admdvs": row.insured_county_id,
        "setl_time": timezone.localtime(row.setl_time).strftime("%Y-%m-%d %H:%M:%S"),
        "medfee_sumamt": money(row.medfee_sumamt),
        "fulamt_ownpay_amt": money(row.fulamt_ownpay_amt),
        "overlmt_selfpay": money(row.overlmt_selfpay),
        "preselfpay_amt": money(row.preselfpay_amt),
        "inscp_scp_amt": money(row.inscp_scp_amt),
        "act_pay_dedc": money(row.act_pay_dedc),
        "hifp_pay": money(row.hifp_pay),
        "pool_prop_selfpay": ratio(row.pool_prop_selfpay),
        "cvlserv_pay": money(0),
        "hifes_pay": money(0),
        "hifmi_pay": money(row.hifmi_pay),
        "hifob_pay": money(row.hifob_pay),
        "maf_pay": money(0),
        "oth_pay": money(0),
        "fund_pay_sumamt": money(row.fund_pay_sumamt),
        "psn_part_amt": money(row.medfee_sumamt - row.hifp_pay - row.hifmi_pay - row.hifob_pay),
        "acct_pay": money(row.acct_pay),
        "psn_cash_pay": money(row.psn_cash_pay),
        "hosp_part_amt": money(0),
        "balc": money(row.balc),
        "acct_mulaid_pay": money(0),
        "medins_setl_id": row.msgid,
        "refd_setl_flag": "1" if row.kind == "reverse" else "0",
        "fund_pay_sumamt_incl_acct": "1" if settings.HSA_FUND_PAY_INCLUDES_ACCOUNT else "0",
        "setl_proc_info": row.detail.get("explanation", []),
    }


def setldetail(row: Settlement) -> list[dict[str, Any]]:
    """One row per fund that paid: the basic fund's book, then the second tier."""
    out = []
    for book, amount in (
        (row.fund_book, row.hifp_pay),
        ("resident_critical", row.hifmi_pay),
        ("employee_large", row.hifob_pay),
    ):
        if amount or book == row.fund_book:
            code, name = FUND_PAY_TYPES[book]
            out.append(
                {
                    "fund_pay_type": code,
                    "fund_pay_type_name": name,
                    "inscp_scp_amt": money(row.inscp_scp_amt),
                    "crt_payb_lmt_amt": money(0),
                    "fund_payamt": money(amount),
                    "setl_proc_info": "",
                }
            )
    return out


def fee_result(fee: FeeDetail, *, default_b_rate: Decimal) -> dict[str, Any]:
    """2204/2301's answer per line: its class and how it splits (before any deductible)."""
    rate = fee.self_pay_pct / 100 if fee.self_pay_pct is not None else default_b_rate
    excluded = fee.amount_fen if fee.cls == "C" else 0
    class_b = apply_rate(fee.amount_fen, rate) if fee.cls == "B" else 0
    return {
        "feedetl_sn": fee.feedetl_sn,
        "det_item_fee_sumamt": money(fee.amount_fen),
        "cnt": str(fee.quantity),
        "pric": money(fee.price_fen),
        "chrgitm_lv": CLASS_LEVELS[fee.cls],
        "selfpay_prop": ratio({"A": Decimal(0), "B": rate, "C": Decimal(1)}[fee.cls]),
        "fulamt_ownpay_amt": money(excluded),
        "overlmt_amt": money(0),
        "preselfpay_amt": money(class_b),
        "inscp_scp_amt": money(fee.amount_fen - excluded - class_b),
        "pric_uplmt_amt": money(0),
        "memo": "" if fee.in_catalogue else "目录外项目，全自费",
        "med_list_codg": fee.code,
        "list_name": fee.name,
    }

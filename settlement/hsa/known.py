"""The interface's known fields keep their form wherever they appear in `input`.

A transaction reads the fields it needs with `fields`; others it is sent (2207's
`psn_setlway`, `fulamt_ownpay_amt`…, 3201's `setl_optins`) it does not use. Unknown fields
stay harmless, but a known field present with a malformed value (a code not in its list, a
negative amount, an impossible date) is refused for every message, before any transaction
runs: a provider's system that sends it is wrong, and its other figures cannot be trusted
either. The check is the form only; what a value must agree with is the transaction's rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from settlement.hsa import fields
from settlement.hsa.codes import ALL_INSUTYPES, CERT_TYPES, CLR_TYPES, MED_TYPES
from settlement.hsa.errors import HsaError

ROW = _("%(block)s 第 %(row)s 条：%(detail)s")
DIVISION = re.compile(r"[0-9]{6}")

Check = Callable[[dict[str, Any], str], object]


def _codes(allowed: dict[str, str]) -> Check:
    return lambda block, name: fields.choice(block, name, allowed, required=False)


def _division(block: dict[str, Any], name: str) -> None:
    value = fields.text(block, name, required=False, max_len=6)
    if value and not DIVISION.fullmatch(value):
        raise fields.bad(name, "6 位行政区划代码", value)


KNOWN: dict[str, Check] = {
    "insutype": _codes(ALL_INSUTYPES),
    "med_type": _codes(MED_TYPES),
    "clr_type": _codes(CLR_TYPES),
    "mdtrt_cert_type": _codes(CERT_TYPES),
    # Read by no transaction, and regions extend the national 01/02 (0201, A2…): its form only.
    "psn_setlway": lambda block, name: fields.text(block, name, required=False, max_len=6),
    "acct_used_flag": fields.flag,
    "mid_setl_flag": fields.flag,
    "refd_setl_flag": fields.flag,
    **dict.fromkeys(
        ("psn_no", "mdtrt_id", "setl_id", "chrg_bchno", "feedetl_sn", "invono", "clr_way"),
        lambda block, name: fields.text(block, name, required=False, max_len=30),
    ),
    # 50 in the interface: an e-certificate's token (01) is longer than an ID number.
    "mdtrt_cert_no": lambda block, name: fields.text(block, name, required=False, max_len=50),
    **dict.fromkeys(
        (
            "medfee_sumamt",
            "fulamt_ownpay_amt",
            "overlmt_selfpay",
            "preselfpay_amt",
            "inscp_scp_amt",
            "fund_pay_sumamt",
            "acct_pay",
            "pric",
            "det_item_fee_sumamt",
            "med_sumfee",
            "fund_appy_sum",
            "cash_payamt",
        ),
        lambda block, name: fields.money_fen(block, name, required=False),
    ),
    "cnt": fields.quantity,
    "psntime": lambda block, name: fields.integer(block, name),
    "setlym": lambda block, name: fields.year_month(block, name, required=False),
    "clr_appy_evt_id": lambda block, name: fields.text(block, name, required=False, max_len=30),
    **dict.fromkeys(
        ("begntime", "endtime", "fee_ocur_time"),
        lambda block, name: fields.timestamp(block, name, required=False),
    ),
    **dict.fromkeys(
        ("stmt_begndate", "stmt_enddate", "begndate", "enddate"),
        lambda block, name: fields.day(block, name, required=False),
    ),
    **dict.fromkeys(("setl_optins", "insuplc_admdvs", "mdtrtarea_admvs"), _division),
}


# Reconciliation (3201 totals, 3202 rows) states figures as our answers gave them: a cancelled
# settlement's amounts are negative (its setlinfo, refd_setl_flag 1), and so is a period's
# total of cancellations; a clearing application (3203) states a month's net figures the same
# way. Everywhere else these amounts are what is charged: not negative.
RECONCILIATIONS = ("3201", "3202", "3203")
SIGNED: dict[str, Check] = {
    **dict.fromkeys(
        (
            "medfee_sumamt",
            "fund_pay_sumamt",
            "acct_pay",
            "med_sumfee",
            "fund_appy_sum",
            "cash_payamt",
        ),
        lambda block, name: fields.signed_money_fen(block, name, required=False),
    ),
    "psntime": lambda block, name: fields.integer(block, name, minimum=-(10**9)),
}


def check(payload: dict[str, Any], *, infno: Any = None) -> None:
    """Every known field in `input`'s blocks (`data`, `mdtrtinfo`, …) and in its lists' rows."""
    known = {**KNOWN, **SIGNED} if infno in RECONCILIATIONS else KNOWN
    for name, value in payload.items():
        if isinstance(value, dict):
            _block(value, known)
        elif isinstance(value, list):
            for number, row in enumerate(value, start=1):
                if isinstance(row, dict):
                    try:
                        _block(row, known)
                    except HsaError as exc:
                        raise HsaError(
                            ROW,
                            field=exc.field,
                            code=exc.code,
                            block=name,
                            row=number,
                            detail=exc.text("zh-hans"),
                        ) from None


OPTER_TYPES = {"1": "经办人员", "2": "自助终端", "3": "移动终端"}


def check_envelope(raw: dict[str, Any]) -> None:
    """The envelope's area codes (the treating area's, the insured's) are 6-digit division codes,
    and who operates (opter_type) is one of the interface's three kinds."""
    for name in ("mdtrtarea_admvs", "insuplc_admdvs"):
        if raw.get(name) not in (None, ""):
            _division(raw, name)
    fields.choice(raw, "opter_type", OPTER_TYPES, required=False)


def _block(block: dict[str, Any], known: dict[str, Check]) -> None:
    for name in [n for n in block if n in known]:  # in the message's order: the first bad one
        if block[name] is not None and block[name] != "":
            known[name](block, name)

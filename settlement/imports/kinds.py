"""Claims by file (批量结算): a provider's visits of a period with their fee lines, one row a line.

Rows of one visit share the provider's code and the provider's visit number (就诊流水号);
the commit opens each visit, adds its lines and settles it through the same services as
the real-time interface (eligibility on the date of care, the catalogue of each line's
date, the policy of the discharge date, accumulators under the person's lock) — and the
whole file lands or nothing does. The preview runs every visit the same way and rolls
back, so every visit the commit would refuse is listed with its row, column and reason.
A clerk imports for the providers their unit handles (the row's county is the provider's
handling unit).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from enrollment.models import Person
from pooling.imports.kinds import (
    IMPORT_KINDS,
    OTHER_COUNTY_ROW,
    REQUIRED,
    Cells,
    Context,
    ImportKind,
    RowProblem,
    parse_fen,
    required,
)
from pooling.kernel import dates
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import round_fen
from pooling.kernel.scoping import unrestricted
from pooling.tabular.reader import Column
from providers.models import Provider
from settlement.hsa.codes import INSUTYPES, MATN_TYPES, MED_TYPES
from settlement.services.settle import SettleInput, settlement_settle
from settlement.services.visits import FeeLine, VisitInfo, fees_add, visit_discharge, visit_open

UNKNOWN_PROVIDER = _("未知的定点机构编码：%(value)s")
UNKNOWN_PERSON = _("未找到身份证号码为 %(value)s 的参保人")
BAD_CODE = _("“%(value)s”不是有效的取值，可选：%(choices)s")
BAD_TIME = _("时间格式不正确：“%(value)s”（应为 YYYY-MM-DD HH:MM:SS 或 YYYY-MM-DD）")
BAD_QTY = _("数量应为正数，最多四位小数：“%(value)s”")
AMOUNT_MISMATCH = _("金额 %(amount)s 元不等于数量 × 单价（%(expected)s 元）")
VISIT_DIFFERS = _("同一就诊流水号的各行，%(what)s 必须一致")
DISCHARGE_REQUIRED = _("住院就诊必须填写出院时间")
EXISTS = _("该定点机构的这个就诊流水号已导入结算过")
# One fee line costs at most this much, and counts at most this many: a bigger figure is a
# typo (or a cell pasted into the wrong column), and would overflow the settlement's sums.
MAX_LINE_YUAN = 10_000_000
MAX_QUANTITY = 1_000_000
AMOUNT_TOO_LARGE = _("金额过大：%(value)s 元，一行费用最多 %(limit)s 元")
QTY_TOO_LARGE = _("数量过大：“%(value)s”，一行费用最多 %(limit)s")
# Service item and facility codes are 15 digits, many starting with 0 (001102000000100):
# typed into Excel as a number, the zeros are gone and the line would pass as out of catalogue.
# Refused only when the code with its zeros put back is in the catalogue: a catalogue may hold
# a shorter all-digit code of its own, which must still settle.
ITEM_CODE_DIGITS = 15
LEADING_ZEROS = _(
    "医保目录编码“%(value)s”只有 %(length)s 位数字：医疗服务项目编码为 15 位，开头的 0 可能被 Excel 去掉了。请把该列设为“文本”格式并补全编码后重新上传"
)

# Codes, numbers and times are half-width (the reader refuses １２３ there); lengths are the
# models': the reader refuses a longer cell by row and column, so nothing is cut short.
COLUMNS = [
    Column(
        "provider",
        gettext_noop("定点机构编码"),
        aliases=("fixmedins_code", "机构编码"),
        max_length=12,
        halfwidth=True,
    ),
    Column(
        "visit_no",
        gettext_noop("就诊流水号"),
        aliases=("ipt_otp_no", "门诊/住院号", "住院号", "门诊号"),
        max_length=30,
        halfwidth=True,
    ),
    Column(
        "id_number",
        gettext_noop("身份证号码"),
        aliases=("certno", "证件号码", "公民身份号码"),
        max_length=18,
        halfwidth=True,
    ),
    Column("insutype", gettext_noop("险种类型"), aliases=("insutype",), halfwidth=True),
    Column("med_type", gettext_noop("医疗类别"), aliases=("med_type",), halfwidth=True),
    Column(
        "begntime",
        gettext_noop("就诊/入院时间"),
        aliases=("begntime", "就诊时间", "入院时间"),
        halfwidth=True,
    ),
    Column(
        "endtime", gettext_noop("出院时间"), aliases=("endtime",), required=False, halfwidth=True
    ),
    Column(
        "diagnosis",
        gettext_noop("主要诊断编码"),
        aliases=("dise_codg", "诊断编码"),
        required=False,
        max_length=30,
        halfwidth=True,
    ),
    Column("acct", gettext_noop("使用个人账户"), aliases=("acct_used_flag",), required=False),
    Column(
        "feedetl_sn",
        gettext_noop("费用明细流水号"),
        aliases=("feedetl_sn",),
        max_length=30,
        halfwidth=True,
    ),
    Column(
        "code",
        gettext_noop("医保目录编码"),
        aliases=("med_list_codg", "项目编码"),
        max_length=50,
        halfwidth=True,
    ),
    Column(
        "name", gettext_noop("项目名称"), aliases=("med_list_name",), required=False, max_length=200
    ),
    Column("quantity", gettext_noop("数量"), aliases=("cnt",), halfwidth=True),
    Column("price", gettext_noop("单价"), aliases=("pric",), halfwidth=True),
    Column("amount", gettext_noop("金额"), aliases=("det_item_fee_sumamt",), halfwidth=True),
    Column(
        "occurred",
        gettext_noop("费用发生时间"),
        aliases=("fee_ocur_time",),
        required=False,
        halfwidth=True,
    ),
    # As 2207's matn_type: a delivery (医疗类别 52) is paid the sum of its kind; blank: 顺产.
    Column(
        "delivery", gettext_noop("生育类别"), aliases=("matn_type",), required=False, halfwidth=True
    ),
]


@dataclass
class Claim:
    """One row: a fee line, and the visit it belongs to."""

    row: int
    provider: Provider
    visit_no: str
    person: Person
    insutype: str
    med_type: str
    begntime: datetime
    endtime: datetime | None
    diagnosis: str
    acct: bool
    line: FeeLine
    delivery: str = ""


@dataclass
class VisitGroup:
    claims: list[Claim] = field(default_factory=list)


class ClaimKind(ImportKind):
    key = "settlement_claims"
    capability = "settlement.settle"
    label = _("批量结算（就诊及费用明细）")
    columns = COLUMNS
    chunk_size = 5000

    def prefetch(self, rows: list[dict[str, str]], ctx: Context) -> None:
        providers = ctx.cache.setdefault("providers", {})
        people = ctx.cache.setdefault("people", {})
        with unrestricted():
            codes = {r.get("provider", "").strip().upper() for r in rows} - set(providers)
            providers.update(
                {p.national_code: p for p in Provider.objects.filter(national_code__in=codes)}
            )
            numbers = {r.get("id_number", "").strip().upper() for r in rows} - set(people)
            people.update({p.id_number: p for p in Person.objects.filter(id_number__in=numbers)})

    def clean(self, values: dict[str, str], ctx: Context) -> tuple[str, Any]:
        cells = Cells(values)
        provider = cells.take(_lookup, "provider", ctx.cache.get("providers", {}), UNKNOWN_PROVIDER)
        person = cells.take(_lookup, "id_number", ctx.cache.get("people", {}), UNKNOWN_PERSON)
        insutype = cells.take(_code, "insutype", INSUTYPES)
        med_type = cells.take(_code, "med_type", MED_TYPES)
        begntime = cells.take(_moment, "begntime")
        endtime = cells.take(_moment, "endtime", optional=True)
        quantity = cells.take(_quantity, "quantity")
        price = cells.take(_line_fen, "price")
        amount = cells.take(_line_fen, "amount")
        occurred = cells.take(_moment, "occurred", optional=True)
        acct = cells.take(_flag, "acct")
        delivery = cells.take(_delivery, "delivery")
        visit_no = cells.take(required, "visit_no")
        sn = cells.take(required, "feedetl_sn")
        code = cells.take(_item_code, "code")
        if (
            provider is not None
            and ctx.own_county is not None
            and provider.handling_region_id != ctx.own_county
        ):
            cells.problems.append(
                RowProblem(
                    "provider",
                    OTHER_COUNTY_ROW,
                    code=provider.handling_region_id,
                    own=ctx.own_county,
                )
            )
        if None not in (quantity, price, amount) and amount != round_fen(quantity * price):
            cells.problems.append(
                RowProblem(
                    "amount",
                    AMOUNT_MISMATCH,
                    amount=_yuan(amount),
                    expected=_yuan(round_fen(quantity * price)),
                )
            )
        if med_type in ("21", "52") and endtime is None:
            cells.problems.append(RowProblem("endtime", DISCHARGE_REQUIRED))
        cells.done()
        line = FeeLine(
            feedetl_sn=sn,
            code=code,
            quantity=quantity,
            price_fen=price,
            amount_fen=amount,
            occurred_at=occurred or begntime,
            name=values.get("name", ""),
        )
        return provider.handling_region_id, Claim(
            row=ctx.row or 0,
            provider=provider,
            visit_no=visit_no,
            person=person,
            insutype=insutype,
            med_type=med_type,
            begntime=begntime,
            endtime=endtime,
            diagnosis=values.get("diagnosis", ""),
            acct=bool(acct),
            line=line,
            delivery=delivery or "",
        )

    def unique_key(self, record: Claim) -> Any:
        return (record.provider.pk, record.visit_no, record.line.feedetl_sn)

    def existing_column(self) -> str:
        return "visit_no"

    def existing_message(self) -> Any:
        return EXISTS

    def existing(self, keys: list[Any]) -> set[Any]:
        from settlement.models import FeeDetail, Visit

        found: set[Any] = set()
        with unrestricted():
            for provider_id in {k[0] for k in keys}:
                numbers = {k[1] for k in keys if k[0] == provider_id}
                visits = dict(
                    Visit.objects.filter(
                        provider_id=provider_id,
                        ipt_otp_no__in=numbers,
                        opened_msgid__startswith="FILE:",
                    ).values_list("pk", "ipt_otp_no")
                )
                for visit_id, sn in FeeDetail.objects.filter(visit_id__in=visits).values_list(
                    "visit_id", "feedetl_sn"
                ):
                    found.add((provider_id, visits[visit_id], sn))
        return found

    def write(self, records: Iterator[Any], ctx: Context) -> int:
        return _settle_all(records, ctx)

    def rehearse(self, records: Iterator[Any], ctx: Context) -> None:
        with transaction.atomic():
            _settle_all(records, ctx)
            transaction.set_rollback(True)

    def template_rows(self) -> list[list[str]]:
        return [
            [
                "H32090200011",
                "MZ20260601001",
                "360426199101010071",
                "310",
                "11",
                "2026-06-01 09:00:00",
                "",
                "",
                "0",
                "1",
                "001102000000100",
                "普通门诊诊查费",
                "1",
                "20.00",
                "20.00",
                "2026-06-01 09:10:00",
                "",
            ]
        ]


def _settle_all(records: Iterator[Claim], ctx: Context) -> int:
    groups: dict[tuple[int, str], VisitGroup] = {}
    for claim in records:
        claim.row = ctx.row or claim.row  # the workflow sets the row of the record it yields
        groups.setdefault((claim.provider.pk, claim.visit_no), VisitGroup()).claims.append(claim)
    settled = 0
    for group in groups.values():
        first = group.claims[0]
        ctx.row = first.row
        try:
            with transaction.atomic():
                _settle_visit(group, ctx)
            settled += len(group.claims)
        except BusinessRuleError as exc:
            ctx.row = _line_row(group, exc) or ctx.row
            ctx.refuse(
                exc,
                default_column="visit_no",
                columns={
                    "begntime": "begntime",
                    "endtime": "endtime",
                    "insutype": "insutype",
                    "psn_no": "id_number",
                    "medfee_sumamt": "amount",
                    "fixmedins_code": "provider",
                    "feedetl_sn": "feedetl_sn",
                    "det_item_fee_sumamt": "amount",
                    "fee_ocur_time": "occurred",
                    "mdtrt_id": "visit_no",
                },
            )
    return settled


def _line_row(group: VisitGroup, exc: BusinessRuleError) -> int | None:
    """The row of the fee line a refusal names by its serial (the services name a line so), for
    the report to point at that row rather than at its visit's first."""
    sn = exc.params.get("sn")
    rows = [c.row for c in group.claims if sn is not None and c.line.feedetl_sn == sn]
    return rows[-1] if rows else None  # a serial twice: the second is at fault


def _settle_visit(group: VisitGroup, ctx: Context) -> None:
    first = group.claims[0]
    for claim in group.claims[1:]:
        for column, what, a, b in (
            ("id_number", "身份证号码", claim.person.pk, first.person.pk),
            ("insutype", "险种类型", claim.insutype, first.insutype),
            ("med_type", "医疗类别", claim.med_type, first.med_type),
            ("begntime", "就诊/入院时间", claim.begntime, first.begntime),
            ("delivery", "生育类别", claim.delivery, first.delivery),
        ):
            if a != b:
                ctx.row = claim.row  # the row that differs, at its cell
                raise BusinessRuleError(
                    VISIT_DIFFERS, code="visit_differs", field=column, params={"what": what}
                )
    # In the importing clerk's scope: the visit is handled by their unit (the row's county).
    visit = visit_open(
        provider=first.provider,
        person=first.person,
        insutype=first.insutype,
        med_type=first.med_type,
        begntime=first.begntime,
        msgid=f"FILE:{first.visit_no}"[:30],
        info=VisitInfo(ipt_otp_no=first.visit_no, main_diag_code=first.diagnosis),
    )
    fees_add(visit=visit, lines=[c.line for c in group.claims])
    if visit.inpatient:
        assert first.endtime is not None
        visit = visit_discharge(visit=visit, endtime=first.endtime, info=VisitInfo())
    settlement_settle(
        data=SettleInput(
            visit=visit,
            acct_used=first.acct,
            operator=str(ctx.actor or ""),
            channel="file",
            delivery=first.delivery,
        ),
        actor=ctx.actor,
    )


def _lookup(values: dict[str, str], key: str, table: dict[str, Any], message: Any) -> Any:
    value = required(values, key).upper()
    found = table.get(value)
    if found is None:
        raise RowProblem(key, message, value=value)
    return found


def _code(values: dict[str, str], key: str, codes: dict[str, str]) -> str:
    value = required(values, key)
    if value not in codes:
        raise RowProblem(
            key, BAD_CODE, value=value, choices="、".join(f"{k} {v}" for k, v in codes.items())
        )
    return value


def _moment(values: dict[str, str], key: str, *, optional: bool = False) -> datetime | None:
    """A time as people type it: a date the way `dates.parse_date` reads dates (2026-06-01,
    2026/6/1, 2026年6月1日, 20260601), then optionally a time of day (9:00, 09:00:00, or
    after a T); a date alone is that day at 08:00. An Excel serial number is named as such."""
    value = values.get(key, "").strip()
    if not value:
        if optional:
            return None
        raise RowProblem(key, REQUIRED)
    match = _MOMENT.fullmatch(value)
    day_text, hour, minute, second = match.groups() if match else (value, None, None, None)
    try:
        day = dates.parse_date(day_text, field=key)
        clock = time(int(hour), int(minute), int(second or 0)) if hour and minute else time(8, 0)
    except BusinessRuleError as exc:
        if exc.code in ("excel_serial", "date_range"):  # their own, more telling, messages
            raise RowProblem.of(key, exc) from None
        raise RowProblem(key, BAD_TIME, value=value) from None
    except ValueError:  # 25:00
        raise RowProblem(key, BAD_TIME, value=value) from None
    return datetime.combine(day, clock, tzinfo=ZoneInfo(settings.TIME_ZONE))


_MOMENT = re.compile(r"(.+?)(?:[T\s]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?(?:\.[0-9]+)?)?")


_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")  # 1,000 or 12,345.5


def _quantity(values: dict[str, str], key: str) -> Decimal:
    value = required(values, key)
    try:
        q = Decimal(value.replace(",", "") if _GROUPED.fullmatch(value) else value)
    except InvalidOperation:
        raise RowProblem(key, BAD_QTY, value=value) from None
    if not q.is_finite() or q <= 0:
        raise RowProblem(key, BAD_QTY, value=value)
    if q > MAX_QUANTITY:  # before quantize, which cannot hold 1E+30 to four places
        raise RowProblem(key, QTY_TOO_LARGE, value=value, limit=f"{MAX_QUANTITY:,}")
    if q != q.quantize(Decimal("0.0001")):
        raise RowProblem(key, BAD_QTY, value=value)
    return q


# 使用个人账户 as people and Excel write it (a workbook's TRUE/FALSE cell included); blank is no.
FLAGS = {"1": True, "是": True, "Y": True, "TRUE": True, "0": False, "否": False, "N": False}
FLAGS["FALSE"] = False


def _flag(values: dict[str, str], key: str) -> bool:
    """Anything else is refused: "true", "2" or "使用" read as "no" would bill the patient."""
    value = values.get(key, "")
    if not value:
        return False
    found = FLAGS.get(value.upper())
    if found is None:
        raise RowProblem(key, BAD_CODE, value=value, choices="1 是、0 否")
    return found


def _delivery(values: dict[str, str], key: str) -> str:
    value = values.get(key, "")
    if value and value not in MATN_TYPES:
        raise RowProblem(
            key, BAD_CODE, value=value, choices="、".join(f"{k} {v}" for k, v in MATN_TYPES.items())
        )
    return value


def _line_fen(values: dict[str, str], key: str) -> int:
    fen = parse_fen(values, key)
    if fen > MAX_LINE_YUAN * 100:
        raise RowProblem(key, AMOUNT_TOO_LARGE, value=values[key], limit=f"{MAX_LINE_YUAN:,}")
    return fen


def _item_code(values: dict[str, str], key: str) -> str:
    code = required(values, key).upper()
    if code.isdigit() and len(code) < ITEM_CODE_DIGITS and _zeros_lost(code):
        raise RowProblem(key, LEADING_ZEROS, value=code, length=len(code))
    return code


def _zeros_lost(code: str) -> bool:
    """The catalogue knows the code with its leading zeros, and not as written."""
    from pooling.benefits.catalogue.models import CatalogueItem

    known = set(
        CatalogueItem.objects.filter(code__in=[code, code.zfill(ITEM_CODE_DIGITS)]).values_list(
            "code", flat=True
        )
    )
    return code not in known and code.zfill(ITEM_CODE_DIGITS) in known


def _yuan(fen: int) -> str:
    from pooling.kernel.money import fen_to_yuan

    return str(fen_to_yuan(fen))


IMPORT_KINDS.register(ClaimKind())

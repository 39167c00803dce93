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
    Cells,
    Context,
    ImportKind,
    RowProblem,
    parse_fen,
    required,
)
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import round_fen
from pooling.kernel.scoping import unrestricted
from pooling.tabular.reader import Column
from providers.models import Provider
from settlement.hsa.codes import INSUTYPES, MED_TYPES
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

COLUMNS = [
    Column("provider", gettext_noop("定点机构编码"), aliases=("fixmedins_code", "机构编码")),
    Column(
        "visit_no",
        gettext_noop("就诊流水号"),
        aliases=("ipt_otp_no", "门诊/住院号", "住院号", "门诊号"),
    ),
    Column("id_number", gettext_noop("身份证号码"), aliases=("certno", "证件号码", "公民身份号码")),
    Column("insutype", gettext_noop("险种类型"), aliases=("insutype",)),
    Column("med_type", gettext_noop("医疗类别"), aliases=("med_type",)),
    Column("begntime", gettext_noop("就诊/入院时间"), aliases=("begntime", "就诊时间", "入院时间")),
    Column("endtime", gettext_noop("出院时间"), aliases=("endtime",), required=False),
    Column(
        "diagnosis", gettext_noop("主要诊断编码"), aliases=("dise_codg", "诊断编码"), required=False
    ),
    Column("acct", gettext_noop("使用个人账户"), aliases=("acct_used_flag",), required=False),
    Column("feedetl_sn", gettext_noop("费用明细流水号"), aliases=("feedetl_sn",)),
    Column("code", gettext_noop("医保目录编码"), aliases=("med_list_codg", "项目编码")),
    Column("name", gettext_noop("项目名称"), aliases=("med_list_name",), required=False),
    Column("quantity", gettext_noop("数量"), aliases=("cnt",)),
    Column("price", gettext_noop("单价"), aliases=("pric",)),
    Column("amount", gettext_noop("金额"), aliases=("det_item_fee_sumamt",)),
    Column("occurred", gettext_noop("费用发生时间"), aliases=("fee_ocur_time",), required=False),
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
        price = cells.take(parse_fen, "price")
        amount = cells.take(parse_fen, "amount")
        occurred = cells.take(_moment, "occurred", optional=True)
        visit_no = cells.take(required, "visit_no")
        sn = cells.take(required, "feedetl_sn")
        code = cells.take(required, "code")
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
            feedetl_sn=sn[:30],
            code=code.upper()[:50],
            quantity=quantity,
            price_fen=price,
            amount_fen=amount,
            occurred_at=occurred or begntime,
            name=values.get("name", "")[:200],
        )
        return provider.handling_region_id, Claim(
            row=ctx.row or 0,
            provider=provider,
            visit_no=visit_no[:30],
            person=person,
            insutype=insutype,
            med_type=med_type,
            begntime=begntime,
            endtime=endtime,
            diagnosis=values.get("diagnosis", "")[:30],
            acct=values.get("acct", "") in ("1", "是", "Y", "y"),
            line=line,
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


def _settle_visit(group: VisitGroup, ctx: Context) -> None:
    first = group.claims[0]
    for claim in group.claims[1:]:
        for what, a, b in (
            ("身份证号码", claim.person.pk, first.person.pk),
            ("险种类型", claim.insutype, first.insutype),
            ("医疗类别", claim.med_type, first.med_type),
            ("就诊/入院时间", claim.begntime, first.begntime),
        ):
            if a != b:
                raise BusinessRuleError(
                    VISIT_DIFFERS, code="visit_differs", field="visit_no", params={"what": what}
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
            visit=visit, acct_used=first.acct, operator=str(ctx.actor or ""), channel="file"
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
    value = values.get(key, "").strip()
    if not value:
        if optional:
            return None
        raise RowProblem(key, _("必填项为空"))
    zone = ZoneInfo(settings.TIME_ZONE)
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    try:
        day = datetime.strptime(value.replace("/", "-"), "%Y-%m-%d").date()
    except ValueError:
        raise RowProblem(key, BAD_TIME, value=value) from None
    return datetime.combine(day, time(8, 0), tzinfo=zone)


def _quantity(values: dict[str, str], key: str) -> Decimal:
    value = required(values, key)
    try:
        q = Decimal(value)
    except InvalidOperation:
        raise RowProblem(key, BAD_QTY, value=value) from None
    if not q.is_finite() or q <= 0 or q != q.quantize(Decimal("0.0001")):
        raise RowProblem(key, BAD_QTY, value=value)
    return q


def _yuan(fen: int) -> str:
    from pooling.kernel.money import fen_to_yuan

    return str(fen_to_yuan(fen))


IMPORT_KINDS.register(ClaimKind())

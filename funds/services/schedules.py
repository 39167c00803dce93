"""Pre-pooling balances on a schedule: instalments generated from the rule (data),
payments posted to the ledger, overdue ones flagged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.chart import Category
from funds.models import Entry, Instalment, InstalmentPayment, PrePoolingPosition, RemittanceRule
from funds.services.ledger import cr, dr, post_entry
from funds.services.setup import account_for
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import apply_rate
from pooling.kernel.permissions import Actor, require

ALREADY_PAID_SOME = _("已有缴款的分期不能重新生成")
OVERPAID = _("缴款 %(amount)s 分超过该期未缴金额 %(open)s 分")
NOTHING_TO_PAY = _("没有需要上解或弥补的金额")

# Each city's rules of its source text, as data (`funds/data/rules/<area code>.json`):
# another city adds a file, not code.
RULES_DATA = Path(__file__).resolve().parent.parent / "data" / "rules"


def city_rules(area_code: str) -> dict[str, Any]:
    """A city's shipped pre-pooling and gap-sharing rules ({} when it ships none)."""
    path = RULES_DATA / f"{area_code}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return data


def rules_ensure() -> list[RemittanceRule]:
    """Every shipped remittance rule as a row, in area-code order (盐城 first, then 三门峡)."""
    out = []
    for path in sorted(RULES_DATA.glob("*.json")):
        for spec in city_rules(path.stem).get("remittance_rules", []):
            rule, _created = RemittanceRule.objects.update_or_create(
                code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
            )
            out.append(rule)
    return out


@transaction.atomic
def instalments_generate(*, position: PrePoolingPosition, actor: Actor) -> list[Instalment]:
    """(Re)build a position's instalments from its rule; shares round half up, the last takes the rest."""
    require(actor, "prepooling.manage")
    position = PrePoolingPosition.objects.select_for_update().get(pk=position.pk)
    if InstalmentPayment.objects.filter(instalment__position=position).exists():
        raise BusinessRuleError(ALREADY_PAID_SOME, code="paid")
    rule = position.rule
    if rule.kind == RemittanceRule.SURPLUS:
        base = position.surplus_fen
        position.offset_fen = 0
    else:
        # Sanmenxia: the county's own past risk-adjustment contributions offset the gap first.
        position.offset_fen = min(position.deficit_fen, position.risk_adjustment_paid_fen)
        base = position.deficit_fen - position.offset_fen
    position.save(update_fields=["offset_fen"])
    Instalment.objects.filter(position=position).delete()
    if base <= 0:
        return []
    tranches = rule.tranches
    if rule.kind == RemittanceRule.DEFICIT and position.lump_sum:
        tranches = [{"due": tranches[-1]["due"], "share": "1"}]
    rows, left = [], base
    for seq, tranche in enumerate(tranches, start=1):
        amount = (
            left if seq == len(tranches) else min(left, apply_rate(base, Decimal(tranche["share"])))
        )
        left -= amount
        rows.append(
            Instalment(
                position=position,
                seq=seq,
                due_date=date.fromisoformat(tranche["due"]),
                amount_fen=amount,
            )
        )
    return Instalment.objects.bulk_create(rows)


def position_check(*, position: PrePoolingPosition) -> None:
    """A position whose instalments have a payment against them is no longer corrected."""
    if (
        position.pk
        and InstalmentPayment.objects.filter(instalment__position_id=position.pk).exists()
    ):
        raise BusinessRuleError(ALREADY_PAID_SOME, code="paid")


@transaction.atomic
def position_save(*, position: PrePoolingPosition, actor: Actor) -> PrePoolingPosition:
    """Record (or correct) a county's pre-pooling surplus or deficit and rebuild its
    instalments from the rule — refused once a payment has been made against them."""
    require(actor, "prepooling.manage")
    position_check(position=position)
    position.full_clean()
    position.save()
    instalments_generate(position=position, actor=actor)
    return position


@dataclass
class InstalmentState:
    instalment: Instalment
    paid_fen: int
    status: str  # paid | overdue | open

    @property
    def open_fen(self) -> int:
        return self.instalment.amount_fen - self.paid_fen


def instalment_states(
    *, position: PrePoolingPosition, today: date | None = None
) -> list[InstalmentState]:
    today = today or timezone.localdate()
    out = []
    for inst in position.instalments.annotate(paid=Sum("payments__amount_fen")).order_by("seq"):
        paid = inst.paid or 0
        status = (
            "paid" if paid >= inst.amount_fen else ("overdue" if inst.due_date < today else "open")
        )
        out.append(InstalmentState(inst, paid, status))
    return out


@transaction.atomic
def instalment_pay(
    *, instalment: Instalment, amount_fen: int, paid_on: date, key: str, actor: Actor
) -> InstalmentPayment:
    """Record a county's remittance: money into the special account, income 下级上解收入.

    The idempotency key makes a double-submitted form one payment, not two.
    """
    require(actor, "prepooling.manage")
    instalment = (
        Instalment.objects.select_for_update()
        .select_related("position__book")
        .get(pk=instalment.pk)
    )
    position = instalment.position
    existing = Entry.objects.filter(key=key).first()
    if existing is None:
        paid = instalment.payments.aggregate(s=Sum("amount_fen"))["s"] or 0
        if amount_fen <= 0 or amount_fen > instalment.amount_fen - paid:
            raise BusinessRuleError(
                OVERPAID,
                code="overpaid",
                params={"amount": amount_fen, "open": instalment.amount_fen - paid},
            )
    book, county = position.book, position.county_id
    entry = post_entry(
        key=key,
        book=book,
        entry_date=paid_on,
        source="funds.prepooling",
        actor=actor,
        memo=f"统筹前结余上解 第{instalment.seq}期 {county}",
        lines=[
            dr(
                account_for(book=book, category=Category.FISCAL_SPECIAL, county_code=county),
                amount_fen,
                county,
            ),
            cr(
                account_for(
                    book=book, category=Category.INCOME_REMITTANCE_BELOW, county_code=county
                ),
                amount_fen,
            ),
        ],
    )
    payment, _created = InstalmentPayment.objects.get_or_create(
        entry=entry,
        defaults={"instalment": instalment, "amount_fen": amount_fen, "paid_on": paid_on},
    )
    return payment


def overdue_instalments(*, today: date | None = None) -> list[InstalmentState]:
    """Every instalment past its date and not fully paid: the city may deduct these."""
    today = today or timezone.localdate()
    found = []
    for position in PrePoolingPosition.objects.filter(instalments__due_date__lt=today).distinct():
        found += [
            s for s in instalment_states(position=position, today=today) if s.status == "overdue"
        ]
    return found

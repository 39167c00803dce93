"""A quote (待遇测算): the calculator fed from the policy and catalogue in force. Nothing is stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.benefits.calculator import settle
from pooling.benefits.catalogue.selectors import catalogue_in_force, catalogue_lookup
from pooling.benefits.explain import yuan
from pooling.benefits.types import CLASS_LABELS, Claim, PersonContext, Settlement
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.numbers import percent_text
from pooling.policy.document import policy_in_force

NO_CATALOGUE = _("%(on)s 没有生效的已发布医保目录版本")


@dataclass(frozen=True)
class Quote:
    settlement: Settlement
    policy_code: str
    policy_title: str
    catalogue_code: str
    claim: Claim
    person: PersonContext


def benefits_quote(*, claim: Claim, person: PersonContext) -> Quote:
    """Settle a claim as a quote under the policy and catalogue in force on its service date."""
    policy = policy_in_force(on=claim.service_date)
    version = catalogue_in_force(on=claim.service_date)
    if version is None:
        raise BusinessRuleError(
            NO_CATALOGUE,
            code="no_catalogue",
            field="service_date",
            params={"on": claim.service_date.isoformat()},
        )
    entries = catalogue_lookup(on=claim.service_date, codes=[line.code for line in claim.lines])
    result = settle(rules=policy.benefits, catalogue=entries, person=person, claim=claim)
    return Quote(
        settlement=result,
        policy_code=policy.code,
        policy_title=policy.title,
        catalogue_code=version.code,
        claim=claim,
        person=person,
    )


def _money(fen: int) -> dict[str, Any]:
    return {"fen": fen, "yuan": yuan(fen)}


def quote_as_dict(quote: Quote) -> dict[str, Any]:
    """The JSON shape of a quote: every amount both as fen and as a yuan string."""
    s = quote.settlement
    return {
        "policy": quote.policy_code,
        "catalogue": quote.catalogue_code,
        "ratio_pct": percent_text(s.ratio),
        **{
            name: _money(getattr(s, f"{name}_fen"))
            for name in (
                "total",
                "excluded",
                "class_b_self_pay",
                "in_scope",
                "deductible",
                "fund",
                "copay",
                "over_cap",
                "account",
                "patient",
                "self_burden",
            )
        },
        "lines": [
            {
                "code": x.code,
                "name": x.name,
                "cls": x.cls,
                "cls_label": CLASS_LABELS[x.cls],
                "quantity": str(x.quantity),
                "unit_price": yuan(x.unit_price_fen),
                "amount": _money(x.amount_fen),
                "excluded": _money(x.excluded_fen),
                "class_b_self_pay": _money(x.class_b_self_pay_fen),
                "in_scope": _money(x.in_scope_fen),
                "self_pay_pct": None if x.self_pay_rate is None else percent_text(x.self_pay_rate),
                "restrictions": x.restrictions,
            }
            for x in s.lines
        ],
        "explanation": list(s.explanation),
        "ytd_after": {
            "admissions": s.ytd_after.admissions,
            "deductible_paid": {k: yuan(v) for k, v in s.ytd_after.deductible_paid_fen.items()},
            "fund_paid": {k: yuan(v) for k, v in s.ytd_after.fund_paid_fen.items()},
        },
    }

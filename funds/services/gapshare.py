"""How a year's whole-fund gap is covered, by the city's own rule (data, not code).

Each city's `funds/data/rules/<area code>.json` has a "gap_sharing" rule: the order of the
sources that cover the gap, and the share of it counties bear by their budget execution.

- "surplus": the fund's accumulated surplus at the start of the year;
- "reserve": the city's risk reserve (市级风险储备金);
- "counties": the counties whose execution fell short of their budget — income under budget
  plus spending over budget, their "deviation" — bear `county_share_pct` of their deviation,
  in proportion to it, never more than it (三门峡: 结合预算执行 … 缺口责任分担机制).

What no source covers is left uncovered: policy must then be adjusted. 盐城 covers by
surplus, then reserve; 三门峡 by the counties' deviations, then the reserve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from funds.chart import Category
from funds.models import Book, Entry
from funds.services.ledger import LineSpec, cr, dr, post_entry
from funds.services.schedules import city_rules
from funds.services.setup import account_for
from funds.services.yearend import FundResult, reserve_cover, year_end_result
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import apply_rate
from pooling.kernel.permissions import Actor, require

SOURCES = ("surplus", "reserve", "counties")
SOURCE_LABELS = {
    "surplus": _("以累计结余弥补"),
    "reserve": _("动用市级风险准备金"),
    "counties": _("由预算执行偏差的县（市、区）分担"),
}
NO_RULE = _("统筹区 %(code)s 没有基金缺口分担规则（funds/data/rules/%(code)s.json）")
BAD_RULE = _(
    "缺口分担规则有误：弥补来源只能是 %(known)s，县级分担比例须在 0 至 100 之间，"
    "调整政策的条件只能是 beyond_surplus 或 uncovered"
)
NO_GAP = _("%(year)s 年度基金没有缺口，无需分担")


@dataclass(frozen=True)
class GapRule:
    name: str
    source: str
    order: tuple[str, ...]
    county_share_pct: Decimal
    # When policy must be adjusted: "beyond_surplus" (盐城 art. 9: the surplus cannot cover
    # the gap) or "uncovered" (no source of the rule covers all of it).
    policy_adjustment: str = "uncovered"


@dataclass(frozen=True)
class CountyShare:
    county: str
    name: str
    deviation_fen: int  # income under budget + spending over budget
    share_fen: int


@dataclass
class GapCover:
    rule: GapRule
    gap_fen: int
    steps: list[tuple[str, int]] = field(
        default_factory=list
    )  # (source, amount) in the rule's order
    counties: list[CountyShare] = field(default_factory=list)

    def amount(self, source: str) -> int:
        return sum(fen for s, fen in self.steps if s == source)

    @property
    def uncovered_fen(self) -> int:
        return self.gap_fen - sum(fen for _s, fen in self.steps)

    @property
    def policy_adjustment_needed(self) -> bool:
        if self.rule.policy_adjustment == "beyond_surplus":
            return self.gap_fen > self.amount("surplus")
        return self.uncovered_fen > 0

    @property
    def rows(self) -> list[tuple[object, int]]:
        """The cover as labelled rows, for the page and the export."""
        return [(SOURCE_LABELS[s], fen) for s, fen in self.steps]


def gap_rule(area_code: str | None = None) -> GapRule:
    """The city's gap-sharing rule from its shipped rules file."""
    code = area_code or settings.POOLING_AREA_CODE
    spec = city_rules(code).get("gap_sharing")
    if spec is None:
        raise BusinessRuleError(NO_RULE, code="no_rule", params={"code": code})
    rule = GapRule(
        spec["name"],
        spec.get("source", ""),
        tuple(spec["order"]),
        Decimal(spec["county_share_pct"]),
        spec.get("policy_adjustment", "uncovered"),
    )
    if (
        not set(rule.order) <= set(SOURCES)
        or not Decimal(0) <= rule.county_share_pct <= Decimal(100)
        or rule.policy_adjustment not in ("beyond_surplus", "uncovered")
    ):
        raise BusinessRuleError(BAD_RULE, code="bad_rule", params={"known": "、".join(SOURCES)})
    return rule


def gap_cover(*, result: FundResult, rule: GapRule) -> GapCover:
    """Cover the year's gap from the rule's sources in order, each up to what it holds."""
    cover = GapCover(rule, result.gap_fen)
    left = result.gap_fen
    for source in rule.order:
        if source == "counties":
            cover.counties = _county_shares(result, rule, left)
            taken = sum(c.share_fen for c in cover.counties)
        else:
            held = result.surplus_before_fen if source == "surplus" else result.reserve_fen
            taken = min(left, max(held, 0))
        cover.steps.append((source, taken))
        left -= taken
    return cover


def _county_shares(result: FundResult, rule: GapRule, left: int) -> list[CountyShare]:
    """Split min(gap left, pct × total deviation) in proportion to each county's deviation;
    fen by largest remainder, so the shares add up exactly and none exceeds its deviation."""
    deviations = {
        c.county: max(c.budget_income_fen - c.income_fen, 0)
        + max(c.expense_fen - c.budget_expense_fen, 0)
        for c in result.counties
    }
    total = sum(deviations.values())
    pool = min(left, apply_rate(total, rule.county_share_pct / 100)) if total else 0
    exact = {code: (pool * dev) // total if total else 0 for code, dev in deviations.items()}
    rest = pool - sum(exact.values())
    by_remainder = sorted(
        deviations, key=lambda code: (-((pool * deviations[code]) % total) if total else 0, code)
    )
    for code in by_remainder[:rest]:
        exact[code] += 1
    return [
        CountyShare(c.county, c.name, deviations[c.county], exact[c.county])
        for c in result.counties
    ]


@transaction.atomic
def gap_cover_post(*, book: Book, year: int, actor: Actor) -> list[Entry]:
    """Post the year's cover by the city's rule: each sharing county owes its share (应收县级款项,
    县级财政补贴收入 — the county's finance fills the gap), and the reserve covers its part.
    The accumulated surplus needs no entry: it simply absorbs the year's deficit.
    Done once: a second call returns the entries of the first (posting changes the result
    it was computed from, so it is never recomputed)."""
    require(actor, "yearend.close")
    keys = [f"yearend-share:{book.code}:{year}", f"yearend-reserve:{book.code}:{year}"]
    done = list(Entry.objects.filter(key__in=keys).order_by("pk"))
    if done:
        return done
    cover = gap_cover(result=year_end_result(book=book, year=year), rule=gap_rule())
    if cover.gap_fen <= 0:
        raise BusinessRuleError(NO_GAP, code="no_gap", params={"year": year})
    entries = []
    lines: list[LineSpec] = []
    for share in (c for c in cover.counties if c.share_fen > 0):
        lines += [
            dr(
                account_for(
                    book=book, category=Category.RECEIVABLE_COUNTY, county_code=share.county
                ),
                share.share_fen,
            ),
            cr(
                account_for(book=book, category=Category.SUBSIDY_COUNTY, county_code=share.county),
                share.share_fen,
            ),
        ]
    if lines:
        entries.append(
            post_entry(
                key=keys[0],
                book=book,
                lines=lines,
                source="funds.yearend",
                actor=actor,
                memo=f"{year}年度基金缺口按预算执行偏差由县级分担",
                entry_date=date(year, 12, 31),
            )
        )
    if cover.amount("reserve") > 0:
        entries.append(
            reserve_cover(book=book, year=year, amount_fen=cover.amount("reserve"), actor=actor)
        )
    return entries

"""How many ten-line claims the benefit calculator settles per second on one core.

    python -m bench.calculator [--claims N]

The floor is a plain Python loop summing the same line amounts (quantity × unit
price) — the least any settlement must do; the ratio says how many floors one full
settlement costs (classes, deductible, ratio, cap, account, explanation lines, YTD).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pooling.settings")

import django  # noqa: E402

django.setup()

from pooling.benefits.calculator import settle  # noqa: E402
from pooling.benefits.types import (  # noqa: E402
    Accumulators,
    CatalogueEntry,
    Claim,
    ClaimLine,
    PersonContext,
    Settlement,
)
from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme  # noqa: E402
from pooling.policy.benefit_rules import BenefitRules  # noqa: E402
from pooling.policy.document import policy_from_document  # noqa: E402

DEMO = (
    Path(__file__).resolve().parent.parent / "pooling" / "policy" / "documents" / "demo-2026.json"
)


def _catalogue(rng: random.Random, size: int = 2000) -> dict[str, CatalogueEntry]:
    out = {}
    for i in range(size):
        code = f"X{i:022d}"
        cls = rng.choices("ABC", weights=[6, 3, 1])[0]
        rate = Decimal("0.2") if cls == "B" and i % 5 == 0 else None
        out[code] = CatalogueEntry(code, f"药品{i}", cls, self_pay_rate=rate)
    return out


def _claims(rng: random.Random, codes: list[str], n: int) -> list[tuple[PersonContext, Claim]]:
    kinds = [
        ("employee", "in_service", "inpatient"),
        ("employee", "retired", "outpatient"),
        ("resident", "resident_adult", "inpatient"),
        ("resident", "minor_student", "outpatient"),
        ("resident", "resident_adult", "chronic"),
        ("employee", "in_service", "maternity"),
    ]
    out = []
    for i in range(n):
        scheme, category, care = kinds[i % len(kinds)]
        lines = tuple(
            ClaimLine(
                rng.choice(codes) if rng.random() < 0.95 else "UNKNOWN",
                rng.randint(1, 20) if rng.random() < 0.9 else Decimal("2.5"),
                rng.randint(100, 500_000),
            )
            for _ in range(10)
        )
        person = PersonContext(
            PersonCategory(category),
            Accumulators(admissions=i % 3),
            account_balance_fen=rng.randint(0, 500_000),
        )
        out.append(
            (
                person,
                Claim(
                    scheme=Scheme(scheme),
                    hospital_level=rng.choice(list(HospitalLevel)),
                    care_type=care,
                    service_date=date(2026, 6, 1),
                    lines=lines,
                    diagnosis="M03900",
                    maternity_kind="vaginal_delivery",
                    out_of_city=i % 7 == 0,
                    referral_registered=i % 14 == 0,
                    use_personal_account=i % 2 == 0,
                ),
            )
        )
    return out


def _floor(claims: list[tuple[PersonContext, Claim]]) -> int:
    grand = 0
    for _person, claim in claims:
        total: Decimal | int = 0
        for line in claim.lines:
            total += line.quantity * line.unit_price_fen
        grand += int(total)
    return grand


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--explain", action="store_true", help="also time rendering the explanation lines"
    )
    args = parser.parse_args()
    rng = random.Random(2026)
    rules = policy_from_document(json.loads(DEMO.read_text("utf-8"))).benefits
    catalogue = _catalogue(rng)
    claims = _claims(rng, list(catalogue), args.claims)

    # CPU time of this process (one core): on a shared machine, wall time also counts
    # the time other processes held the CPU. Both are printed; best of --repeat runs.
    floor_cpu, floor_wall = _best(args.repeat, lambda: _floor(claims))
    calc_cpu, calc_wall = _best(args.repeat, lambda: _settle_all(rules, catalogue, claims))
    rate, floor_rate = args.claims / calc_cpu, args.claims / floor_cpu
    print(
        f"calculator: {args.claims} ten-line claims in {calc_cpu:.2f} s CPU ({calc_wall:.2f} s wall) "
        f"= {rate:,.0f} claims/s on one core ({args.claims / calc_wall:,.0f}/s wall)"
    )
    print(
        f"floor (plain loop summing the same line amounts): {floor_rate:,.0f} claims/s on one core"
    )
    print(
        f"ratio floor/calculator: {floor_rate / rate:.1f}x; target >= 20,000 claims/s: "
        f"{'met' if rate >= 20_000 else 'NOT met'}"
    )
    if args.explain:
        exp_cpu, _ = _best(
            1, lambda: [s.explanation for s in _settle_all(rules, catalogue, claims)]
        )
        print(
            f"with the Chinese explanation lines rendered too: {args.claims / exp_cpu:,.0f} claims/s"
        )


def _settle_all(
    rules: BenefitRules,
    catalogue: dict[str, CatalogueEntry],
    claims: list[tuple[PersonContext, Claim]],
) -> list[Settlement]:
    return [settle(rules=rules, catalogue=catalogue, person=p, claim=c) for p, c in claims]


def _best(repeat: int, fn: Callable[[], object]) -> tuple[float, float]:
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        best = min(best, (time.process_time() - cpu, time.perf_counter() - wall))
    return best


if __name__ == "__main__":
    main()

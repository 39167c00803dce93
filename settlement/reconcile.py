"""What `manage.py reconcile` proves about settlements (registered on RECONCILE_CHECKS).

- every accumulator equals the sum of its person's settlements of that year and scheme
  (admissions, second-tier amounts, count; and per cap scope the deductible met and the
  fund paid);
- every reversal mirrors the settlement it reverses, and each is reversed at most once;
- every settled visit has exactly one settlement in force.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection

from pooling.kernel.hooks import RECONCILE_CHECKS

SCALARS = """
    SELECT COALESCE(a.person_id, s.person_id), COALESCE(a.year, s.year), COALESCE(a.scheme, s.scheme),
           a.admissions, s.admissions, a.critical_paid_fen, s.critical, a.large_paid_fen, s.large, a.settlements, s.n
    FROM settlement_accumulator a FULL OUTER JOIN (
        SELECT person_id, year, scheme, SUM(admission) AS admissions, SUM(critical_base_fen) AS base,
               SUM(hifmi_pay) AS critical, SUM(hifob_pay) AS large,
               SUM(CASE WHEN kind = 'settle' THEN 1 ELSE -1 END) AS n
        FROM settlement_settlement GROUP BY person_id, year, scheme) s
      ON s.person_id = a.person_id AND s.year = a.year AND s.scheme = a.scheme
    WHERE a.person_id IS NULL OR s.person_id IS NULL OR a.admissions <> s.admissions
       OR a.critical_base_fen <> s.base OR a.critical_paid_fen <> s.critical OR a.large_paid_fen <> s.large
       OR a.settlements <> s.n"""

MIRRORS = """
    SELECT r.id, r.reverses_id FROM settlement_settlement r
    LEFT JOIN settlement_settlement o ON o.id = r.reverses_id AND o.month = r.reverses_month
    LEFT JOIN settlement_settlementreversal k ON k.reversal_id = r.id AND k.original_id = r.reverses_id
    WHERE r.kind = 'reverse' AND (o.id IS NULL OR k.id IS NULL OR o.kind <> 'settle'
       OR r.medfee_sumamt <> -o.medfee_sumamt OR r.hifp_pay <> -o.hifp_pay OR r.hifmi_pay <> -o.hifmi_pay
       OR r.hifob_pay <> -o.hifob_pay OR r.acct_pay <> -o.acct_pay OR r.psn_cash_pay <> -o.psn_cash_pay
       OR r.act_pay_dedc <> -o.act_pay_dedc OR r.person_id <> o.person_id)"""

VISITS = """
    SELECT v.id, v.month, COUNT(s.id) FROM settlement_visit v
    LEFT JOIN settlement_settlement s ON s.visit_id = v.id AND s.visit_month = v.month AND s.kind = 'settle'
      AND NOT EXISTS (SELECT 1 FROM settlement_settlementreversal k WHERE k.original_id = s.id)
    WHERE v.status = 'settled' GROUP BY v.id, v.month HAVING COUNT(s.id) <> 1"""


# Per cap scope: the accumulator's JSON (deductible met, fund paid per scope; an absent scope
# is 0) against the settlements' sums, set-wise, so a city's accumulators never pass through
# Python. The settlements' sums are built as the same JSON per (person, year, scheme), so the
# common case is one equality per accumulator; only a row whose JSON differs (or a zero kept
# for a scope on one side only) is taken apart scope by scope.
SCOPES = """
    WITH s AS (
        SELECT person_id, year, scheme, jsonb_object_agg(scope, deductible) AS dj, jsonb_object_agg(scope, fund) AS fj
        FROM (SELECT person_id, year, scheme, scope, SUM(act_pay_dedc) AS deductible, SUM(hifp_pay) AS fund
              FROM settlement_settlement GROUP BY person_id, year, scheme, scope) x
        GROUP BY person_id, year, scheme),
    differ AS (
        SELECT COALESCE(a.person_id, s.person_id) AS person_id, COALESCE(a.year, s.year) AS year,
               COALESCE(a.scheme, s.scheme) AS scheme, COALESCE(a.deductible_paid, '{}') AS ad,
               COALESCE(a.fund_paid, '{}') AS af, COALESCE(s.dj, '{}') AS dj, COALESCE(s.fj, '{}') AS fj
        FROM settlement_accumulator a FULL OUTER JOIN s
          ON s.person_id = a.person_id AND s.year = a.year AND s.scheme = a.scheme
        WHERE a.person_id IS NULL OR s.person_id IS NULL OR a.deductible_paid <> s.dj OR a.fund_paid <> s.fj)
    SELECT d.person_id, d.year, d.scheme, k.scope, jsonb_exists(d.ad, k.scope) OR jsonb_exists(d.af, k.scope),
           COALESCE((d.ad ->> k.scope)::bigint, 0), COALESCE((d.af ->> k.scope)::bigint, 0),
           jsonb_exists(d.dj, k.scope), COALESCE((d.dj ->> k.scope)::bigint, 0), COALESCE((d.fj ->> k.scope)::bigint, 0)
    FROM differ d CROSS JOIN LATERAL (
        SELECT jsonb_object_keys(d.ad) UNION SELECT jsonb_object_keys(d.af)
        UNION SELECT jsonb_object_keys(d.dj) UNION SELECT jsonb_object_keys(d.fj)) k(scope)
    WHERE COALESCE((d.ad ->> k.scope)::bigint, 0) <> COALESCE((d.dj ->> k.scope)::bigint, 0)
       OR COALESCE((d.af ->> k.scope)::bigint, 0) <> COALESCE((d.fj ->> k.scope)::bigint, 0)"""


def scopes(*, limit: int) -> list[tuple[Any, ...]]:
    """Per cap scope: the accumulator's deductible met and fund paid = the settlements' sums
    (rows: person, year, scheme, scope, [kept deductible, fund] or None, [summed …] or None)."""
    if connection.vendor != "postgresql":
        return _scopes_python(limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(f"{SCOPES} ORDER BY 1, 2, 3, 4 LIMIT {int(limit)}")
        return [
            (person, year, scheme, scope, [kd, kf] if kept else None, [sd, sf] if summed else None)
            for person, year, scheme, scope, kept, kd, kf, summed, sd, sf in cursor.fetchall()
        ]


def _scopes_python(*, limit: int) -> list[tuple[Any, ...]]:
    """The same comparison in Python (SQLite has no jsonb)."""
    sums: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id, year, scheme, scope, SUM(act_pay_dedc), SUM(hifp_pay)"
            " FROM settlement_settlement GROUP BY person_id, year, scheme, scope"
        )
        for person, year, scheme, scope, deductible, fund in cursor.fetchall():
            sums[(person, year, scheme, scope)] = [int(deductible), int(fund)]
    from settlement.models import Accumulator

    found: list[tuple[Any, ...]] = []
    kept: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for acc in Accumulator.objects.all().iterator(chunk_size=5000):
        for scope, value in acc.deductible_paid.items():
            kept[(acc.person_id, acc.year, acc.scheme, scope)][0] = int(value)
        for scope, value in acc.fund_paid.items():
            kept[(acc.person_id, acc.year, acc.scheme, scope)][1] = int(value)
    for key in sorted(set(sums) | set(kept), key=str):
        if sums.get(key, [0, 0]) != kept.get(key, [0, 0]):
            found.append((*key, kept.get(key), sums.get(key)))
            if len(found) >= limit:
                break
    return found


RECONCILE_CHECKS.register(
    {
        "待遇累计与结算记录不符 / accumulators differ from the settlements": SCALARS,
        "待遇累计分项与结算记录不符 / accumulators by cap scope differ from the settlements": scopes,
        "撤销记录与原结算不对应 / a reversal does not mirror its settlement": MIRRORS,
        "已结算就诊不是恰好一笔有效结算 / a settled visit has not exactly one settlement in force": VISITS,
    }
)

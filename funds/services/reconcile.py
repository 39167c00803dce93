"""Check every invariant of the ledger against the lines themselves.

The maintained balances and totals make pages fast; this proves they are true.
Each check is one SQL query that returns the offending rows (standard SQL, so it
runs on SQLite too). `manage.py reconcile` prints them and exits non-zero.

A sub-ledger whose control account lives in these books adds its own identities from
`<app>/reconcile.py` (`pooling.kernel.hooks.RECONCILE_CHECKS.register({name: sql or callable})`): the
personal accounts and settlements do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

CHECKS: dict[str, str] = {
    "分录借贷不平衡或少于两行 / entry unbalanced or fewer than two lines": """
        SELECT e.id, e.key, COALESCE(SUM(l.amount_fen), 0), COUNT(l.id)
        FROM funds_entry e LEFT JOIN funds_line l ON l.entry_id = e.id
        GROUP BY e.id, e.key HAVING COALESCE(SUM(l.amount_fen), 0) <> 0 OR COUNT(l.id) < 2""",
    "分录行与凭证或科目不在同一账簿 / line in another book than its entry or account": """
        SELECT l.id, l.book_id, e.book_id, a.book_id FROM funds_line l
        JOIN funds_entry e ON e.id = l.entry_id JOIN funds_account a ON a.id = l.account_id
        WHERE l.book_id <> e.book_id OR l.book_id <> a.book_id""",
    "凭证与会计期间不在同一账簿 / entry in another book than its period": """
        SELECT e.id, e.book_id, p.book_id FROM funds_entry e JOIN funds_period p ON p.id = e.period_id
        WHERE e.book_id <> p.book_id""",
    "县级科目记入了其他县 / county account line accounted to another county": """
        SELECT l.id, a.code, l.county_id FROM funds_line l JOIN funds_account a ON a.id = l.account_id
        WHERE a.city_level = FALSE AND a.county_id <> l.county_id""",
    "科目余额与分录不符 / account balance differs from its lines": """
        SELECT a.id, a.code, a.balance_fen, COALESCE(s.total, 0) FROM funds_account a
        LEFT JOIN (SELECT account_id, SUM(amount_fen) AS total FROM funds_line GROUP BY account_id) s
          ON s.account_id = a.id
        WHERE a.balance_fen <> COALESCE(s.total, 0)""",
    "发生额汇总与分录不符 / account totals differ from the lines": """
        SELECT COALESCE(t.account_id, s.account_id), COALESCE(t.county_id, s.county_id),
               COALESCE(t.period_id, s.period_id), t.debit_fen, s.debit, t.credit_fen, s.credit
        FROM funds_accounttotal t FULL OUTER JOIN (
            SELECT l.account_id, l.county_id, e.period_id,
                   SUM(CASE WHEN l.amount_fen > 0 THEN l.amount_fen ELSE 0 END) AS debit,
                   SUM(CASE WHEN l.amount_fen < 0 THEN -l.amount_fen ELSE 0 END) AS credit,
                   COUNT(*) AS n
            FROM funds_line l JOIN funds_entry e ON e.id = l.entry_id
            GROUP BY l.account_id, l.county_id, e.period_id) s
          ON s.account_id = t.account_id AND s.county_id = t.county_id AND s.period_id = t.period_id
        WHERE t.account_id IS NULL OR s.account_id IS NULL
           OR t.debit_fen <> s.debit OR t.credit_fen <> s.credit OR t.line_count <> s.n""",
    "账簿借贷合计不为零 / a book's balances do not sum to zero": """
        SELECT book_id, SUM(balance_fen) FROM funds_account GROUP BY book_id HAVING SUM(balance_fen) <> 0""",
    "不得透支的科目出现透支 / a no-overdraft account is overdrawn": """
        SELECT id, code, balance_fen FROM funds_account WHERE no_overdraft = TRUE
          AND ((side = 'D' AND balance_fen < 0) OR (side = 'C' AND balance_fen > 0))""",
    "结账后仍有新分录 / entry posted into a period after it was closed": """
        SELECT e.id, e.key, p.id FROM funds_entry e JOIN funds_period p ON p.id = e.period_id
        WHERE p.status = 'closed' AND e.posted_at > p.closed_at""",
    "冲销分录与原分录不对应 / a reversal does not mirror its entry": """
        SELECT r.id, r.reverses_id FROM funds_entry r
        JOIN funds_line rl ON rl.entry_id = r.id
        WHERE r.reverses_id IS NOT NULL
        GROUP BY r.id, r.reverses_id
        HAVING SUM(ABS(rl.amount_fen)) <> (SELECT SUM(ABS(ol.amount_fen)) FROM funds_line ol
                                          WHERE ol.entry_id = r.reverses_id)""",
}


@dataclass(frozen=True)
class Discrepancy:
    check: str
    row: tuple


def all_checks() -> dict[str, object]:
    """The ledger's checks, then every app's (registered in `<app>/reconcile.py`)."""
    from pooling.kernel.hooks import RECONCILE_CHECKS

    checks: dict[str, object] = dict(CHECKS)
    for extra in RECONCILE_CHECKS.items():
        checks.update(extra)
    return checks


def reconcile_ledger(*, limit: int = 20) -> list[Discrepancy]:
    """Run every check; return up to `limit` offending rows per check (empty: all true)."""
    found: list[Discrepancy] = []
    with connection.cursor() as cursor:
        for name, check in all_checks().items():
            if callable(check):
                found.extend(Discrepancy(name, tuple(row)) for row in check(limit=limit))
                continue
            sql = str(check)
            if connection.vendor == "sqlite" and "FULL OUTER JOIN" in sql and name in CHECKS:
                sql = _sqlite_totals_check()
            if connection.vendor == "postgresql":
                # The whole check first, then the limit: planned for LIMIT 1 an anti-join becomes
                # a nested loop over two city-sized sides (minutes at 500,000 accounts).
                sql = f"WITH found AS MATERIALIZED ({sql}) SELECT * FROM found"
            cursor.execute(f"{sql} LIMIT {int(limit)}")
            found.extend(Discrepancy(name, tuple(row)) for row in cursor.fetchall())
    return found


def _sqlite_totals_check() -> str:
    """Older SQLite lacks FULL OUTER JOIN: compare both ways with EXCEPT."""
    lines = """SELECT l.account_id, l.county_id, e.period_id,
                  SUM(CASE WHEN l.amount_fen > 0 THEN l.amount_fen ELSE 0 END),
                  SUM(CASE WHEN l.amount_fen < 0 THEN -l.amount_fen ELSE 0 END), COUNT(*)
               FROM funds_line l JOIN funds_entry e ON e.id = l.entry_id
               GROUP BY l.account_id, l.county_id, e.period_id"""
    totals = (
        "SELECT account_id, county_id, period_id, debit_fen, credit_fen, line_count"
        " FROM funds_accounttotal"
    )
    return (
        f"WITH l AS ({lines}), t AS ({totals}) SELECT * FROM (SELECT * FROM l EXCEPT SELECT * FROM t)"
        " UNION ALL SELECT * FROM (SELECT * FROM t EXCEPT SELECT * FROM l)"
    )

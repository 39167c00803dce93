"""The money side of a generated city month for `bench.cycle`: what the collection and accounts
steps work on, written set-wise (INSERT … SELECT) into the transaction of `_cycle_month.generate`.

Scale (per million settlements): one generated person per two settlements — 500,000 insured,
300,000 in-service employees (60 %) and 200,000 resident adults. Why: the month's settlements
come from the people who saw a doctor that month, about two visits each, and the employees
among them are what the accounts step works on (a credit per employee paid up, a payment per
visit paid from the account); 300,000 employees per million settlements is the city scale the
issue asks for. Employees work for employers of 15 people each (20,000 per million), in their
own county. For the month:
- each employee has one active employee enrolment with their employer; each resident a resident one;
- employers' declarations (one per employer, filed between the 5th and 14th), a line per employee
  with a declared base from one of twenty wage levels and each share computed by the policy
  (`enrollment.terms.employee_month`, asked once per level, as the set-wise allocation asks the
  policy once per age);
- tax collections matched to them, received between the 15th and 24th: 90 % of employers paid in
  full, 6 % in part (60 %: status partial, no account allocation), 3 % declared and not paid yet,
  1 % not declared at all, whose money arrives unmatched (declaration NULL: suspense);
- resident contributions: one resident in ten pays next year's contribution this month (the
  autumn collection), at the policy's standard;
- personal accounts: every employee's account holds an opening balance (50–2,050 yuan) from an
  allocation of the month before, swept into the books as the real sweep does it
  (`sweep_opening`, after the transaction); settlements of employees pay from it
  (`acct_pay`) in visit order until it runs out, each payment a posting `setl:<setl_id>` of
  kind payment, unmatched — the accounts step sweeps them. So the sub-ledger and its control
  account agree before and after the cycle (`reconcile` 0 differences).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from enrollment.models import PostingKind

EMPLOYER_SIZE = 15
WAGE_LEVELS = [400_000 + 80_000 * i for i in range(20)]  # declared monthly bases, 4,000–19,200 yuan
EMPLOYER_NAME = "基准参保单位"


def prepare_people(cursor: Any, id_prefix: str) -> None:
    """bench_people: the generated people numbered (k city-wide, ck within county and scheme),
    their scheme and opening account balance (employees only)."""
    cursor.execute(
        """
        CREATE TEMP TABLE bench_people ON COMMIT DROP AS
        SELECT k, id, id_number, county_id, scheme, ck,
               CASE WHEN scheme = 'employee' THEN 5000 + (k * 7919) %% 200000 ELSE 0 END AS opening
        FROM (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, id_number, county_id,
                     CASE WHEN category = 'in_service' THEN 'employee' ELSE 'resident' END AS scheme,
                     row_number() OVER (PARTITION BY county_id, category ORDER BY id) - 1 AS ck
              FROM enrollment_person WHERE id_number LIKE %s) x;
        CREATE UNIQUE INDEX ON bench_people (k); CREATE UNIQUE INDEX ON bench_people (id);
        ANALYZE bench_people""",
        [id_prefix + "%"],
    )


def contributions(cursor: Any, month: date) -> dict[str, int]:
    """Employers, enrolments, declarations with their lines, collections, resident payments."""
    _employers(cursor)
    _enrolments(cursor)
    _declarations(cursor, month)
    _collections(cursor, month)
    residents = _residents(cursor, month)
    cursor.execute(
        "SELECT count(*) FILTER (WHERE kind = 'd'), count(*) FILTER (WHERE kind = 'l'),"
        " count(*) FILTER (WHERE kind = 'c') FROM ("
        " SELECT 'd' AS kind FROM enrollment_declaration d JOIN bench_employers e ON e.id = d.employer_id"
        "  WHERE d.month = %(m)s UNION ALL"
        " SELECT 'l' FROM enrollment_declarationline l JOIN bench_people p ON p.id = l.person_id"
        "  WHERE l.month = %(m)s UNION ALL"
        " SELECT 'c' FROM enrollment_collection c JOIN bench_employers e ON e.id = c.employer_id"
        "  WHERE c.month = %(m)s) x",
        {"m": month},
    )
    declarations, lines, collections = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM bench_employers")
    return {
        "employers": cursor.fetchone()[0],
        "declarations": declarations,
        "lines": lines,
        "collections": collections,
        "residents_paid": residents,
    }


def _employers(cursor: Any) -> None:
    """One employer per EMPLOYER_SIZE employees of a county; `fate` (0–99) decides its month:
    0 not declared (money unmatched), 1–3 declared unpaid, 4–9 paid in part, else in full."""
    cursor.execute(
        f"""
        INSERT INTO enrollment_employer (county_id, credit_code, name, industry, contact_name, contact_phone,
            address, status, created_at)
        SELECT county_id, '93' || county_id || lpad(e::text, 10, '0'), '{EMPLOYER_NAME}' || county_id || '-' || e,
               '', '', '', '', 'active', now()
        FROM (SELECT DISTINCT county_id, ck / {EMPLOYER_SIZE} AS e FROM bench_people WHERE scheme = 'employee') x;
        CREATE TEMP TABLE bench_employers ON COMMIT DROP AS
        SELECT id, county_id, substring(name FROM '-([0-9]+)$')::int AS e, (id * 7919) % 100 AS fate
        FROM enrollment_employer WHERE name LIKE '{EMPLOYER_NAME}%';
        CREATE UNIQUE INDEX ON bench_employers (county_id, e); ANALYZE bench_employers"""
    )


def _enrolments(cursor: Any) -> None:
    cursor.execute(
        f"""
        INSERT INTO enrollment_enrolment (county_id, person_id, scheme, employer_id, start_month, status,
            waiting_months, benefits_from, status_reason, created_at)
        SELECT p.county_id, p.id, p.scheme, e.id, DATE '2020-01-01', 'active', 0, DATE '2020-01-01', '', now()
        FROM bench_people p LEFT JOIN bench_employers e
          ON p.scheme = 'employee' AND e.county_id = p.county_id AND e.e = p.ck / {EMPLOYER_SIZE}"""
    )


def _declarations(cursor: Any, month: date) -> None:
    from enrollment.terms import employee_month

    terms = [employee_month(month=month, declared_base_fen=b) for b in WAGE_LEVELS]
    cursor.execute(
        """
        INSERT INTO enrollment_declaration (county_id, employer_id, month, total_fen, paid_fen, status, created_at)
        SELECT county_id, id, %(m)s, 0, 0, 'declared',
               ((%(m)s::date + (4 + id %% 10)::int)::timestamp + interval '10 hours') AT TIME ZONE 'Asia/Shanghai'
        FROM bench_employers WHERE fate >= 1;
        INSERT INTO enrollment_declarationline (county_id, declaration_id, person_id, enrolment_id, scheme, month,
            declared_base_fen, base_fen, base_clamped, employer_fen, employee_fen, maternity_fen, account_fen)
        SELECT d.county_id, d.id, p.id, en.id, 'employee', %(m)s, t.declared, t.base, t.clamped, t.employer,
               t.employee, t.maternity, t.account
        FROM bench_people p
        JOIN bench_employers e ON e.county_id = p.county_id AND e.e = p.ck / %(size)s
        JOIN enrollment_declaration d ON d.employer_id = e.id AND d.month = %(m)s
        JOIN enrollment_enrolment en ON en.person_id = p.id AND en.status = 'active'
        JOIN unnest(%(declared)s::bigint[], %(base)s::bigint[], %(clamped)s::bool[], %(employer)s::bigint[],
                    %(employee)s::bigint[], %(maternity)s::bigint[], %(account)s::bigint[])
             WITH ORDINALITY AS t(declared, base, clamped, employer, employee, maternity, account, i)
          ON t.i = 1 + (p.k * 104729) %% %(levels)s
        WHERE p.scheme = 'employee';
        UPDATE enrollment_declaration d SET total_fen = s.total
        FROM (SELECT declaration_id, sum(employer_fen + employee_fen + maternity_fen) AS total
              FROM enrollment_declarationline WHERE month = %(m)s GROUP BY declaration_id) s
        WHERE d.id = s.declaration_id AND d.month = %(m)s""",
        {
            "m": month,
            "size": EMPLOYER_SIZE,
            "levels": len(terms),
            "declared": [t.declared_base_fen for t in terms],
            "base": [t.base_fen for t in terms],
            "clamped": [t.clamped for t in terms],
            "employer": [t.employer_fen for t in terms],
            "employee": [t.employee_fen for t in terms],
            "maternity": [t.maternity_fen for t in terms],
            "account": [t.account_fen for t in terms],
        },
    )


def _collections(cursor: Any, month: date) -> None:
    """The tax bureau's money: in full (fate ≥ 10), 60 % (4–9), or unmatched (0: no declaration,
    a month's worth for its employees at the lowest level's rate, all the same)."""
    cursor.execute(
        """
        INSERT INTO enrollment_collection (county_id, tax_ref, employer_id, month, amount_fen, received_on,
            declaration_id, created_at)
        SELECT e.county_id, 'BENCH' || to_char(%(m)s::date, 'YYYYMM') || lpad(e.id::text, 12, '0'), e.id, %(m)s,
               CASE WHEN e.fate = 0 THEN %(size)s * 50000
                    WHEN e.fate < 10 THEN d.total_fen * 6 / 10 ELSE d.total_fen END,
               %(m)s::date + (14 + e.id %% 10)::int, d.id, now()
        FROM bench_employers e LEFT JOIN enrollment_declaration d ON d.employer_id = e.id AND d.month = %(m)s
        WHERE e.fate = 0 OR (e.fate >= 4 AND d.total_fen > 0);
        UPDATE enrollment_declaration d SET paid_fen = c.paid,
               status = CASE WHEN c.paid >= d.total_fen THEN 'paid' ELSE 'partial' END
        FROM (SELECT declaration_id, sum(amount_fen) AS paid FROM enrollment_collection
              WHERE month = %(m)s AND declaration_id IS NOT NULL GROUP BY declaration_id) c
        WHERE d.id = c.declaration_id AND d.month = %(m)s""",
        {"m": month, "size": EMPLOYER_SIZE},
    )


def _residents(cursor: Any, month: date) -> int:
    """One resident in ten pays next year's contribution in the month (this year's policy
    amount if next year's policy is not published yet)."""
    from enrollment.terms import resident_year

    year = month.year + 1
    try:
        terms = resident_year(year=year, category="resident_adult", special_group="")
    except Exception:  # noqa: BLE001 — no policy for next year yet: this year's standard
        year = month.year
        terms = resident_year(year=year, category="resident_adult", special_group="")
    cursor.execute(
        """
        INSERT INTO enrollment_residentcontribution (county_id, person_id, enrolment_id, year, standard_fen,
            subsidy_fen, paid_fen, paid_on, created_at)
        SELECT p.county_id, p.id, en.id, %(year)s, %(standard)s, %(subsidy)s, %(paid)s, %(m)s::date + (p.k %% 28)::int, now()
        FROM bench_people p JOIN enrollment_enrolment en ON en.person_id = p.id AND en.status = 'active'
        WHERE p.scheme = 'resident' AND p.ck %% 10 = 0""",
        {
            "year": year,
            "standard": terms.standard_fen,
            "subsidy": terms.subsidy_fen,
            "paid": terms.payable_fen,
            "m": month,
        },
    )
    return int(cursor.rowcount)


def accounts(cursor: Any, month: date) -> dict[str, int]:
    """Accounts (opening − the month's payments), the opening allocations of the month before
    (unmatched until `sweep_opening`) and the month's payments (unmatched: the cycle sweeps them)."""
    before = (month - timedelta(days=1)).replace(day=1)
    alloc, pay = PostingKind.ALLOCATION, PostingKind.PAYMENT
    cursor.execute(
        """
        INSERT INTO enrollment_personalaccount (person_id, balance_fen, opened_at)
        SELECT p.id, p.opening - coalesce(s.paid, 0), now()
        FROM bench_people p LEFT JOIN (SELECT person_id, sum(acct_pay) AS paid FROM settlement_settlement
                                       WHERE month = %(m)s AND acct_pay > 0 GROUP BY person_id) s
          ON s.person_id = p.id
        WHERE p.scheme = 'employee';
        INSERT INTO enrollment_accountposting (county_id, account_id, kind, month, amount_fen, key, payload_hash,
            memo, created_at)
        SELECT p.county_id, a.id, %(alloc)s, %(before)s, p.opening,
               'alloc:' || p.id_number || %(before_tail)s,
               encode(sha256(convert_to('(' || p.id || %(alloc_mid)s || p.opening || ')', 'UTF8')), 'hex'),
               '个人账户划入（缴费到账）', now()
        FROM bench_people p JOIN enrollment_personalaccount a ON a.person_id = p.id;
        INSERT INTO enrollment_accountposting (county_id, account_id, kind, month, amount_fen, key, payload_hash,
            memo, created_at)
        SELECT p.county_id, a.id, %(pay)s, %(m)s, -s.acct_pay, 'setl:' || to_char(%(m)s::date, 'YYYYMM') || s.id,
               encode(sha256(convert_to('(' || p.id || %(pay_mid)s || -s.acct_pay || ')', 'UTF8')), 'hex'),
               '结算 ' || to_char(%(m)s::date, 'YYYYMM') || s.id, now()
        FROM settlement_settlement s JOIN bench_people p ON p.id = s.person_id
        JOIN enrollment_personalaccount a ON a.person_id = p.id
        WHERE s.month = %(m)s AND s.acct_pay > 0""",
        {
            "m": month,
            "before": before,
            "alloc": alloc.value,
            "pay": pay.value,
            "before_tail": f":{before:%Y-%m}",
            # the payload hash of `enrollment.services.subledger.payload_hash`, as the set-wise
            # allocation computes it: sha256 of repr((person_id, kind member, month iso, amount))
            "alloc_mid": f", {alloc!r}, {before.isoformat()!r}, ",
            "pay_mid": f", {pay!r}, {month.isoformat()!r}, ",
        },
    )
    cursor.execute(
        "SELECT count(*), coalesce(sum(acct_pay), 0) FROM settlement_settlement WHERE month = %s AND acct_pay > 0",
        [month],
    )
    payments, paid = cursor.fetchone()
    return {"payments": payments, "acct_pay_fen": int(paid)}


def sweep_opening(month: date) -> None:
    """The opening allocations into the books through the real sweep (per county; dated on the
    month's first day, as the opening fund balances are)."""
    from enrollment.models import AccountPosting
    from enrollment.services.sweep import account_postings_sweep
    from pooling.kernel.audit import system_job
    from pooling.kernel.permissions import system_actor

    before = (month - timedelta(days=1)).replace(day=1)
    actor = system_actor("bench.cycle", "基准测试：期初个人账户", {"account.sweep", "ledger.post"})
    counties = sorted(
        set(
            AccountPosting.objects.filter(
                batch__isnull=True, month=before, key__startswith="alloc:9"
            ).values_list("county_id", flat=True)
        )
    )
    with system_job(actor):
        for county in counties:
            account_postings_sweep(county_code=county, month=before, actor=actor, entry_date=month)

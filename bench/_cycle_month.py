"""A generated city month for `bench.cycle`, written straight into PostgreSQL (INSERT … SELECT
generate_series, set-based; timed apart from the cycle: 1,000,000 settlements with their
500,000 people and the month's money in 1.5–2 minutes on the shared 2 cores).

What is generated for the month, on top of the demo city:
- providers up to 500 in all, spread over the city's county handling units (performing hospitals
  and pharmacies);
- insured people (one per 2 settlements: 500,000 at a million; 60 % in-service employees,
  40 % resident adults), spread over the counties, with their employers, enrolments,
  declarations, collections, resident contributions and personal accounts
  (`bench._cycle_money`, which says why this scale);
- N settlements (kind settle, channel file: 批量结算) of those people at the performing providers
  handled by a county's agency (not the city agency's own: see bench/cycle.py on why),
  about 5 lines' worth of money each; 5 % inpatient (admission, second tier paid); amounts
  split as the calculator would shape them (fund, critical illness / large expense, account,
  cash): an employee's own share is paid from the personal account, visit by visit, while
  its opening balance lasts (`balc` the balance left); every settlement carries its person's
  county and its provider's handling unit;
- the people's accumulators (= the sums of their settlements, so the settlement reconcile
  checks hold);
- a monthly fund-use plan per book × county (what `funds_monthlyplan` holds on main today).

Not generated: fee-detail lines and visits (the cycle reads settlements, not their lines: the
settlements carry `visit_id` NULL as claims by file do), reversals, retirees (no retiree
allocation), transfers between counties.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

BOOKS_BY_SCHEME = {"employee": "employee_pooled", "resident": "resident"}
PROVIDER_BASE = 50_000  # generated national codes H<county><5 digits ≥ 50000>: never a demo code
PERSON_ID_PREFIX = "9"  # generated id numbers 9000…: never a real 320… number
PEOPLE_PER = 2  # settlements per generated person (see `bench._cycle_money` on the scale)


def generate(*, month: date, settlements: int, providers: int = 500) -> dict[str, int]:
    """Write the month; returns row counts. Call on a fresh copy of the demo database."""
    from bench import _cycle_money as money

    with transaction.atomic(), connection.cursor() as cursor:
        # A generator, not the system under test: no waiting for the WAL, and no row-by-row
        # deferred foreign-key checks at COMMIT (half the generation time at 1M: the rows are
        # made from the keys just read, and the small runs of tests/bench check them).
        cursor.execute(
            "SET LOCAL synchronous_commit = off; SET LOCAL session_replication_role = replica"
        )
        n_providers = _providers(cursor, providers)
        n_people = _people(cursor, max(2_000, settlements // PEOPLE_PER))
        money.prepare_people(cursor, PERSON_ID_PREFIX)
        counts = money.contributions(cursor, month)
        _settlements(cursor, month, settlements)
        _accumulators(cursor)
        counts.update(money.accounts(cursor, month))
        plans = _plan(cursor, month)
        _approve(cursor, month)
        cursor.execute(
            "ANALYZE settlement_settlement; ANALYZE settlement_accumulator; ANALYZE providers_provider;"
            " ANALYZE enrollment_accountposting; ANALYZE enrollment_personalaccount; ANALYZE enrollment_person;"
            " ANALYZE enrollment_declaration; ANALYZE enrollment_declarationline; ANALYZE enrollment_collection;"
            " ANALYZE enrollment_enrolment; ANALYZE enrollment_employer; ANALYZE enrollment_residentcontribution"
        )
    _opening_balances(month)
    money.sweep_opening(month)
    return {
        "providers": n_providers,
        "people": n_people,
        "settlements": settlements,
        "plans": plans,
        **counts,
    }


def _counties(cursor) -> list[str]:
    """The pooling area's counties (the demo city's, whichever city it is)."""
    from django.conf import settings

    cursor.execute(
        "SELECT code FROM pooling_region WHERE level = 'county' AND is_active AND code LIKE %s"
        " ORDER BY code",
        [settings.POOLING_AREA_CODE[:4] + "%"],
    )
    return [row[0] for row in cursor.fetchall()]


def _providers(cursor, total: int) -> int:
    cursor.execute("SELECT count(*) FROM providers_provider")
    have = cursor.fetchone()[0]
    cursor.execute(
        f"""
        INSERT INTO providers_provider (kind, name, national_code, credit_code, address, level, grade,
            hospital_type, ownership, opened_on, state, accepted_on, paused_days, created_at,
            handling_region_id, location_region_id)
        SELECT CASE WHEN g %% 4 = 0 THEN 'pharmacy' ELSE 'hospital' END,
               '基准机构' || g, CASE WHEN g %% 4 = 0 THEN 'P' ELSE 'H' END || c || lpad(({PROVIDER_BASE} + g)::text, 5, '0'),
               '92' || c || lpad(g::text, 10, '0'), '盐城市', CASE WHEN g %% 4 = 0 THEN '' ELSE 'level2' END, '', '',
               'public', DATE '2020-01-01', 'performing', DATE '2020-06-01', 0, now(), c, c
        FROM generate_series(1, %s) g,
             LATERAL (SELECT (%s::varchar[])[1 + g %% cardinality(%s::varchar[])] AS c) cc""",
        [max(0, total - have), _counties(cursor), _counties(cursor)],
    )
    return max(total, have)


def _people(cursor, count: int) -> int:
    cursor.execute(
        """
        INSERT INTO enrollment_person (id_number, name, sex, birth_date, phone, address, category, special_group,
            prior_contribution_months, created_at, county_id)
        SELECT %s || lpad(g::text, 17, '0'), '基准参保人' || g, CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
               DATE '1960-01-01' + (g %% 15000), '', '',
               CASE WHEN g %% 10 < 6 THEN 'in_service' ELSE 'resident_adult' END, '', 0, now(),
               (%s::varchar[])[1 + g %% cardinality(%s::varchar[])]
        FROM generate_series(1, %s) g""",
        [PERSON_ID_PREFIX, _counties(cursor), _counties(cursor), count],
    )
    return count


def _settlements(cursor, month: date, count: int) -> None:
    """One INSERT … SELECT; people and providers are picked by arithmetic on the row number."""
    cursor.execute(
        """
        CREATE TEMP TABLE bench_providers ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, handling_region_id
        FROM providers_provider WHERE state = 'performing'
          AND handling_region_id IN (SELECT code FROM pooling_region WHERE level = 'county');
        CREATE UNIQUE INDEX ON bench_providers (k); ANALYZE bench_providers"""
    )
    cursor.execute(
        """
        WITH n AS (SELECT (SELECT count(*) FROM bench_people) AS people,
                          (SELECT count(*) FROM bench_providers) AS providers),
        src AS (
            SELECT g, p.id AS person_id, p.county_id, p.scheme, p.opening, v.id AS provider_id, v.handling_region_id,
                   g %% 20 = 0 AS inpatient,
                   -- about five lines: 5 × (10–400 yuan), an inpatient stay 20× that
                   (5 * (1000 + (g * 7919) %% 39000)) * CASE WHEN g %% 20 = 0 THEN 20 ELSE 1 END AS total
            FROM generate_series(1::bigint, %(count)s) g CROSS JOIN n
            JOIN bench_people p ON p.k = (g * 104729) %% n.people
            JOIN bench_providers v ON v.k = (g * 7919) %% n.providers),
        amounts AS (
            SELECT *, total / 10 AS excluded, (total - total / 10) AS in_scope,
                   CASE WHEN inpatient THEN 80000 ELSE 0 END AS deductible FROM src),
        paid AS (
            SELECT *, ((in_scope - deductible) * CASE WHEN scheme = 'employee' THEN 85 ELSE 70 END) / 100 AS fund,
                   CASE WHEN inpatient THEN in_scope / 20 ELSE 0 END AS second FROM amounts),
        -- employees pay their own share from the account, in visit order, until it runs out
        own AS (
            SELECT *, total - fund - second AS own_fen,
                   opening - coalesce(sum(total - fund - second) OVER (PARTITION BY person_id ORDER BY g
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS left_fen FROM paid),
        acct AS (SELECT *, greatest(0, least(own_fen, left_fen)) AS acct_fen FROM own)
        INSERT INTO settlement_settlement (month, kind, channel, visit_id, visit_month, insutype, med_type, clr_type,
            scheme, fund_book, scope, year, service_date, setl_time, policy_code, catalogue_code, medfee_sumamt,
            fulamt_ownpay_amt, overlmt_selfpay, preselfpay_amt, inscp_scp_amt, act_pay_dedc, hifp_pay,
            pool_prop_selfpay, hifmi_pay, hifob_pay, fund_pay_sumamt, acct_pay, psn_cash_pay, over_cap_fen,
            copay_fen, balc, critical_base_fen, admission, detail, msgid, chrg_bchno, invono, reason, operator,
            handling_unit_id, insured_county_id, person_id, provider_id)
        SELECT %(month)s, 'settle', 'file', NULL, NULL, CASE WHEN scheme = 'employee' THEN '310' ELSE '390' END,
               CASE WHEN inpatient THEN '21' ELSE '11' END, CASE WHEN inpatient THEN '21' ELSE '11' END,
               scheme, CASE WHEN scheme = 'employee' THEN 'employee_pooled' ELSE 'resident' END,
               CASE WHEN inpatient THEN 'inpatient' ELSE 'outpatient' END, %(year)s,
               %(month)s + (g %% 28)::int, (%(month)s + (g %% 28)::int)::timestamp + interval '9 hours' + (g %% 28800) * interval '1 second',
               'YC-2026', 'DEMO-2026', total, excluded, 0, 0, in_scope, deductible, fund,
               CASE WHEN scheme = 'employee' THEN 0.85 ELSE 0.70 END,
               CASE WHEN scheme = 'resident' THEN second ELSE 0 END, CASE WHEN scheme = 'employee' THEN second ELSE 0 END,
               fund + second, acct_fen, own_fen - acct_fen, 0, in_scope - deductible - fund,
               CASE WHEN scheme = 'employee' THEN greatest(0, left_fen) - acct_fen ELSE 0 END,
               CASE WHEN inpatient AND scheme = 'resident' THEN in_scope - deductible - fund ELSE 0 END,
               CASE WHEN inpatient THEN 1 ELSE 0 END, '{}'::jsonb, '', '', '', '', 'bench',
               handling_region_id, county_id, person_id, provider_id
        FROM acct""",
        {"count": count, "month": month, "year": month.year},
    )


def _accumulators(cursor) -> None:
    """The generated people's year-to-date rows: exactly the sums of their settlements."""
    cursor.execute("""
        WITH s AS (
            SELECT s.person_id, s.year, s.scheme, s.scope, sum(s.act_pay_dedc) AS dedc, sum(s.hifp_pay) AS fund,
                   sum(s.admission) AS adm, sum(s.critical_base_fen) AS base, sum(s.hifmi_pay) AS mi,
                   sum(s.hifob_pay) AS ob, count(*) AS n
            FROM settlement_settlement s JOIN bench_people p ON p.id = s.person_id
            GROUP BY s.person_id, s.year, s.scheme, s.scope)
        INSERT INTO settlement_accumulator (person_id, year, scheme, admissions, deductible_paid, fund_paid,
            critical_base_fen, critical_paid_fen, large_paid_fen, settlements, updated_at)
        SELECT person_id, year, scheme, sum(adm), jsonb_object_agg(scope, dedc), jsonb_object_agg(scope, fund),
               sum(base), sum(mi), sum(ob), sum(n), now()
        FROM s GROUP BY person_id, year, scheme""")


def _plan(cursor, month: date) -> int:
    """A plan per book × county: what the month will pay from that county's expenditure account
    (each book's share; the larger of the county's insured people's spending and what its
    providers are paid, since clearing settles the difference afterwards), with 20 % headroom."""
    cursor.execute(
        """
        WITH s AS (SELECT * FROM settlement_settlement WHERE month = %(month)s),
        amounts AS (
            SELECT fund_book AS book, insured_county_id AS ic, handling_unit_id AS hu, hifp_pay AS amt FROM s
            UNION ALL SELECT 'employee_personal', insured_county_id, handling_unit_id, acct_pay FROM s
            UNION ALL SELECT 'resident_critical', insured_county_id, handling_unit_id, hifmi_pay FROM s
            UNION ALL SELECT 'employee_large', insured_county_id, handling_unit_id, hifob_pay FROM s),
        sides AS (
            SELECT book, ic AS county, sum(amt) AS total FROM amounts GROUP BY 1, 2
            UNION ALL SELECT book, hu, sum(amt) FROM amounts GROUP BY 1, 2),
        need AS (SELECT book, county, max(total) AS total FROM sides GROUP BY 1, 2 HAVING max(total) > 0)
        INSERT INTO funds_monthlyplan (year, month, planned_expense_fen, book_id, county_id)
        SELECT %(year)s, %(m)s, (need.total * 12) / 10, b.id, need.county
        FROM need JOIN funds_book b ON b.code = need.book
        WHERE need.county IN (SELECT code FROM pooling_region WHERE level = 'county')
        ON CONFLICT (book_id, county_id, year, month) DO UPDATE
            SET planned_expense_fen = greatest(funds_monthlyplan.planned_expense_fen, excluded.planned_expense_fen)""",
        {"year": month.year, "m": month.month, "month": month},
    )
    return cursor.rowcount


def _approve(cursor, month: date) -> None:
    """The month's plans approved by the bureau (where the schema has approval yet)."""
    cursor.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'funds_monthlyplan'"
        " AND column_name = 'approved_at'"
    )
    if cursor.fetchone():
        cursor.execute(
            """UPDATE funds_monthlyplan SET approved_at = now(),
                              approved_by_id = (SELECT id FROM pooling_user WHERE username = 'bureau_admin')
                          WHERE year = %s AND month = %s AND approved_at IS NULL""",
            [month.year, month.month],
        )


def _opening_balances(month: date) -> None:
    """The fund's accumulated balance in the city's fiscal special account (twice the month's plan
    per book and county), posted through the ledger before the month, so disbursement has money
    to move without overdrawing — as a real fund would have from earlier years."""
    from django.conf import settings

    from funds.chart import Category as C
    from funds.chart import account_code
    from funds.models import Book, MonthlyPlan
    from funds.services import EntrySpec, cr, dr, post_entries_bulk
    from pooling.kernel.permissions import system_actor

    actor = system_actor("bench.cycle", "基准测试：期初结余", {"ledger.post"})
    city = settings.POOLING_AREA_CODE
    for book in Book.objects.all():
        plans = MonthlyPlan.objects.filter(book=book, year=month.year, month=month.month)
        lines = []
        for p in plans:
            lines += [
                dr(account_code(C.FISCAL_SPECIAL, city), 2 * p.planned_expense_fen, p.county_id),
                cr(account_code(C.FUND_BALANCE, city), 2 * p.planned_expense_fen, p.county_id),
            ]
        if lines:
            post_entries_bulk(
                book=book,
                actor=actor,
                entries=[
                    EntrySpec(
                        key=f"bench:opening:{month:%Y-%m}:{book.code}",
                        lines=lines,
                        memo="基准测试：期初基金结余",
                        entry_date=month,
                        source="bench.cycle",
                    )
                ],
            )


def floor(month: date) -> tuple[float, int]:
    """The floor of issue 13: one GROUP BY of the month's settlements into provider × book totals."""
    import time

    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(
            """
            SELECT provider_id, fund_book, count(*), sum(medfee_sumamt), sum(hifp_pay), sum(hifmi_pay),
                   sum(hifob_pay), sum(acct_pay), sum(psn_cash_pay)
            FROM settlement_settlement WHERE month = %s GROUP BY provider_id, fund_book""",
            [month],
        )
        rows = cursor.fetchall()
        return time.perf_counter() - start, len(rows)

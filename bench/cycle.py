"""The monthly cycle at city scale (issue 13 "Speed"): a generated month through `settlement.cycle`
with real `celery worker` processes on Redis, beside two floors: the issue's (one SQL GROUP BY)
and the least work any correct cycle of this system must do (`bench/_cycle_floor.py`).

    BENCH_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/pooling_bench_cycle \\
        make bench ARGS="cycle [--settlements 1000000] [--workers 1,2] [--month 2026-10]"
    DATABASE_URL=… .venv/bin/python -m bench cycle --settlements 1000000 --workers 1,2
    DATABASE_URL=… .venv/bin/python -m bench cycle --settlements 4000000 --workers 1 --timeout 1500
    … --reuse-generated   start from the month the last run of that size generated (kept as <name>_gen)

Per trial (one per worker count; a month runs once, so the first trial starts from a copy of
the demo city, `CREATE DATABASE … TEMPLATE <name>_tpl`, built once by migrate + load_demo, and
the next trials from a copy of the month it generated):
1. generate the month (`bench/_cycle_month.py`, `bench/_cycle_money.py`: 500 providers; one
   insured person per two settlements, 60 % employees of employers of 15; the month's
   declarations with a line per employee, tax collections — 90 % of employers in full, 6 % in
   part, 3 % not yet, 1 % unmatched —, one resident in ten paying next year's contribution,
   personal accounts with an opening balance swept into the books, the settlements paying
   from them; the accumulators; the monthly plan) — timed, set-wise SQL;
2. the floors: the issue's `GROUP BY` of the month into provider × book (median of three), and
   the work floor: the same GROUP BY, the month's collections per county × book, the month's
   account credits written as one INSERT … SELECT, the month's postings matched to batches as
   one UPDATE, one GROUP BY of the month per person for the accumulator proof (rolled back);
3. the cycle: W `celery worker` processes (concurrency 1 each: "W worker processes", as on W
   machines) on Redis, the run started with `settlement.cycle.runner.run_start` as the cycle's
   job (`CYCLE_JOB`, as beat does), polled until done; total seconds, seconds per step (from
   the step rows), the shards each step planned, the ratio to both floors; then what
   `manage.py reconcile` and the month's reconciliation page find (must be 0 and 0).
Aims (issue 13): ≤ 60 s at 1,000,000 settlements, within 3× of the floor, linear in N.

Measured 2026-11-30 on the 2 cores shared with other engineers' suites (month 2026-09) — load
average (`uptime`, 1 min, sampled every 15 s over the run; the 4–5.4 row: at its start and end)
beside each row; rest = the other six steps.
On main after every merge (49b89a5), 03:00–03:03, load 0.7–2.5 (the same command, 1M, workers 1,2):
    1,000,000        1    44.0 s  0.18 s  16.6 s  38.7 s   217×   2.3×    25.9 s      6.5 s     3.4 s  2.9 s  0.7–2.5
    1,000,000        2   (same)   0.21 s  15.0 s  38.1 s   178×   2.5×    25.2 s      6.6 s     3.3 s  3.0 s  0.7–2.5
Before that, 02:16–02:32, branch acctspeed (sweep in one UPDATE; postings without 3 unread indexes;
account pages with room for HOT balance updates — enrollment 0015, 0016):
  settlements  workers  generate  floor   work    cycle  ÷floor  ÷work  accounts  reconcile  providers  rest   load
      250,000        1    15.2 s  0.08 s   4.6 s  15.2 s   193×   3.3×     8.0 s      2.7 s     2.4 s  2.1 s  3.2–3.5
    1,000,000        1    43.0 s  0.28 s  16.1 s  39.5 s   139×   2.5×    26.5 s      6.6 s     3.4 s  3.0 s  2.2–2.5
    1,000,000        2   (same)   0.32 s  16.5 s  38.4 s   120×   2.3×    26.0 s      6.7 s     3.0 s  2.7 s  2.2–2.5
The same generated month at b26871e (main before this branch), in the same half hour:
    1,000,000        1    55.0 s  0.19 s  21.3 s  54.0 s   279×   2.5×    37.3 s      9.3 s     4.1 s  3.3 s  1.9–3.7
    1,000,000        1    67.1 s  0.33 s  24.3 s  49.7 s   152×   2.1×    37.1 s      6.4 s     3.1 s  3.1 s    4–5.4
(The work floor fell with the cycle: its credits and matching write the same rows into the same
indexes — 6.4 → 4.8 s and 13.0 → 9.8 s — so ÷work stays 2.3–2.5×. The accounts step before
took 37.1–37.3 s at load 1.9–5.4, so its 26.5 s is the change, not a quieter hour; the whole
cycle's 54.0 → 39.5 s owes ~3 s of reconcile and providers to the load, 1.9–3.7 against 2.2–2.5.)
Earlier, 01:40–02:10, at 30912e1:
    1,000,000        1    58.2 s  0.28 s  23.9 s  55.8 s   202×   2.3×    40.1 s      8.3 s     3.8 s  3.6 s    4–5
    1,000,000        2   (same)   0.27 s  23.9 s  53.5 s   201×   2.2×    38.6 s      7.8 s     3.6 s  3.5 s    4–5
Before 30912e1 (the allocation still looked every key up, the sweep fetched a row per posting):
      250,000        1    21.0 s  0.13 s   8.3 s  25.1 s   190×   3.0×    14.9 s      3.5 s     3.9 s  2.8 s    7–9
    1,000,000        1    58.2 s  0.28 s  24.9 s  62.4 s   223×   2.5×    46.2 s      8.5 s     4.1 s  3.6 s    4–5
    1,000,000        1   116.3 s  0.56 s  63.5 s  96.9 s   175×   1.5×    75.0 s     10.1 s     5.3 s  6.5 s   9–13
    1,000,000        2   (same)   0.47 s  51.3 s 107.3 s   227×   2.1×    80.7 s     10.7 s     5.9 s 10.0 s   8–10
    4,000,000        1   277.9 s  0.98 s 122.2 s 272.5 s   279×   2.2×   218.6 s     34.3 s     9.3 s 10.3 s    4–7
The same month at load 4–5 and at 9–13 differs by 1.7× (62.4 / 96.9 s): compare rows at the
same load.
At 1,000,000: 500,000 people, 20,009 employers, 297,014 declaration lines, 19,409 collections
(200 unmatched), 20,006 resident contributions, 549,720 personal-account payments; the cycle
allocates 269,999 account credits and matches 819,719 postings in 22 batches; 496 statements;
reconcile 0 ledger discrepancies, 0 month differences after every run.

≤ 60 s at 1M: met at load 2.2–2.5 (39.5 s with 1 worker, 38.4 s with 2; the code before this
branch took 54.0 s at load 1.9–3.7) and before at load 4–5 (55.8 / 53.5 s at 30912e1); not
measured again at load 9–13 (97 s before 30912e1). (The cycle of the same settlements without
declarations or account payments took 10.5–16.9 s.) Within 3× of the issue's floor: NOT met
(120–140×), and it cannot be: the floor reads the settlements, the cycle must also write the
sub-ledger. The work floor is the irreducible part — 3 and 4 above are a row written (with its
unique key, guard trigger and five index entries written, four matched — three more of each before
enrollment 0015) per employee credited and per posting matched: 4.8 s and 9.8 s of the 16.1 s at
1M (load 2.2–2.5), against 0.3 s of GROUP BY; no cycle that keeps the sub-ledger's rules (every
posting keyed, immutable, matched to a batch once) can skip them. The cycle is 2.3–2.5× its work
floor at 1M (within the 3× the issue asks of a floor), 3.3× at 250,000 (where the fixed costs of
100-odd shards weigh more); its excess is the accounts step's per-county statements (the
candidates locked FOR NO KEY UPDATE, 0.25 s a county of 25,000; the due table, 0.2 s; one batch
and entry per county and kind) and reconcile. A second worker gains little (38.4 against 39.5 s):
the work is PostgreSQL's writes, on the same two cores, and the server's 128 MB of shared buffers
(the matching UPDATE evicts dirty pages as it goes: EXPLAIN shows about as many pages written as
dirtied).
Growth 250,000 → 1,000,000 at acctspeed: 15.2 → 39.5 s (load 2.2–3.5), 2.6× for 4× the month.
Growth 250,000 → 1,000,000 → 4,000,000 (before 30912e1): 25.1 → 62.4–96.9 → 272.5 s, linear,
~60–100 s per million by the load, as the work floor is (8.3 → 24.9–63.5 → 122.2 s): the
accounts step (a row per credit and per payment) and reconcile (the ledger's all-time checks)
grow with N, the provider step (3.9 → 5.3 → 9.3 s) and the rest slowly.

What acctspeed changed (the accounts step 37.3 → 26.5 s at 1M, same load; per county of 25,000
credits and 50,000 payments, profiled statement by statement: 3.8 → 2.0 s):
- the sweep matches a county and month's postings of every kind in one UPDATE (each kind's
  batch from an unnest of (kind, batch)), whose RETURNING gives each batch's count and total:
  no UPDATE per kind, no second read of the matched rows by batch (in the sweep, and in the
  step, which summed them again for its counts);
- the posting table lost three indexes nothing reads (enrollment 0015): `key`'s and
  `county_id`'s varchar_pattern_ops twins (nothing looks postings up by prefix — the one
  `key__startswith` is the bench generator's, on a seq scan anyway) and `county_id`'s own
  (unmatched postings are found through `posting_unmatched`; every other read groups the
  table): the matching UPDATE 1.4 → 0.9 s a county, the credits' INSERT 1.0 → 0.5 s;
- personal-account pages keep a fifth free (fillfactor 80, enrollment 0016): a balance moved
  stays on its page (HOT), so neither of the account's indexes gets an entry — the credits'
  INSERT and balance UPDATE 0.5–0.6 → 0.35 s a county.
Tried and left: dropping the batch_id index (0.03 s a county: its entries go in batch order);
a statement-level posting guard (the row trigger is 60 ms of a 600 ms UPDATE of 50,000 postings;
a transition-table join would cost about that and weaken nothing only with care); HOT updates
of matched postings (impossible while `batch_id` is indexed and in `posting_unmatched`'s
predicate, and would need half-empty pages).

What the branch before (cyclespeed) changed, profiled at 1,000,000 (step rows and EXPLAIN ANALYZE):
- the posting guard (enrollment 0013) compares the row as a record, not as two JSON documents:
  9.5 s → 1.5 s of trigger time for 549,720 postings matched;
- a shard's transaction runs without JIT and with 256 MB work memory
  (`runner._session_for_month_work`): the planner's estimates for a grouped month made JIT
  compile 3.7 s for an 8.8 s check, and a GROUP BY of 500,000 people spilled in 85 batches;
- the accumulators' per-scope check is SQL (the settlements' sums as the accumulator's JSON, one
  equality per accumulator) instead of every accumulator through Python (6.6 s);
- the sub-ledger's "money left in a county" check sums only postings of another county (4.2 s);
- the set-wise allocation looks its keys up for clashes only when the insert skipped one
  (0.3 s a county), and the sweep asks the distinct kinds, not a row per posting: 62.4 → 55.8 s;
- every reconcile check is computed whole, then limited: planned for the step's LIMIT 1, the
  balance check became a nested loop over 500,000 accounts (it ran for minutes).
Reconcile is still the ledger's all-time checks (`manage.py reconcile`): here the database
holds one month, so a month-scoped variant would read the same rows; on a database of many
months it is the next saving (the accumulator proof per person touched in the month, with an
aggregate identity for the rest).

Before this branch (the month without declarations, collections or account payments, on a
trial merge of the cycle branches; load 2–8): 1,000,000 → 10.5–25.3 s, 33–45× the issue's floor;
250,000 → 3.8 s; 4,000,000 → 29.0 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = "postgres://postgres:postgres@127.0.0.1:5432/pooling_bench_cycle"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.cycle", description=__doc__)
    parser.add_argument("--settlements", type=int, default=1_000_000)
    parser.add_argument("--workers", default="1,2", help="worker process counts, one trial each")
    parser.add_argument("--month", default="", help="YYYY-MM (default: the month before last)")
    parser.add_argument("--rebuild-template", action="store_true")
    parser.add_argument(
        "--reuse-generated",
        action="store_true",
        help="start from the month a previous run of the same size generated (not timed again)",
    )
    parser.add_argument("--timeout", type=int, default=900, help="seconds to wait for one run")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL") or DEFAULT
    if not url.startswith("postgres"):
        raise SystemExit("the cycle bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    base, name = url.rsplit("/", 1)
    template = f"{name}_tpl"
    _template(base, template, rebuild=args.rebuild_template)
    os.environ.update(
        DATABASE_URL=url, CELERY_BROKER_URL=REDIS, DJANGO_SETTINGS_MODULE="pooling.settings"
    )
    month = _month(args.month)
    rows: list[dict[str, Any]] = []
    generated = f"{name}_gen"  # the month as generated by the first trial, copied for the next
    reused = _generated(base, generated, args.settlements) if args.reuse_generated else None
    for n, workers in enumerate(int(w) for w in args.workers.split(",")):
        _copy(base, generated if n or reused else template, name)
        if n == 0:
            import django

            django.setup()
        keep = None if n or reused else (base, name, generated)
        first = rows[0] if n else reused
        rows.append(_trial(month, args.settlements, workers, args.timeout, first, keep))
    _table(month, rows)
    return 0


def _generated(base: str, name: str, settlements: int) -> dict[str, Any] | None:
    """The kept month's counts and generation time, if one of this size is kept (its comment)."""
    import json

    with _admin(base) as pg:
        row = pg.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    kept = json.loads(row[0]) if row and row[0] else None
    return kept if kept and kept["counts"]["settlements"] == settlements else None


def _month(given: str) -> date:
    """Default: the month before last. Last month holds the demo's backfilled settlements, some at
    a hospital handled by the city agency itself (320900), which the provider step (as of the
    cycle branches of 2026-11-30) cannot pay: no county expenditure account 1004-320900."""
    if given:
        return date.fromisoformat(given + "-01")
    from datetime import datetime
    from zoneinfo import ZoneInfo

    last = datetime.now(ZoneInfo("Asia/Shanghai")).date().replace(day=1) - timedelta(days=1)
    return (last.replace(day=1) - timedelta(days=1)).replace(day=1)


def _admin(base: str) -> Any:
    import psycopg

    return psycopg.connect(base + "/postgres", autocommit=True)


def _template(base: str, template: str, *, rebuild: bool) -> None:
    """The demo city, migrated and loaded once (the cycle's months run on copies of it). Built under
    another name and renamed when complete, so a failed build is never taken for a template."""
    building = f"{template}_building"
    with _admin(base) as pg:
        exists = pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        if exists and not rebuild:
            return
        pg.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{building}"')
    env = {**os.environ, "DATABASE_URL": f"{base}/{building}"}
    started = time.perf_counter()
    for command in (["migrate", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    with _admin(base) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        pg.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
    print(
        f"template {template}: demo city migrated and loaded in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def _copy(base: str, template: str, name: str) -> None:
    from django.db import connections

    if "django" in sys.modules and getattr(sys.modules["django"], "apps", None) is not None:
        connections.close_all()
    with _admin(base) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _trial(
    month: date,
    settlements: int,
    workers: int,
    timeout: int,
    first: dict[str, Any] | None,
    keep: tuple[str, str, str] | None,
) -> dict[str, Any]:
    """One run of the cycle; the first trial generates the month (timed) and keeps a copy of
    it (`keep`: base, name, copy), so the next trials run on the same month."""
    from django.core.management import call_command

    from bench import _cycle_floor
    from bench import _cycle_month as gen

    call_command("migrate", verbosity=0, interactive=False)  # code newer than the template
    if first is None:
        started = time.perf_counter()
        counts = gen.generate(month=month, settlements=settlements)
        generated = time.perf_counter() - started
        _print_generated(settlements, counts, generated)
        if keep:
            import json

            base, name, copy = keep
            _copy(base, name, copy)
            with _admin(base) as pg:
                note = json.dumps({"counts": counts, "generate": generated}).replace("'", "")
                pg.execute(f"COMMENT ON DATABASE \"{copy}\" IS '{note}'")
    else:
        counts, generated = first["counts"], first["generate"]
    floors = [gen.floor(month) for _ in range(3)]
    floor = statistics.median(f[0] for f in floors)
    work = _cycle_floor.work_floor(month)
    print(
        f"floor    issue's GROUP BY → {floors[0][1]:,} provider × book rows: {floor:.3f} s (median of 3); "
        f"the cycle's work floor {work['total']:.1f} s ("
        + ", ".join(f"{k} {work[k]:.2f}" for k in _cycle_floor.PARTS)
        + ")",
        flush=True,
    )
    row = {
        "settlements": settlements,
        "workers": workers,
        "generate": generated,
        "floor": floor,
        "work_floor": work["total"],
        "counts": counts,
    }
    row.update(_cycle(month, workers, timeout))
    return row


def _print_generated(settlements: int, counts: dict[str, int], seconds: float) -> None:
    print(
        f"generate {settlements:,} settlements, {counts['providers']} providers, {counts['people']:,} people, "
        f"{counts['plans']} plan rows: {seconds:.1f} s\n"
        f"         {counts['employers']:,} employers, {counts['declarations']:,} declarations with "
        f"{counts['lines']:,} lines, {counts['collections']:,} collections, {counts['residents_paid']:,} resident "
        f"contributions, {counts['payments']:,} personal-account payments ({counts['acct_pay_fen'] / 100:,.0f} yuan)",
        flush=True,
    )


def _cycle(month: date, workers: int, timeout: int) -> dict[str, Any]:
    # Looked up by name: the runner and its models land on main separately from this bench.
    import importlib

    try:
        runner: Any = importlib.import_module("settlement.cycle.runner")
        models: Any = importlib.import_module("settlement.models")
        CycleRun, CycleStep = models.CycleRun, models.CycleStep  # noqa: N806 — model classes
    except (ImportError, AttributeError):
        print(
            "cycle    settlement.cycle.runner is not on this branch yet: the cycle is not measured",
            flush=True,
        )
        return {"total": None, "steps": []}
    from pooling.kernel.audit import system_job
    from pooling.kernel.permissions import CYCLE_JOB

    _redis_flush()
    procs = [_worker(n) for n in range(workers)]
    try:
        time.sleep(3)  # let the workers connect before the first group is sent
        started = time.perf_counter()
        with system_job(CYCLE_JOB):
            run = runner.run_start(month=month, actor=CYCLE_JOB)
        while run.status in ("pending", "running") and time.perf_counter() - started < timeout:
            time.sleep(0.2)
            run = CycleRun.objects.get(pk=run.pk)
        total = time.perf_counter() - started
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
    steps = []
    for step in CycleStep.objects.filter(run=run).order_by("order"):
        shards = step.shards.count() if hasattr(step, "shards") else None
        secs = (
            (step.finished_at - step.started_at).total_seconds()
            if step.started_at and step.finished_at
            else None
        )
        steps.append(
            {
                "name": step.name,
                "status": step.status,
                "shards": shards,
                "seconds": secs,
                "counts": step.counts,
            }
        )
    print(
        f"cycle    {workers} worker(s): run #{run.pk} {run.status} in {total:.1f} s {run.error}".rstrip(),
        flush=True,
    )
    for s in steps:
        timing = f"{s['seconds']:7.2f} s" if s["seconds"] is not None else "      —  "
        built = (
            ""
            if s["shards"] or s["status"] != "done"
            else "  (no shard planned: step not built yet)"
        )
        print(
            f"  step {s['name']:<13} {s['status']:<8} {timing} shards {s['shards']}{built} {s['counts'] or ''}"
        )
    with system_job(CYCLE_JOB):  # what `manage.py reconcile` and the month's page say afterwards
        from settlement.cycle import reconciling

        ledger, month_rows = (
            reconciling.ledger_discrepancies(),
            reconciling.month_differences(month),
        )
    print(
        f"  after the run: reconcile {len(ledger)} ledger discrepancies, {len(month_rows)} month differences",
        flush=True,
    )
    return {"total": total, "status": run.status, "steps": steps}


def _worker(n: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
        "SECURE_SSL_REDIRECT": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log = open(ROOT / "var" / f"bench-cycle-worker{n}.log", "ab")  # noqa: SIM115 — the worker's own log
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "pooling",
            "worker",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "-n",
            f"bench{n}@%h",
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _redis_flush() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def _table(month: date, rows: list[dict[str, Any]]) -> None:
    print(f"\nfigures, month {month:%Y-%m} (2 shared cores; see `uptime` for the load meanwhile)")
    print(
        f"{'settlements':>12} {'workers':>7} {'generate s':>10} {'floor s':>8} {'work s':>7} {'cycle s':>8} "
        f"{'÷ floor':>8} {'÷ work':>7} "
        f"{'per 1M s':>8}  steps measured"
    )
    for r in rows:
        total = r.get("total")
        measured = (
            ", ".join(
                f"{s['name']} {s['seconds']:.1f}"
                for s in r.get("steps", [])
                if s["shards"] and s["seconds"] is not None
            )
            or "none"
        )
        cycle = f"{total:.1f}" if total is not None else "—"
        ratio = f"{total / r['floor']:.0f}×" if total is not None else "—"
        work_ratio = f"{total / r['work_floor']:.1f}×" if total is not None else "—"
        per_million = f"{total * 1e6 / r['settlements']:.1f}" if total is not None else "—"
        print(
            f"{r['settlements']:>12,} {r['workers']:>7} {r['generate']:>10.1f} {r['floor']:>8.3f} "
            f"{r['work_floor']:>7.1f} {cycle:>8} {ratio:>8} {work_ratio:>7} {per_million:>8}  {measured}"
        )
    print(
        "aims: cycle ≤ 60 s at 1,000,000 settlements; within 3× of the floor; linear in settlements"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

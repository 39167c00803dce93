"""The monthly cycle at city scale (issue 13 "Speed"): a generated month through `settlement.cycle`
with real `celery worker` processes on Redis, beside the floor of one SQL GROUP BY.

    BENCH_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/pooling_bench_cycle \\
        make bench ARGS="cycle [--settlements 1000000] [--workers 1,2] [--month 2026-10]"
    DATABASE_URL=… .venv/bin/python -m bench cycle --settlements 250000 --workers 1,2
    DATABASE_URL=… .venv/bin/python -m bench cycle --settlements 4000000 --workers 2

Per trial (one per worker count; a month runs once, so each trial starts again from a copy of
the demo city, `CREATE DATABASE … TEMPLATE <name>_tpl`, built once by migrate + load_demo):
1. generate the month (`bench/_cycle_month.py`: providers to 500, people, N settlements,
   accumulators, the monthly plan) — timed;
2. the floor: one `GROUP BY` of the month's settlements into provider × book totals (the
   median of three, same run);
3. the cycle: W `celery worker` processes (concurrency 1 each: "W worker processes", as on W
   machines) on Redis, the run started with `settlement.cycle.runner.run_start` as the cycle's
   job (`CYCLE_JOB`, as beat does), polled until done; total seconds, seconds per step (from
   the step rows), the shards each step planned, and the ratio to the floor.
Steps that plan no shard (not built yet on this branch) are listed as such, not timed as work.
Aims (issue 13): ≤ 60 s at 1,000,000 settlements, within 3× of the floor, linear in N.

Measured 2026-11-30 on the shared 2-core machine (load average 6–8 from other engineers'
suites), month 2026-09, on a TRIAL MERGE of this branch with the cycle branches as they
stood (cycle-core a090fcb, cycle-in 40bd11f, cycle-out fe2e9e8, cycle-clear b4d0897; add-add
conflicts kept both sides, merge migrations settlement 0006 / funds 0008) — none of the
runner or steps is on main yet, so on this branch the cycle part prints "not measured":
  settlements  workers  generate  floor    cycle   ÷floor  providers  reconcile  other steps
      250,000        1    28.7 s  0.34 s  17.2 s     50×     9.7 s      3.8 s      3.1 s
      250,000        2    31.8 s  0.27 s  20.6 s     78×    11.1 s      4.3 s      4.9 s
    1,000,000        1   106.3 s  0.76 s  25.3 s     33×    10.0 s      9.1 s      5.3 s
    1,000,000        2   112.0 s  0.70 s  35.7 s     51×    18.0 s     12.7 s      4.6 s
    4,000,000        1   505.1 s  3.06 s  81.1 s     26×    35.7 s     38.7 s      6.0 s
All eight steps ran and planned shards (collection/accounts/remittance 11 each, disbursement 1,
providers 10, clearing 1, reconcile 2, close 1); 496 provider statements, reconcile 0
differences. ≤ 60 s at 1M: met (25 s). Within 3× of the floor: NOT met (33×). Growth:
+8 s from 250k to 1M, +56 s from 1M to 4M (~19 s per million: linear above 1M, over a fixed
cost of ~7 s in shard round trips and per-provider statements); the two growing parts are the provider step and reconcile (its checks
scan every settlement and accumulator of all time, not the month). A second worker made
it slower here: the two cores were already saturated. The generated month has no
declarations/collections (collection posts nothing) and no personal-account payments.

Again at 00:00 on a quieter machine (load 2–5), on a second trial merge: this branch with
main (cycle-in and cycle-clear merged there) + cycle-core c110e46 + cycle-out 549290c:
  settlements  workers  generate  floor    cycle   ÷floor  providers  reconcile  clearing
      250,000        1    13.1 s  0.12 s   3.8 s     33×     1.5 s      1.1 s      0.4 s
      250,000        2     7.1 s  0.08 s   3.6 s     44×     1.6 s      1.0 s      0.3 s
    1,000,000        1    34.4 s  0.23 s  10.5 s     45×     3.5 s      5.0 s      1.0 s
    1,000,000        2    35.6 s  0.31 s  10.6 s     34×     3.7 s      5.0 s      1.1 s
    4,000,000        1   186.0 s  0.90 s  29.0 s     32×    10.3 s     16.5 s      1.4 s
    4,000,000        2   138.7 s  1.28 s  46.2 s     36×    16.7 s     24.7 s      2.4 s
≤ 60 s at 1M: met (10.5 s). Within 3×: not met (32–45×). Growth 250k → 1M → 4M:
3.8 → 10.5 → 29.0 s, i.e. ~6 s per million past 1M: linear, reconcile the largest part.
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

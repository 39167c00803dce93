"""Settling on SQLite, the embedded default (`make run`, the README's demo), while the suite runs
on PostgreSQL: settle_sql's one-statement reads and writes are PostgreSQL's, so on another
database it takes the ORM's path, and this proves that path gives the same hand-computed fen.

The outpatient, settle_sql, sqlrows and fees_sql tests, the sub-ledger writer's (a
payment's rules through its ORM path), and the clearing application's (its partial unique
index), run again in a subprocess with
DATABASE_URL naming a SQLite file (pytest-django builds its test database from it). About 20 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = (
    "tests/settlement/test_hsa_outpatient.py",
    "tests/settlement/test_settle_sql.py",
    "tests/settlement/test_sqlrows.py",
    "tests/settlement/test_fees_sql.py",
    "tests/enrollment/test_subledger_writer.py",
    "tests/settlement/test_hsa_clearing.py",
)
# Concurrent writers racing for one unique index: SQLite runs one writer at a time, so there is
# no race to prove there (it is named, not skipped, so a skip elsewhere still fails below).
RACE = "tests/settlement/test_hsa_clearing.py::test_racing_applications_keep_one_and_name_it_to_the_others"


def test_the_outpatient_settlements_hold_on_sqlite(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not our worker
    env.pop("DATABASE_ROLE", None)  # set by this session's conftest for PostgreSQL
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *FILES,
            *("--deselect", RACE),
            "-q",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # Every test ran on SQLite: none skipped, only the race deselected.
    assert " passed" in summary and "skipped" not in summary, summary
    assert "1 deselected" in summary, summary

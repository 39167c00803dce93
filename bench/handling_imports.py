"""The other handling imports at city scale: employers, enrolments, declarations.

    python -m bench.handling_imports --people 200000     (default)
    python -m bench.handling_imports --quick             (20,000 people)

People are loaded first (the people import, see bench.enrollment_import); then one
file of each kind goes through preview and commit as a city agency user: an employer
per 50 people, an employee enrolment for every in-service person, and one month's
declaration for each of them. Each line prints preview and commit time, rows/s, and
the floor: PostgreSQL's COPY of the same file into a bare table, in the same run.
These kinds run every row through the services' rules (overlaps, waiting periods,
bases clamped by the policy), a chunk at a time.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import setup_django, timed, truncate

if TYPE_CHECKING:  # imported late at run time: Django is set up by then
    from pooling.models import User

PEOPLE_PER_EMPLOYER = 50


def _credit_code(serial: int) -> str:
    from pooling.kernel.codes import credit_code_from

    return credit_code_from(f"91320900MA{serial:07d}")


def _floor(text: str) -> float:
    from django.db import connection

    width = len(text.split("\n", 1)[0].split(","))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_handling_bare")
        cursor.execute(
            "CREATE TABLE bench_handling_bare ("
            + ", ".join(f"c{i} text" for i in range(width))
            + ")"
        )
        with (
            timed() as t,
            cursor.cursor.copy(
                "COPY bench_handling_bare FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            copy.write(text.encode())
        cursor.execute("DROP TABLE bench_handling_bare")
    return t[0]


def _run(actor: User, kind: str, text: str) -> None:
    from django.core.files import File

    from pooling.imports.services import batch_commit, batch_preview, batch_upload

    batch = batch_upload(
        actor=actor, kind=kind, file=File(io.BytesIO(text.encode()), name=f"{kind}.csv")
    )
    with timed() as preview_t:
        batch = batch_preview(batch_id=batch.pk)
    with timed() as commit_t:
        batch = batch_commit(batch_id=batch.pk)
    if batch.status != "committed":
        raise SystemExit(f"{kind}: {batch.status} {batch.errors[:3]}")
    rows, floor_s, both = batch.rows_written, _floor(text), preview_t[0] + commit_t[0]
    print(
        f"  {kind:<13} {rows:>9,} rows  preview {preview_t[0]:6.2f} s  commit {commit_t[0]:6.2f} s  "
        f"{rows / both:8,.0f} rows/s   floor COPY {floor_s:5.2f} s ({rows / floor_s:10,.0f} rows/s), "
        f"ratio {floor_s / both:.3f}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.handling_imports")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true", help="20,000 people")
    args = parser.parse_args(argv)
    people = 20_000 if args.quick else args.people
    setup_django("pooling_bench_handling")

    from bench.enrollment_import import generate, reset_people, run_import
    from pooling.demo import load as load_demo_city

    load_demo_city(lambda _message: None)  # regions, staff and the published demo policy
    truncate("enrollment_employer, enrollment_declaration, enrollment_collection")
    reset_people()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        generate(path, people)
        _preview, _commit, batch = run_import(path)
        with open(path, encoding="utf-8") as f:
            rows = [r for r in list(csv.reader(f))[1:] if r[2] == "在职职工"]
    actor = batch.uploaded_by
    # One employer per PEOPLE_PER_EMPLOYER in-service people of one county.
    by_county: dict[str, list[list[str]]] = {}
    for r in rows:
        by_county.setdefault(r[3], []).append(r)
    employers: list[str] = []
    enrolments: list[str] = []
    declarations: list[str] = []
    for county, members in sorted(by_county.items()):
        for start in range(0, len(members), PEOPLE_PER_EMPLOYER):
            code = _credit_code(len(employers) + 1)
            employers.append(f"{code},示例单位{len(employers) + 1},{county}\n")
            for r in members[start : start + PEOPLE_PER_EMPLOYER]:
                enrolments.append(f"{r[0]},职工基本医疗保险,2026-01,{code},{county}\n")
                declarations.append(f"{code},2026-01,{r[0]},6500.00,{county}\n")
    print(
        f"handling imports after {people:,} people ({len(rows):,} in service, "
        f"{len(employers):,} employers), as a city agency user"
    )
    _run(actor, "employers", "统一社会信用代码,单位名称,经办机构代码\n" + "".join(employers))
    _run(
        actor,
        "enrolments",
        "身份证号码,险种,参保起始月,统一社会信用代码,经办机构代码\n" + "".join(enrolments),
    )
    _run(
        actor,
        "declarations",
        "统一社会信用代码,费款所属期,身份证号码,申报工资基数（元）,经办机构代码\n"
        + "".join(declarations),
    )
    reset_people()
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))

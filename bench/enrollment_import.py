"""People import speed: the full validated import against PostgreSQL's own COPY of the same file.

    python -m bench.enrollment_import --rows 1000000     (the floor: ≥ 50 % of COPY)
    python -m bench.enrollment_import --quick            (50,000 rows)
    python -m bench.enrollment_import --gbk              (the file in GBK)

1. Generate a valid 7-column people CSV (ID numbers with correct check digits, in the
   demo city's counties), streamed to a temp file.
2. Floor: COPY the same file into a bare table (no index, no constraint).
3. The import as a clerk's file goes: preview (every row validated) then commit
   (validated again inside one transaction and written into the real table, its
   indexes and foreign keys included — rebuilt after the load when the file is as large
   as the register, see pooling.tabular.bulkload). Preview + commit together is the
   "validated import"; a clean CSV takes the set-wise path (enrollment.imports.people_sql).
4. A second floor: the imported rows, already shaped as person rows, COPYed into a
   bare copy of the person table — the cost of writing them at all.
5. Print rows/s of each, its ratio against the floor, and the peak RSS (< 1 GiB).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import peak_rss_mb, setup_django, timed, truncate, verdict

if TYPE_CHECKING:  # imported late at run time: Django is set up by then
    from pooling.imports.models import ImportBatch

RATIO_FLOOR = 0.5
RSS_CEILING_MB = 1024
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文辉玉兰宇浩然子轩梓涵欣怡雨桐思远"
COUNTIES = (
    "320902",
    "320903",
    "320904",
    "320921",
    "320922",
    "320923",
    "320924",
    "320925",
    "320981",
)
CATEGORIES = ("在职职工", "退休人员", "城乡居民（成年）", "未成年人/学生")
HEADER = ["身份证号码", "姓名", "人员类别", "经办机构代码", "联系电话", "住址", "特殊群体"]


def generate(path: Path, rows: int, *, offset: int = 0, encoding: str = "utf-8") -> None:
    """Unique valid people: ID = county area code + birth date + sequence + check digit."""
    from pooling.kernel.codes import id_number_from

    start = date(1940, 1, 1)
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(offset, offset + rows):
            county = COUNTIES[i % len(COUNTIES)]
            n = i // len(COUNTIES)
            birth = start + timedelta(days=n // 999 % 29000)
            seq = n % 999 + 1
            first17 = f"{county}{birth:%Y%m%d}{seq:03d}"
            name = (
                SURNAMES[i % len(SURNAMES)]
                + GIVEN[(i * 7) % len(GIVEN)]
                + GIVEN[(i * 13) % len(GIVEN)]
            )
            writer.writerow(
                [
                    id_number_from(first17),
                    name,
                    CATEGORIES[i % 4],
                    county,
                    f"138{i % 100000000:08d}",
                    f"盐城市示例路{i % 999 + 1}号",
                    "",
                ]
            )


def copy_floor(path: Path, encoding: str = "utf-8") -> float:
    """Seconds for PostgreSQL's COPY of the file into a bare table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_people_bare")
        cursor.execute(
            "CREATE TABLE bench_people_bare ("
            + ", ".join(f"c{i} text" for i in range(len(HEADER)))
            + ")"
        )
    with timed() as t, connection.cursor() as cursor, open(path, "rb") as f:
        pg_encoding = "GB18030" if encoding == "gb18030" else "UTF8"
        sql = f"COPY bench_people_bare FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING '{pg_encoding}')"
        with cursor.cursor.copy(sql) as copy:
            while block := f.read(1 << 20):
                copy.write(block)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_people_bare")
    return t[0]


def typed_write(tmp: Path) -> float:
    """Seconds to COPY the imported rows, already checked and shaped as person rows, into
    a copy of the person table with no index and no constraint: what writing these rows
    costs before any check or index — the ceiling of any import into this table."""
    from django.db import connection

    dump = tmp / "people.copy"
    with connection.cursor() as cursor:
        with (
            open(dump, "wb") as out,
            cursor.cursor.copy("COPY enrollment_person TO STDOUT") as copy,
        ):
            for block in copy:
                out.write(block)
        cursor.execute("DROP TABLE IF EXISTS bench_people_typed")
        cursor.execute(
            "CREATE TABLE bench_people_typed (LIKE enrollment_person INCLUDING DEFAULTS)"
        )
        with (
            timed() as t,
            open(dump, "rb") as f,
            cursor.cursor.copy("COPY bench_people_typed FROM STDIN") as copy,
        ):
            while block := f.read(1 << 20):
                copy.write(block)
        cursor.execute("DROP TABLE bench_people_typed")
    dump.unlink()
    return t[0]


def reset_people() -> None:
    truncate("enrollment_person")


def run_import(path: Path) -> tuple[float, float, ImportBatch]:
    from django.core.files import File

    from pooling.imports.services import batch_commit, batch_preview, batch_upload
    from pooling.kernel.choices import Role
    from pooling.kernel.regions import StaffSpec, regions_load, staff_ensure

    regions_load(area_code="320900")
    actor = staff_ensure(
        spec=StaffSpec("bench_city", Role.CITY_AGENCY, "bench", None), password="bench-pass-2026"
    )
    with open(path, "rb") as f:
        batch = batch_upload(actor=actor, kind="people", file=File(f, name="people.csv"))
    with timed() as preview_t:
        batch = batch_preview(batch_id=batch.pk)
    if not batch.is_clean:
        raise SystemExit(f"preview found errors: {batch.errors[:5]}")
    with timed() as commit_t:
        batch = batch_commit(batch_id=batch.pk)
    if batch.status != "committed":
        raise SystemExit(f"commit failed: {batch.errors[:5]}")
    from django.core.files.storage import default_storage

    default_storage.delete(batch.stored_name)
    return preview_t[0], commit_t[0], batch


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.enrollment_import")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="50,000 rows")
    parser.add_argument(
        "--gbk", action="store_true", help="the file in GBK (GB18030), as Chinese Excel saves CSV"
    )
    args = parser.parse_args(argv)
    rows = 50_000 if args.quick else args.rows
    setup_django("pooling_bench4")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        encoding = "gb18030" if args.gbk else "utf-8"
        generate(path, rows, encoding=encoding)
        size_mb = path.stat().st_size / 1e6
        reset_people()
        floor_s = copy_floor(path, encoding)
        preview_s, commit_s, batch = run_import(path)
        from enrollment.models import Person

        assert Person.objects.count() == rows, "every row written"
        typed_s = typed_write(Path(tmp))
    floor_rate = rows / floor_s
    both_s = preview_s + commit_s

    def line(label: str, seconds: float, tail: str = "") -> None:
        print(f"  {label:<46}: {seconds:7.2f} s {rows / seconds:10,.0f} rows/s  {tail}")

    def ratio(seconds: float) -> float:
        return (rows / seconds) / floor_rate

    total_ratio = ratio(both_s)
    rss = peak_rss_mb()
    print(
        f"people import, {rows:,} rows, {size_mb:.0f} MB CSV ({'GBK' if args.gbk else 'UTF-8'}), 7 columns"
    )
    line("floor: COPY of the file into a bare table", floor_s)
    line(
        "the same rows typed, into a bare person table",
        typed_s,
        f"ratio {ratio(typed_s):.2f}  (no check, no index: no import can beat it)",
    )
    line("preview (validate every row)", preview_s, f"ratio {ratio(preview_s):.2f}")
    line("commit (validate again, write, indexes)", commit_s, f"ratio {ratio(commit_s):.2f}")
    line(
        "validated import (preview + commit)",
        both_s,
        f"ratio {total_ratio:.2f} (target {RATIO_FLOOR:.2f}) {verdict(total_ratio >= RATIO_FLOOR)}",
    )
    print(
        f"  {'peak RSS':<46}: {rss:7.0f} MB (ceiling {RSS_CEILING_MB} MB) {verdict(rss < RSS_CEILING_MB)}"
    )
    reset_people()
    return 0 if total_ratio >= RATIO_FLOOR and rss < RSS_CEILING_MB else 1


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))

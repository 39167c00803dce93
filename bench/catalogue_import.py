"""How long an all-or-nothing catalogue import of 100,000 items takes.

    DATABASE_URL=postgres://…/<db> python manage.py migrate
    DATABASE_URL=postgres://…/<db> python -m bench.catalogue_import [--items N] [--encoding gbk|utf-8-sig] [--xlsx]

Builds a file of N realistic rows in memory, then times (1) reading and checking
every row and (2) the whole import: checking again and writing with COPY. The import
runs in a transaction that is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pooling.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from pooling.benefits.catalogue.importer import catalogue_import, check  # noqa: E402
from pooling.kernel.choices import Role  # noqa: E402
from pooling.kernel.regions import StaffSpec, staff_ensure  # noqa: E402


def _rows(n: int) -> list[list[str]]:
    rows = []
    for i in range(n):
        if i % 3 == 0:
            rows.append(["药品", f"XA{i:021d}", f"演示药品{i}号片", "甲乙丙"[i // 3 % 3], "", ""])
        elif i % 3 == 1:
            rows.append(
                [
                    "诊疗项目",
                    f"{i:015d}",
                    f"演示诊疗项目{i}",
                    "乙",
                    "20" if i % 7 == 0 else "",
                    "限定医院等级",
                ]
            )
        else:
            rows.append(["医疗服务设施", f"9{i:014d}", f"演示设施{i}", "丙", "", ""])
    return rows


def _csv(rows: list[list[str]], encoding: str) -> bytes:
    head = "目录类别,编码,名称,甲乙类,自付比例,限定支付范围\n"
    return (head + "\n".join(",".join(r) for r in rows) + "\n").encode(encoding)


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    # A normal workbook writes a shared-string table, as Excel and WPS do; a write-only
    # one writes inline strings, which openpyxl reads about twenty times slower.
    book = Workbook()
    sheet = book.active
    sheet.append(["目录类别", "编码", "名称", "甲乙类", "自付比例", "限定支付范围"])
    for r in rows:
        sheet.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--encoding", default="gbk")
    parser.add_argument("--xlsx", action="store_true")
    args = parser.parse_args()
    rows = _rows(args.items)
    data, name = (
        (_xlsx(rows), "bench.xlsx") if args.xlsx else (_csv(rows, args.encoding), "bench.csv")
    )
    print(f"file: {name}, {len(data) / 1e6:.1f} MB, {args.items:,} items")

    start = time.perf_counter()
    report = check(data, name)
    checked = time.perf_counter() - start
    assert report.ok, report.errors[:5]
    print(f"read and check every row: {checked:.2f} s")

    start = time.perf_counter()
    try:
        with transaction.atomic():
            maker = staff_ensure(
                spec=StaffSpec("bench_bureau", Role.BUREAU_ADMIN, "bench"),
                password="bench-pass-2026",
            )
            version = catalogue_import(
                data=data,
                filename=name,
                code="BENCH",
                title="bench",
                effective_from=date(2099, 1, 1),
                actor=maker,
            )
            written = version.items.count()
            raise Rollback
    except Rollback:
        pass
    total = time.perf_counter() - start
    print(
        f"full import (check + COPY {written:,} rows), rolled back: {total:.2f} s "
        f"= {args.items / total:,.0f} items/s"
    )


if __name__ == "__main__":
    main()

"""`manage.py reconcile`: prove the ledger's invariants; exit non-zero on any discrepancy."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from funds.services.reconcile import all_checks, reconcile_ledger


class Command(BaseCommand):
    help = (
        "核对基金总账及个人账户明细账的全部不变量（借贷平衡、余额、发生额、透支、结账、控制账户）"
        " / check every invariant of the ledger and its sub-ledgers"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=20, help="每项最多列出的差异行数")

    def handle(self, *args: Any, **options: Any) -> None:
        found = reconcile_ledger(limit=options["limit"])
        failed = {d.check for d in found}
        for check in all_checks():
            mark = "差异 FAIL" if check in failed else "通过 OK  "
            self.stdout.write(f"[{mark}] {check}")
            for d in found:
                if d.check == check:
                    self.stdout.write(f"        {d.row}")
        if found:
            raise CommandError(f"对账发现 {len(found)} 处差异 / {len(found)} discrepancies found")
        self.stdout.write(self.style.SUCCESS("总账核对无误 / ledger reconciles"))

"""Create or update every periodic task of the system from pooling/schedules.py."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pooling.schedules import SCHEDULES, schedules_ensure


class Command(BaseCommand):
    help = "按 pooling/schedules.py 的声明创建或更新全部定时任务（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        created = schedules_ensure()
        self.stdout.write(f"定时任务 {len(SCHEDULES)} 项已就绪，其中新建 {len(created)} 项")

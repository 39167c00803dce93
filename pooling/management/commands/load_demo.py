import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app may offer `<app>/demo.py: load(echo)`; they run in this order.
DEMO_APPS = ("pooling", "enrollment", "providers", "funds", "settlement")


class Command(BaseCommand):
    help = "载入演示城市（盐城市）及各角色演示账号；可重复执行 / Load the demo city (idempotent)"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.load(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))

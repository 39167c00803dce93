from django.core.management.base import BaseCommand
from django.db import transaction

from pooling.kernel.audit import system_job
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.permissions import DEMO_LOADER


class Command(BaseCommand):
    help = "载入演示城市（盐城市）及各角色演示账号；可重复执行 / Load the demo city (idempotent)"

    def handle(self, *args, **options):
        # Each app offers `<app>/demo.py` (registered on DEMO_LOADERS), in INSTALLED_APPS order.
        # Loaders act as DEMO_LOADER (a system actor): the audit trail names the demo load.
        for load in DEMO_LOADERS.items():
            with transaction.atomic(), system_job(DEMO_LOADER):
                load(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pooling.kernel.audit import system_job
from pooling.kernel.demo_city import demo_city
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.permissions import DEMO_LOADER


class Command(BaseCommand):
    help = (
        "载入本部署统筹区（POOLING_AREA_CODE）的演示数据及各角色演示账号；可重复执行 / "
        "Load the demo of this deployment's city (idempotent)"
    )

    def handle(self, *args, **options):
        try:
            demo_city()  # a city without a demo file is refused before anything is written
        except BusinessRuleError as exc:
            raise CommandError(f"{exc.text('zh-hans')} / {exc.text('en')}") from exc
        # Each app offers `<app>/demo.py` (registered on DEMO_LOADERS), in INSTALLED_APPS order,
        # and reads its section of the city's demo file (pooling/data/demo/<area code>.json).
        # Loaders act as DEMO_LOADER (a system actor): the audit trail names the demo load.
        for load in DEMO_LOADERS.items():
            with transaction.atomic(), system_job(DEMO_LOADER):
                load(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))

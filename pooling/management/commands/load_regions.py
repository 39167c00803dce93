from django.core.management.base import BaseCommand, CommandError

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.regions import regions_load


class Command(BaseCommand):
    help = "载入统筹区及其经办单位（GB/T 2260）/ Load a pooling area and its handling units"

    def add_arguments(self, parser):
        parser.add_argument(
            "area_code", help="统筹区行政区划代码，如 320900 / area code, e.g. 320900"
        )

    def handle(self, *args, area_code: str, **options):
        try:
            regions = regions_load(area_code=area_code)
        except BusinessRuleError as exc:
            raise CommandError(f"{exc.text('zh-hans')} / {exc.text('en')}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"已载入 {regions[0].name}：{len(regions) - 1} 个经办单位")
        )

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pooling.models import PolicyVersion
from pooling.policy.validation import document_to_text


class Command(BaseCommand):
    help = "导出一个政策版本为 JSON 文件 / Export one policy version (by its code) as JSON"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version", help="版本号，例如 YC-2026 / version code")
        parser.add_argument("-o", "--output", help="输出文件（缺省为标准输出）/ output file")

    def handle(self, *args, **options):
        version = PolicyVersion.objects.filter(code=options["version"]).first()
        if version is None:
            raise CommandError(f"没有版本号为 {options['version']} 的政策版本 / no such version")
        text = document_to_text(version.document)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

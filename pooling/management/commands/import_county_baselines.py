from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pooling.kernel.errors import BusinessRuleError
from pooling.models import User
from pooling.policy.unification.services import BaselineFileInvalid, county_baselines_import


class Command(BaseCommand):
    help = (
        "导入各县（区）统筹前待遇参数（CSV：区划代码, 项目代码, 数值），用于待遇不降核对 / "
        "Import counties' pre-pooling parameters for the 待遇不降 report"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV 文件（UTF-8 或 GBK）")
        parser.add_argument(
            "--as", dest="actor", required=True, help="导入人（市医保局管理员）用户名"
        )

    def handle(self, *args, **options):
        actor = User.objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(f"用户 {options['actor']} 不存在 / no such user")
        path = Path(options["file"])
        try:
            saved = county_baselines_import(
                content=path.read_bytes(), source=path.name, actor=actor
            )
        except BaselineFileInvalid as exc:
            lines = [f"文件有 {len(exc.problems)} 处问题，未导入任何内容："] + [
                f"  {p}" for p in exc.problems
            ]
            raise CommandError("\n".join(lines)) from exc
        except BusinessRuleError as exc:
            raise CommandError(exc.text()) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        for county, count in saved.items():
            self.stdout.write(f"{county}：{count} 项")

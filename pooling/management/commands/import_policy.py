from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from pooling.kernel.errors import BusinessRuleError
from pooling.models import User
from pooling.policy.services import (
    PolicyDocumentInvalid,
    policy_approve_publish,
    policy_draft_import,
    policy_submit,
)
from pooling.policy.validation import DocumentSyntaxError, document_from_text


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"用户 {username} 不存在 / no such user")
    return user


class Command(BaseCommand):
    help = (
        "导入政策文件为草稿；可加 --publish-by 由第二位管理员复核发布 / "
        "Import a policy JSON file as a draft (optionally submitted and published by a second admin)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSON 政策文件 / policy file")
        parser.add_argument(
            "--as", dest="maker", required=True, help="起草人（市医保局管理员）用户名"
        )
        parser.add_argument(
            "--publish-by", dest="checker", help="复核发布人（另一位市医保局管理员）用户名"
        )

    def handle(self, *args, **options):
        maker = _user(options["maker"])
        checker = _user(options["checker"]) if options["checker"] else None
        try:
            document = document_from_text(Path(options["file"]).read_bytes())
            with transaction.atomic():  # a refused approval leaves no draft behind either
                version = policy_draft_import(document=document, actor=maker)
                if checker is not None:
                    policy_submit(version=version, actor=maker)
                    version = policy_approve_publish(version=version, actor=checker)
        except DocumentSyntaxError as exc:
            raise CommandError(str(exc.problem)) from exc
        except PolicyDocumentInvalid as exc:
            lines = [f"政策文件未通过校验，共 {len(exc.problems)} 处问题，未导入任何内容："]
            raise CommandError("\n".join(lines + [f"  {p}" for p in exc.problems])) from exc
        except BusinessRuleError as exc:
            raise CommandError(exc.text()) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{version.code}：{version.get_status_display()}（生效日期 {version.effective_from}）"
            )
        )

"""`manage.py provider_client`: a provider's system posting realistic outpatient visits over HTTP.

    manage.py provider_client --url http://127.0.0.1:8000 --provider H32090200011 \\
        --token K….… --visits 200 --threads 4

People are drawn from the provider's city (insured and out of any waiting period), items
from the catalogue in force. With `--issue-by USER` a credential is issued for the run
(audited, like any other) instead of `--token`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import unrestricted
from providers.models import Provider
from settlement.client import run_visits
from settlement.demo_data import patients_and_items


class Command(BaseCommand):
    help = "以定点机构信息系统身份通过 HTTP 发送国家接口格式的门诊结算 / post realistic visits over HTTP"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--provider", required=True, help="定点机构编码，如 H32090200011")
        parser.add_argument("--token", default="", help="接口密钥 <密钥编号>.<密钥>")
        parser.add_argument(
            "--issue-by", default="", help="由该经办人员签发一个本次使用的密钥（用户名）"
        )
        parser.add_argument("--visits", type=int, default=100)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        with unrestricted():
            provider = Provider.objects.filter(national_code=options["provider"].upper()).first()
        if provider is None:
            raise CommandError(f"未知的定点机构编码 / unknown provider: {options['provider']}")
        token = options["token"] or self._issue(provider, options["issue_by"])
        patients, items = patients_and_items(on=timezone.localdate(), limit=2000)
        if not patients or not items:
            raise CommandError(
                "没有可结算的参保人或医保目录 / no insured people or no catalogue in force"
            )
        outcome = run_visits(
            options["url"],
            token,
            provider.national_code,
            patients,
            items,
            visits=options["visits"],
            threads=options["threads"],
            seed=options["seed"],
        )
        self.stdout.write(
            f"结算成功 {outcome.settled} 笔，被拒 {outcome.refused} 笔 / settled {outcome.settled}, "
            f"refused {outcome.refused}"
        )
        for error in outcome.errors[:5]:
            self.stdout.write(f"  {error}")
        if outcome.settled == 0:
            raise CommandError("没有一笔结算成功 / nothing settled")

    def _issue(self, provider: Provider, username: str) -> str:
        from pooling.models import User
        from settlement.services.credentials import credential_issue

        actor = User.objects.filter(username=username).first() if username else None
        if actor is None:
            raise CommandError("请提供 --token，或用 --issue-by 指定签发密钥的经办人员")
        try:
            return credential_issue(provider=provider, label="provider_client", actor=actor).token
        except (PermissionDenied, BusinessRuleError) as exc:
            # Said as the page says it, not as a traceback: e.g. a clerk of a county that does not
            # manage this provider.
            raise CommandError(
                f"{username} 不能为 {provider.national_code} 签发密钥：{exc}"
            ) from None

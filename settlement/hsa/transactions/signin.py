"""9001 sign-in, 9002 sign-out."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from settlement.hsa import fields
from settlement.hsa.dispatch import Context, register
from settlement.services.credentials import sign_in, sign_out


@register("9001", "签到", writes=True, needs_sign_in=False)
def signin(ctx: Context) -> dict[str, Any]:
    raw = ctx.input.get("signIn")
    data: dict[str, Any] = raw if isinstance(raw, dict) else ctx.data
    record = sign_in(
        credential=ctx.credential,
        opter_no=fields.text(data, "opter_no", max_len=30),
        mac=fields.text(data, "mac", required=False, max_len=30),
        ip=fields.text(data, "ip", required=False, max_len=45),
    )
    return {
        "signinoutb": {
            "sign_time": timezone.localtime(record.signed_in_at).strftime("%Y-%m-%d %H:%M:%S"),
            "sign_no": record.sign_no,
        }
    }


@register("9002", "签退", writes=True)
def signout(ctx: Context) -> dict[str, Any]:
    raw = ctx.input.get("signOut")
    data: dict[str, Any] = raw if isinstance(raw, dict) else ctx.data
    number = fields.text(data, "sign_no", required=False, max_len=30) or ctx.env.sign_no
    record = sign_out(provider_id=ctx.provider.pk, sign_no=number)
    assert record.signed_out_at is not None
    return {
        "signoutoutb": {
            "sign_time": timezone.localtime(record.signed_out_at).strftime("%Y-%m-%d %H:%M:%S")
        }
    }

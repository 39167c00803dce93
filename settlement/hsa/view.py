"""`POST /api/hsa/` (or `/api/hsa/<infno>`): the national envelope in, the national answer out.

Authentication: `Authorization: Bearer <key_id>.<secret>` (a credential issued by the
handling agency). Every failure is answered in the interface's own form — `infcode -1`
and a Chinese `err_msg` naming the field and the rule — never an HTML page or a stack
trace; an unexpected fault is logged with an incident number the answer repeats.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from pooling.kernel.errors import BusinessRuleError
from settlement.hsa import envelope
from settlement.hsa.body import too_big
from settlement.hsa.dispatch import handle
from settlement.hsa.errors import INTERNAL, NO_CREDENTIAL, HsaError
from settlement.hsa.prepared import prepared_statements
from settlement.services.credentials import credential_authenticate

log = logging.getLogger("settlement.hsa")

POST_ONLY = _("本接口只接受 POST 请求（JSON 报文）")
INFNO_PATH = _("路径中的交易编号 %(path)s 与报文 infno=%(value)s 不一致")
NOT_FOUND = _("未找到 %(field)s 对应的记录，或该记录不属于本机构")
FORBIDDEN = _("无权执行此操作：%(detail)s")
NO_SUCH_PATH = _("接口地址不存在：请使用 /api/hsa/ 或 /api/hsa/<交易编号>")
BAD_REQUEST = _("请求无效（请求头 Host 或报文格式不被接受）")


@csrf_exempt
def endpoint(request: HttpRequest, infno: str | None = None) -> HttpResponse:
    with translation.override("zh-hans"), prepared_statements():
        status, body = _serve(request, infno)
    return HttpResponse(
        envelope.render(body), status=status, content_type="application/json; charset=utf-8"
    )


def _refusal(status: int, message: Any, code: str, **params: Any) -> HttpResponse:
    with translation.override("zh-hans"):
        body = envelope.answer(None, error=HsaError(message, code=code, **params))
    return HttpResponse(
        envelope.render(body), status=status, content_type="application/json; charset=utf-8"
    )


# The interface's own error answers where Django answers before the view (settlement/hsa/root_urls.py).
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _refusal(404, NO_SUCH_PATH, "no_such_path")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _refusal(400, BAD_REQUEST, "bad_request")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _refusal(403, FORBIDDEN, "forbidden", detail=str(exception or ""))


def server_error(request: HttpRequest) -> HttpResponse:
    # Django has logged the traceback (django.request); the answer names no detail.
    return _refusal(500, INTERNAL, "internal", incident=secrets.token_hex(4).upper())


def _body(request: HttpRequest) -> bytes:
    """The raw body; one over Django's DATA_UPLOAD_MAX_MEMORY_SIZE is refused as too big, as one
    over the envelope's own limit is (not answered as an internal fault)."""
    try:
        return request.body
    except RequestDataTooBig:
        raise too_big() from None


def _serve(request: HttpRequest, infno: str | None) -> tuple[int, dict[str, Any]]:
    if request.method != "POST":
        return 405, envelope.answer(None, error=HsaError(POST_ONLY, code="method"))
    header = request.headers.get("Authorization", "")
    # The scheme is case-insensitive (RFC 7235): "bearer …" is the same credential.
    bearer = header[:7].lower() == "bearer "
    credential = credential_authenticate(token=header[7:]) if bearer else None
    if credential is None:
        return 401, envelope.answer(
            None, error=HsaError(NO_CREDENTIAL, field="Authorization", code="credential")
        )
    env = None
    try:
        env = envelope.parse(_body(request))
        if infno is not None and env.infno != infno:
            raise HsaError(
                INFNO_PATH, field="infno", code="infno_path", path=infno, value=env.infno
            )
        return 200, envelope.answer(env, output=handle(env, credential))
    except BusinessRuleError as exc:
        return 200, envelope.answer(env, error=exc)
    except ObjectDoesNotExist:
        return 200, envelope.answer(
            env, error=HsaError(NOT_FOUND, code="not_found", field="mdtrt_id")
        )
    except PermissionDenied as exc:
        return 200, envelope.answer(
            env, error=HsaError(FORBIDDEN, code="forbidden", detail=str(exc))
        )
    except Exception:
        incident = secrets.token_hex(4).upper()
        log.exception(
            "hsa message failed: incident %s infno %s msgid %s",
            incident,
            getattr(env, "infno", "?"),
            getattr(env, "msgid", "?"),
        )
        return 200, envelope.answer(
            env, error=HsaError(INTERNAL, code="internal", incident=incident)
        )

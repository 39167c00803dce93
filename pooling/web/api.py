"""API plumbing shared by every app: errors as JSON in Chinese and English."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import (
    APIException,
    MethodNotAllowed,
    Throttled,
    UnsupportedMediaType,
)
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from pooling.kernel.errors import BusinessRuleError, bilingual

THROTTLED = _("请求过于频繁，请在 %(seconds)s 秒后再试")
NOT_FOUND = _("未找到")


class _Formatted:
    """DRF's lazy text with the parameters it was formatted with, rendered in whichever
    language asks (so detail_zh and detail_en each read in their own)."""

    def __init__(self, text: Any, **params: Any) -> None:
        self.text, self.params = text, params

    def __str__(self) -> str:
        return str(self.text).format(**self.params)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, BusinessRuleError):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body: Any = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            body = {"detail": [str(m) for m in exc.messages]}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(
        exc, Throttled
    ):  # 429 keeps DRF's Retry-After; the text says when, in both languages
        rule = getattr(exc, "rule", None) or BusinessRuleError(
            THROTTLED,
            code="throttled",
            params={"seconds": math.ceil(getattr(exc, "wait", None) or 1)},
        )
        response.data = rule.as_dict()
        return response
    message: Any = None
    if isinstance(exc, DjangoPermissionDenied) and exc.args:
        message = exc.args[0]
    elif isinstance(exc, Http404):  # Django's text names the model, in English only
        message = NOT_FOUND
    elif isinstance(exc, APIException) and str(exc.detail) == str(exc.default_detail):
        # DRF rendered its own text in the request's language; its lazy original gives both.
        message = exc.default_detail
    elif (
        isinstance(exc, MethodNotAllowed | UnsupportedMediaType)
        and context.get("request") is not None
    ):
        request = context["request"]
        message = _Formatted(
            exc.default_detail, method=request.method, media_type=request.content_type
        )
    elif isinstance(response.data, dict) and isinstance(response.data.get("detail"), str):
        message = str(response.data["detail"])
    if message is not None:
        both = bilingual(message)
        response.data = {"detail": str(message), "detail_zh": both["zh"], "detail_en": both["en"]}
    return response

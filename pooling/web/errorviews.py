"""Friendly error pages in Chinese; API clients get JSON instead."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from pooling.kernel.errors import bilingual


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _message(exception: Any) -> str:
    return (
        str(exception.args[0]) if exception is not None and getattr(exception, "args", None) else ""
    )


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    msg = _message(exception)
    if _wants_json(request):
        both = bilingual(exception.args[0]) if msg else {"zh": "无权访问", "en": "Access denied"}
        return JsonResponse(
            {"detail": msg or both["zh"], "detail_zh": both["zh"], "detail_en": both["en"]},
            status=403,
        )
    return render(request, "403.html", {"message": msg}, status=403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "未找到", "detail_en": "Not found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "服务器内部错误", "detail_en": "Server error"}, status=500)
    return render(request, "500.html", status=500)

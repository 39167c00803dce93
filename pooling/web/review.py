"""Pages and API of the maker-checker steps (submit, approve and publish, reject) that
policy and catalogue versions share (`pooling.kernel.review`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pooling.kernel.errors import BusinessRuleError
from pooling.web.decorators import acting
from pooling.web.drf import HasCapability

PROBLEMS = OpenApiResponse(
    description="校验失败：detail_zh/detail_en，problems 列出每处 JSON 路径与原因"
)


def review_step(request: HttpRequest, run: Callable[[], Any], done: Any, back: str) -> HttpResponse:
    """A page's POST of one step: the service's refusal or `done` as a message, then back."""
    try:
        run()
    except BusinessRuleError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, done)
    return redirect(back)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


def review_endpoint(
    service: Any,
    *,
    capability: str,
    doc: str,
    find: Callable[..., Any],
    answer: Any,
    name: str,
    with_reason: bool = False,
) -> type[APIView]:
    """An API view for one step: POST to the version's URL (`find(**url_kwargs)`), with a
    `reason` when rejecting; answers the version as `answer` serialises it."""

    class Step(APIView):
        permission_classes = [HasCapability.of(capability)]

        @extend_schema(
            request=ReasonSerializer if with_reason else None,
            responses={200: answer, 400: PROBLEMS},
            description=doc,
        )
        def post(self, request: Request, **kwargs: Any) -> Response:
            extra: dict[str, Any] = {}
            if with_reason:
                body = ReasonSerializer(data=request.data)
                body.is_valid(raise_exception=True)
                extra["reason"] = body.validated_data["reason"]
            return Response(
                answer(service(version=find(**kwargs), actor=acting(request), **extra)).data
            )

    Step.__name__ = Step.__qualname__ = name
    return Step

"""A request's body as a JSON object, or a refusal saying what is wrong with it and where.

The body must be UTF-8 (a byte-order mark is allowed), standard JSON (no NaN or Infinity,
no integer of thousands of digits, no nesting deep enough to exhaust the parser), an
object, and its text encodable again (no lone UTF-16 surrogate escapes). Numbers with a
fraction or exponent are parsed as Decimal (`fields.json_number`), never as floats.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from settlement.hsa import fields
from settlement.hsa.errors import BAD_FORMAT, MALFORMED, HsaError

MAX_BODY = 2 * 1024 * 1024


def body_json(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or a refusal saying what is wrong with it and where."""
    if len(body) > MAX_BODY:
        raise too_big()
    try:
        # A byte-order mark, as some Windows systems write, is not content.
        decoded = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HsaError(MALFORMED, code="malformed", detail=NOT_UTF8 % exc.start) from None
    try:
        raw = json.loads(decoded, parse_float=fields.json_number, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise HsaError(
            MALFORMED, code="malformed", detail=BAD_SYNTAX % (exc.lineno, exc.colno)
        ) from None
    except (ValueError, RecursionError):  # NaN/Infinity, an integer of thousands of digits, depth
        raise HsaError(MALFORMED, code="malformed", detail=NOT_STANDARD) from None
    if not isinstance(raw, dict):
        raise HsaError(MALFORMED, code="malformed", detail=NOT_OBJECT % kind(raw))
    if _SURROGATE.search(decoded):  # rare: only then the walk, which encodes every string
        name = _unencodable(raw, "")
        if name is not None:
            raise HsaError(
                BAD_FORMAT, field=name, code="bad_format", rule=UNICODE_RULE, value="\\uD8xx"
            )
    return raw


def _unencodable(node: Any, key: str) -> str | None:
    """The name of the first field whose key or text cannot be encoded (shown escaped), or None."""
    if isinstance(node, str):
        return None if _encodes(node) else _escaped(key or "input")
    if isinstance(node, list):
        return next((f for f in (_unencodable(v, key) for v in node) if f is not None), None)
    if isinstance(node, dict):
        for name, value in node.items():
            found = _escaped(name) if not _encodes(name) else _unencodable(value, name)
            if found is not None:
                return found
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _escaped(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


TOO_BIG = "报文超过 %s KB"
NOT_UTF8 = "不是 UTF-8 编码（第 %s 字节起）"
BAD_SYNTAX = "第 %s 行第 %s 列不符合 JSON 语法"
NOT_STANDARD = "含有 NaN/Infinity、超长整数或嵌套过深，不是标准 JSON"
NOT_OBJECT = "顶层应为对象，收到%s"
UNICODE_RULE = "Unicode 文本，不含不成对的 \\uD800–\\uDFFF 转义"
# A \uD800–\uDFFF escape: half of a UTF-16 pair (an emoji written \ud83d\ude00 is fine); one alone
# decodes to a str that cannot be encoded again (the digest, the database), so it is refused here.
# Either half: a lone low one (\uDC00–\uDFFF) is as unencodable as a lone high one.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_KINDS = {
    list: "数组",
    str: "字符串",
    int: "数字",
    Decimal: "数字",
    bool: "布尔值",
    type(None): "null",
}


def too_big() -> HsaError:
    return HsaError(MALFORMED, code="malformed", detail=TOO_BIG % (MAX_BODY // 1024))


def kind(value: Any) -> str:
    return _KINDS.get(type(value), "对象")


def _no_constant(name: str) -> Any:
    raise ValueError(name)

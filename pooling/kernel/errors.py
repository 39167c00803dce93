"""Errors a service raises for the user: a code, and a message in Chinese with English.

Messages are lazy translations with Chinese source text (the default language);
`locale/en` holds the English. Tests assert on the named constants.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation


def bilingual(message: Any) -> dict[str, str]:
    """A message in both languages. Source strings are Chinese, so a plain Chinese
    string (e.g. an already-rendered DRF detail) is its own msgid."""
    if isinstance(message, str):
        with translation.override("en"):
            return {"zh": message, "en": translation.gettext(message)}
    with translation.override("zh-hans"):
        zh = str(message)
    with translation.override("en"):
        en = str(message)
    return {"zh": zh, "en": en}


def render(message: Any, params: Mapping[str, Any] | None = None, lang: str | None = None) -> str:
    """A message with its parameters, in `lang` (or the active language)."""
    if lang:
        with translation.override(lang):
            return render(message, params)
    return str(message) % params if params else str(message)


class BusinessRuleError(Exception):
    """A rule of the field refused the request (e.g. 重复参保). Shown, never a 500."""

    def __init__(
        self,
        message: Any,
        *,
        code: str = "rule",
        field: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.field = field
        self.params = params or {}
        super().__init__(str(self.text()))

    def text(self, lang: str | None = None) -> str:
        return render(self.message, self.params, lang)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "field": self.field,
            "detail": self.text(),
            "detail_zh": self.text("zh-hans"),
            "detail_en": self.text("en"),
        }

"""The translated text of a message constant, remembered per language.

A lazy message (`gettext_lazy`) is translated again each time it is turned into text: Django looks
the active language up in its request-local state and then searches every app's catalogue (for the
Chinese source language, through all of them before falling back to the msgid). A settlement's
explanation is built from about thirty such constants, in both languages, on every 2207 (cProfile:
4 % of a settlement's CPU, issue 12). Catalogues do not change while a process runs, so the text of
a constant is remembered per (language, constant).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

LIMIT = 4096  # constants, not arbitrary messages: a bound in case a caller passes fresh ones
_MEMO: dict[tuple[str | None, int], tuple[Any, str]] = {}


def text(message: Any) -> str:
    """`str(message)` in the active language; remembered for a lazy message constant."""
    if isinstance(message, str):
        return message
    key = (translation.get_language(), id(message))
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is message:
        return hit[1]
    found = str(message)
    if len(_MEMO) < LIMIT:
        _MEMO[key] = (message, found)  # the message kept with it, so its id is never reused
    return found

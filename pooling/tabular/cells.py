"""Characters no imported cell may hold, and digits that only look like digits.

Control and format characters are invisible in Excel and on the page, yet they
end up in the database and break exports, searches and the national interface:
NUL, C0/C1 controls, zero-width and direction marks, a byte-order mark in the
middle of a file (two files pasted together), and U+FFFD (text already mangled by a
wrong conversion). A line break or a tab inside a cell is refused too, except in
columns declared multi-line (free text such as 限定支付范围).

Full-width digits and letters (１２３, ＡＢＣ — typed with a Chinese input method)
are refused in columns declared half-width (codes, numbers, dates), where Python
would otherwise read "１２" as 12 without a word.
"""

from __future__ import annotations

import re
import unicodedata

from pooling.tabular.errors import CHAR_NAMES

# Never in any cell: C0 controls but tab/LF/CR, DEL and C1 controls, format characters
# (soft hyphen, zero-width, direction marks, BOM, interlinear annotation, tags), line and
# paragraph separators, surrogates, non-characters and the replacement character.
_INVISIBLE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\ufffd\ufffe\uffff"
    "\U000e0001-\U000e007f"
)
# What a whole CSV text may never hold (line breaks end its rows; inside a quoted cell
# they are judged cell by cell).
FORBIDDEN_IN_TEXT = re.compile(f"[{_INVISIBLE}\t]")
FORBIDDEN_IN_CELL = re.compile(f"[{_INVISIBLE}\t\n\r]")
FORBIDDEN_IN_MULTILINE = FORBIDDEN_IN_TEXT
# Full-width ASCII forms, and decimal digits of any script but ASCII (\d is Unicode).
WIDE = re.compile("[\uff01-\uff5e]|[^\x00-\x7f](?<=\\d)")
# A number Excel shows in scientific notation (an 18-digit ID number as 3.20902E+17): in a
# half-width column (codes, numbers) it has lost its digits.
SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?[eE]\+[0-9]+")
FORMULA_SHOWN = 40  # characters of a refused formula quoted in the message


def formula_shown(formula: str) -> str:
    """A formula as a message quotes it: =SUM(A1:A9), or its first 40 characters and "…"."""
    return formula if len(formula) <= FORMULA_SHOWN else formula[:FORMULA_SHOWN] + "…"


def char_name(char: str) -> str:
    """U+200B（零宽空格） for the characters clerks meet, else the code point and its Unicode name."""
    known = CHAR_NAMES.get(char)
    if known is not None:
        return str(known)
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f"（{name}）" if name else "")


def halfwidth(value: str) -> str:
    """The value as it should have been typed: full-width forms and other digits as ASCII."""
    return "".join(_narrow(c) for c in value)


def _narrow(char: str) -> str:
    if "\uff01" <= char <= "\uff5e":
        return chr(ord(char) - 0xFEE0)
    if not char.isascii() and char.isdecimal():
        return str(unicodedata.decimal(char))
    return char

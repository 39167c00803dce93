"""A lean XLSX row reader: the first sheet's cells as text, for tables without dates.

openpyxl builds an object per cell: 100,000 seven-column rows take ~8 s in read-only
mode, ~2.5 s here. Catalogues and people files need only text, so this reads the
sheet XML directly (zipfile + ElementTree.iterparse, both in the
standard library): shared strings, inline strings and plain values. Rows missing
from the XML (empty in Excel) are yielded as empty lists so that row numbers in the
error report match the ones the clerk sees in Excel.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import IO
from xml.etree.ElementTree import Element, iterparse, parse

LONGEST_EXACT = Decimal(10) ** 15  # Excel keeps 15 significant digits; from here on, some are gone
LOST_DIGITS = "\x00lost-digits"  # what a too-long number cell reads as (pooling.tabular.reader reports it)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _text(node: Element) -> str:
    """The text of a shared or inline string: its <t>, or its runs' <t> (not phonetic hints)."""
    direct = node.find(f"{MAIN}t")
    if direct is not None:
        return direct.text or ""
    return "".join(t.text or "" for r in node.findall(f"{MAIN}r") for t in r.findall(f"{MAIN}t"))


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    out = []
    with book.open("xl/sharedStrings.xml") as f:
        for _event, node in iterparse(f):
            if node.tag == f"{MAIN}si":
                out.append(_text(node))
                node.clear()
    return out


def _first_sheet(book: zipfile.ZipFile) -> str:
    sheet = parse(book.open("xl/workbook.xml")).getroot().find(f"{MAIN}sheets/{MAIN}sheet")
    if sheet is None:
        raise KeyError("no sheet")
    rel_id = sheet.get(f"{REL}id")
    for rel in parse(book.open("xl/_rels/workbook.xml.rels")).getroot().iter(f"{PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    raise KeyError("no sheet relationship")


def _column(ref: str) -> int:
    n = 0
    for ch in ref:
        if ch.isdigit():
            break
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cells(row: Element, shared: list[str]) -> list[str]:
    values: list[str] = []
    for c in row.iter(f"{MAIN}c"):
        ref = c.get("r")
        if ref:
            index = _column(ref)
            values.extend([""] * (index - len(values)))
        kind = c.get("t")
        if kind == "s":
            v = c.findtext(f"{MAIN}v")
            values.append(shared[int(v)] if v else "")
        elif kind == "inlineStr":
            node = c.find(f"{MAIN}is")
            values.append("" if node is None else _text(node))
        elif kind in (None, "n"):
            values.append(_number(c.findtext(f"{MAIN}v") or ""))
        else:
            values.append(c.findtext(f"{MAIN}v") or "")
    return values


def _number(text: str) -> str:
    """A numeric cell as a clerk typed it: 15 not 15.0; a long number Excel kept as a
    double (an ID number typed without the text format) has lost digits: LOST_DIGITS."""
    if not text or text.isdigit():
        return text
    try:
        # Decimal, not float: the cell may be money (a baseline in yuan), read exactly.
        value = Decimal(text)
    except InvalidOperation:
        return text
    if value.is_finite() and value == value.to_integral_value():
        return LOST_DIGITS if abs(value) >= LONGEST_EXACT else str(int(value))
    return text


def xlsx_rows(data: bytes | IO[bytes]) -> Iterator[list[str]]:
    """Rows of the first worksheet as lists of text (raises KeyError/BadZipFile/ParseError if broken)."""
    with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as book:
        shared = _shared_strings(book)
        with book.open(_first_sheet(book)) as f:
            expected = 1
            for _event, node in iterparse(f):
                if node.tag != f"{MAIN}row":
                    continue
                number = int(node.get("r") or expected)
                while expected < number:  # rows Excel left out because they are empty
                    yield []
                    expected += 1
                yield _cells(node, shared)
                expected += 1
                node.clear()

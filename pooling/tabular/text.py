"""The records of a CSV file, decoded a block at a time, with the row and column to blame.

Decoding is done here, not by a TextIOWrapper, so that a line that is not cleanly in
the file's encoding stops the reading *at that line* — the records before it are
read and the error names the row that follows them:
- in a UTF-8 file, a line with bytes UTF-8 cannot read (a GBK row pasted in);
- in a GBK file, a line that is valid UTF-8 Chinese. GB18030 reads almost any byte
  string, so without this check such a row would be imported as mojibake
  (张三 in UTF-8 reads as 寮犱笁 in GBK) without a word.

Python's csv module says only "field larger than field limit" or "unexpected end of
data"; `_diagnose` re-reads the record it choked on to say which cell and why
(a cell too long, or a quote that was opened and never closed).
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from collections.abc import Iterator
from typing import IO

from pooling.tabular.errors import (
    BAD_QUOTE,
    HUGE_CELL,
    LINE_TOO_LONG,
    MIXED_ENCODING,
    TRUNCATED,
    UNCLOSED_QUOTE,
    UNDECODABLE,
    TableError,
    column_letter,
)
from pooling.tabular.sniff import BOM, ENCODING_LABELS

BLOCK = 1 << 20
MAX_LINE_BYTES = 16 << 20  # a "line" this long without a line break is not a row of a table
MAX_CELL = 32767  # Excel's own limit for one cell: a longer cell did not come from a spreadsheet
# One UTF-8 Chinese character (or CJK punctuation) is [E3-E9][80-BF][80-BF]; found at C speed
# in a whole block by mapping lead bytes to L and continuation bytes to C, then finding "LCC".
_SHAPES = bytes(
    ord("L") if 0xE3 <= b <= 0xE9 else ord("C") if 0x80 <= b <= 0xBF else ord("x")
    for b in range(256)
)
_CJK = re.compile("[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_FIELD_END = re.compile("[,\r\n]")
_NON_ASCII = re.compile(b"[\x80-\xff]")


class BadLine(Exception):
    """A line of the file that is not cleanly in its encoding (raised where the reader reaches it)."""

    def __init__(self, line: bytes, at: int, found: str) -> None:
        self.line, self.at, self.found = line, at, found
        super().__init__(found)


class LongLine(Exception):
    """MAX_LINE_BYTES without a line break."""

    def __init__(self, start: bytes) -> None:
        self.start = start
        super().__init__("line too long")


class Lines:
    """The decoded lines of a CSV file, as csv.reader wants them (line ends kept).

    Keeps the last few blocks' lines, so a record csv.reader chokes on can be re-read.
    """

    def __init__(self, raw: IO[bytes], encoding: str) -> None:
        self.raw = raw
        self.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        self.label = ENCODING_LABELS[encoding]
        self.recent: deque[tuple[int, list[str]]] = deque(maxlen=4)
        self.unread = b""  # what a LongLine left undecoded

    def chunks(self) -> Iterator[tuple[bytes, str, BadLine | None]]:
        """The file a block at a time, cut at line ends: (the bytes, their text, and the
        line the text stops before when one is not in the file's encoding — then last)."""
        carry = b""
        at_start = True
        while True:
            block = self.raw.read(BLOCK)
            if at_start and block.startswith(BOM):
                block = block[len(BOM) :]
            at_start = False
            data = carry + block if carry else block
            if block:
                cut = _line_end(data)
                if not cut:
                    if len(data) > MAX_LINE_BYTES:
                        self.unread = data[: MAX_CELL * 4 + 8]
                        raise LongLine(data)
                    carry = data
                    continue
                chunk, carry = data[:cut], data[cut:]
            else:
                chunk, carry = data, b""
            text, bad = self._decode(chunk)
            yield chunk, text, bad
            if bad is not None or not block:
                return

    def __iter__(self) -> Iterator[str]:
        first = 0  # index of the first line of the next block
        for _chunk, text, bad in self.chunks():
            lines = io.StringIO(text, newline="").readlines()
            self.recent.append((first, lines))
            first += len(lines)
            yield from lines
            if bad is not None:
                raise bad

    def _decode(self, chunk: bytes) -> tuple[str, BadLine | None]:
        """The chunk's text up to the first line that is not in the file's encoding."""
        bad: BadLine | None = None
        try:
            text = chunk.decode(self.encoding)
        except UnicodeDecodeError as exc:
            bad = self._bad_line(chunk, exc.start, _other(self.encoding))
            text = chunk[: bad.at].decode(self.encoding)
        if self.encoding == "gb18030":
            utf8 = _utf8_line(chunk, len(chunk) if bad is None else bad.at)
            if utf8 is not None:
                bad = BadLine(*_line_at(chunk, utf8), found="UTF-8")
                text = chunk[: bad.at].decode(self.encoding)
        return text, bad

    def _bad_line(self, chunk: bytes, position: int, other: str) -> BadLine:
        line, start = _line_at(chunk, position)
        try:
            readable = _CJK.search(line.decode(other)) is not None
        except UnicodeDecodeError:
            readable = False
        return BadLine(line, start, found=ENCODING_LABELS[other] if readable else "")

    def text_from(self, line: int) -> str:
        """The kept text from physical line `line` on (for re-reading a broken record)."""
        parts = [
            text for first, lines in self.recent for i, text in enumerate(lines, first) if i >= line
        ]
        return "".join(parts) + self.unread.decode(self.encoding, errors="replace")


def _line_end(data: bytes) -> int:
    """Where the last complete line of `data` ends (0: none). A CR as the last byte may be
    the first half of CRLF, so it waits for the next block."""
    after_lf = data.rfind(b"\n") + 1
    after_cr = data.rfind(b"\r", after_lf, len(data) - 1) + 1
    return max(after_lf, after_cr)


def _line_at(chunk: bytes, position: int) -> tuple[bytes, int]:
    start = max(chunk.rfind(b"\n", 0, position), chunk.rfind(b"\r", 0, position)) + 1
    ends = [i for i in (chunk.find(b"\n", position), chunk.find(b"\r", position)) if i >= 0]
    return chunk[start : min(ends) if ends else len(chunk)], start


def _other(encoding: str) -> str:
    return "utf-8" if encoding == "gb18030" else "gb18030"


def _utf8_line(chunk: bytes, limit: int) -> int | None:
    """Position of the first line (before `limit`) of a GBK chunk that is valid UTF-8 Chinese."""
    shapes = chunk[:limit].translate(_SHAPES)
    position = 0
    while (found := shapes.find(b"LCC", position)) >= 0:
        line, start = _line_at(chunk, found)
        try:
            if _CJK.search(line.decode("utf-8")):
                return start
        except UnicodeDecodeError:
            pass
        position = start + len(line) + 1
    return None


def csv_records(raw: IO[bytes], encoding: str) -> Iterator[list[str]]:
    """Every record of a CSV file; a TableError names the row (as in Excel) and column
    of the first thing that stops the reading."""
    lines = Lines(raw, encoding)
    reader = csv.reader(lines, strict=True)
    header: list[str] = []
    read = 0  # records read so far, the header included
    start = 0  # the physical line the next record starts on
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise _broken_record(lines, start, read + 1, header) from None
        except LongLine:
            raise _broken_record(lines, start, read + 1, header, long_line=True) from None
        except BadLine as bad:
            raise _undecodable(bad, lines, read + 1, header) from None
        read += 1
        start = reader.line_num
        if not header:
            header = cells
        yield cells


def _label(header: list[str], index: int) -> str:
    name = header[index].replace("\ufeff", "").strip() if index < len(header) else ""
    return name or column_letter(index)


def _undecodable(bad: BadLine, lines: Lines, row: int, header: list[str]) -> TableError:
    column = _label(header, _cell_index(bad, lines.encoding))
    if bad.found:
        return TableError(
            MIXED_ENCODING,
            code="mixed_encoding",
            row=row,
            column=column,
            params={"row": row, "found": bad.found, "expected": lines.label},
        )
    return TableError(
        UNDECODABLE, code="encoding", row=row, column=column, params={"row": row, "column": column}
    )


def _cell_index(bad: BadLine, encoding: str) -> int:
    """Which cell of the line holds its first character in the other encoding (or, when
    no encoding reads it, the first byte that cannot be read)."""
    if bad.found:
        first = _NON_ASCII.search(bad.line)
        position = first.start() if first else 0
    else:
        try:
            bad.line.decode(encoding)
            position = 0
        except UnicodeDecodeError as exc:
            position = exc.start
    before = bad.line[:position].decode(encoding, errors="replace")
    try:
        return max(len(next(csv.reader([before]), [""])) - 1, 0)
    except csv.Error:
        return 0


def _broken_record(
    lines: Lines, start: int, row: int, header: list[str], *, long_line: bool = False
) -> TableError:
    index, problem = _diagnose(lines.text_from(start), MAX_CELL)
    column = _label(header, index) if index is not None else ""
    if problem == "too_long":
        return TableError(
            HUGE_CELL,
            code="cell_too_long",
            row=row,
            column=column,
            params={"row": row, "column": column, "limit": MAX_CELL},
        )
    if problem in ("unclosed_quote", "bad_quote"):
        message = UNCLOSED_QUOTE if problem == "unclosed_quote" else BAD_QUOTE
        return TableError(
            message, code=problem, row=row, column=column, params={"row": row, "column": column}
        )
    if long_line:
        return TableError(
            LINE_TOO_LONG,
            code="line_too_long",
            row=row,
            params={"row": row, "limit": MAX_LINE_BYTES},
        )
    return TableError(TRUNCATED, code="truncated", row=row, params={"row": row})


def _diagnose(text: str, limit: int) -> tuple[int | None, str]:
    """Which cell of the record that `text` starts with breaks it, and how:
    "too_long", "unclosed_quote" or "bad_quote" ((None, "") if none does)."""
    i, n, field = 0, len(text), 0
    while i < n:
        if text[i] == '"':
            close = _closing_quote(text, i + 1)
            content = text[i + 1 : close if close >= 0 else n]
            spans_lines = "\n" in content or "\r" in content
            if close < 0:
                return field, "too_long" if len(
                    content
                ) > limit and not spans_lines else "unclosed_quote"
            if text[close + 1 : close + 2] not in ("", ",", "\r", "\n"):
                return field, "unclosed_quote" if spans_lines else "bad_quote"
            if len(content) > limit:
                return field, "too_long"
            i = close + 1
        else:
            end = _FIELD_END.search(text, i)
            stop = end.start() if end else n
            if stop - i > limit:
                return field, "too_long"
            i = stop
        if i >= n or text[i] != ",":
            return None, ""  # the record ends here, and nothing in it is wrong
        i += 1
        field += 1
    return None, ""


def _closing_quote(text: str, i: int) -> int:
    """Position of the quote closing a quoted cell whose content starts at `i` (-1: none)."""
    while True:
        close = text.find('"', i)
        if close < 0 or not text.startswith('"', close + 1):
            return close
        i = close + 2  # "" is a quote inside the cell

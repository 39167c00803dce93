"""What an uploaded file really is, from its bytes (never its name), and a CSV's encoding.

A ".csv" may be a workbook, a ZIP, a PDF, an old .xls, an encrypted workbook (Excel
wraps those in an OLE file) or Excel's "Unicode text" (UTF-16): each is named for
what it is, instead of being read as text and reported as bad characters.

The encoding of a CSV is decided by its first lines that are not plain ASCII — not
merely its first block, which may be ASCII for thousands of rows — and by a vote
among those lines, so one odd row early in a file does not decide for all the rest
(that row is then reported by `pooling.tabular.text`).
"""

from __future__ import annotations

import codecs
import re
from typing import IO

from django.utils.translation import gettext_lazy as _

from pooling.tabular.errors import (
    EMPTY_FILE,
    ENCRYPTED,
    NOT_A_TABLE,
    UTF16_TEXT,
    XLS_UNSUPPORTED,
    TableError,
)

BOM = codecs.BOM_UTF8
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
SNIFF_BYTES = 64 * 1024
BLOCK = 1 << 20
ENCODING_LABELS = {"utf-8-sig": "UTF-8-BOM", "utf-8": "UTF-8", "gb18030": "GBK"}

_MAGIC = (
    (b"%PDF", _("PDF 文件")),
    (b"\x89PNG", _("PNG 图片")),
    (b"\xff\xd8\xff", _("JPEG 图片")),
    (b"GIF8", _("GIF 图片")),
    (b"\x1f\x8b", _("GZIP 压缩包")),
    (b"7z\xbc\xaf", _("7-Zip 压缩包")),
    (b"Rar!", _("RAR 压缩包")),
    (b"BM", _("BMP 图片")),
    (b"{\\rtf", _("RTF 文档")),
    (b"PK\x05\x06", _("空的 ZIP 压缩包")),
)
BINARY = _("二进制文件")
_BINARY = re.compile(b"[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # bytes plain text does not hold (ESC aside)
_NON_ASCII = re.compile(b"[\x80-\xff]")
_CJK = re.compile(
    "[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
)  # CJK punctuation, ideographs, full-width forms


def identify(head: bytes) -> str:
    """ "xlsx" or "csv" for the first block of a file; a TableError for anything else."""
    if not head:
        raise TableError(EMPTY_FILE, code="empty")
    if head.startswith(ZIP_MAGIC):
        return "xlsx"  # which kind of ZIP it is, pooling.tabular.xlsx tells
    if head.startswith(OLE_MAGIC):
        # A password-protected .xlsx is an OLE file holding an "EncryptedPackage" stream.
        if "EncryptedPackage".encode("utf-16-le") in head:
            raise TableError(ENCRYPTED, code="encrypted")
        raise TableError(XLS_UNSUPPORTED, code="xls")
    # Magic numbers first: a PNG's or a PDF's header is followed by NULs, which
    # would otherwise pass for UTF-16 text.
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise TableError(NOT_A_TABLE, code="not_a_table", params={"what": what})
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        raise TableError(UTF16_TEXT, code="utf16")
    # A cell may hold a stray NUL (reported with its row and column); a file where one
    # byte in ten is a control byte is not text at all.
    if len(_BINARY.findall(head)) * 10 > len(head):
        raise TableError(NOT_A_TABLE, code="not_a_table", params={"what": BINARY})
    return "csv"


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a BOM: ASCII letters with a NUL beside every one of them."""
    sample = head[:4096]
    if len(sample) < 8:
        return False
    evens, odds = sample[0::2], sample[1::2]
    return evens.count(0) * 2 > len(evens) or odds.count(0) * 2 > len(odds)


def detect_encoding(stream: IO[bytes]) -> str:
    """utf-8-sig, utf-8 or gb18030 for a seekable CSV stream, which is left at its start."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    window = head
    if head.isascii():
        # Plain ASCII so far (English headers, codes and numbers): the first row with
        # Chinese in it decides.
        while block := stream.read(BLOCK):
            found = _NON_ASCII.search(block)
            if found:
                start = block.rfind(b"\n", 0, found.start()) + 1
                window = block[start : start + SNIFF_BYTES]
                break
    stream.seek(0)
    return encoding_of(window)


def encoding_of(head: bytes) -> str:
    """The codec a CSV block is read with: utf-8-sig, utf-8 or gb18030 (a superset of GBK).

    Each line with non-ASCII bytes votes: UTF-8 if it decodes as UTF-8 into Chinese, GBK
    if it does not decode as UTF-8. Chinese text in GBK is almost never valid UTF-8;
    a GBK line that happens to be (目录 is C4 BF C2 BC, UTF-8 for "ĿƼ") holds no
    Chinese when read so, and does not vote.
    """
    if head.startswith(BOM):
        return "utf-8-sig"
    utf8 = gbk = 0
    lines = head.splitlines()
    if len(lines) > 1 and not head.endswith((b"\n", b"\r")):
        lines.pop()  # the block may end inside a character: leave its last line out
    for line in lines:
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            gbk += 1
            continue
        utf8 += bool(_CJK.search(text))
    if gbk > utf8:
        return "gb18030"
    if utf8 or gbk == 0 and _utf8_prefix_ok(head):
        return "utf-8"
    return "gb18030"


def _utf8_prefix_ok(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True

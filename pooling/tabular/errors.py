"""What the table reader says when a file or a cell cannot be imported.

One module for every message, so each import (bulk imports, catalogue, county
baselines, claim files) words the same problem the same way. File-level problems
raise `TableError`; problems with one cell become a row error with the same texts.
Each message names where (row, column or cell) and why, and what to do about it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError

# --- the file as a whole -------------------------------------------------------------
EMPTY_FILE = _("文件为空，没有任何内容")
HEADER_ONLY = _("文件只有表头，没有数据行")
TRUNCATED = _("文件不完整：第 %(row)s 行被截断（字段不全），请重新导出完整文件后上传")
NOT_A_TABLE = _(
    "文件不是 CSV 或 XLSX 表格（看起来是%(what)s）：请上传 CSV（UTF-8 或 GBK 编码）或 XLSX 文件"
)
UTF16_TEXT = _(
    "文件是 UTF-16 编码的文本（Excel 的“Unicode 文本”格式）：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 XLSX 后上传"
)
XLS_UNSUPPORTED = _("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV 后上传")
ENCRYPTED = _("工作簿设置了打开密码，无法读取：请在 Excel 中取消密码并保存后重新上传")
BAD_XLSX = _("文件不是有效的 XLSX 工作簿，可能已损坏或不完整")
ZIP_NOT_XLSX = _("文件是 ZIP 压缩包，不是 XLSX 工作簿：请解压后上传其中的 CSV 或 XLSX 文件")
XLSB_UNSUPPORTED = _("不支持 Excel 二进制工作簿（.xlsb）：请另存为 .xlsx 或 CSV 后上传")
ODS_UNSUPPORTED = _("不支持 ODS 表格（WPS/LibreOffice 格式）：请另存为 .xlsx 或 CSV 后上传")
MANY_SHEETS = _(
    "工作簿中有 %(count)s 个工作表含有数据（%(sheets)s）：一次只能导入一个工作表，请删除其他工作表或分别导入"
)
MERGED_CELLS = _(
    "工作表“%(sheet)s”含有合并单元格 %(range)s（共 %(count)s 处）：合并后只有左上角一格有内容，其余格会被读成空白。请取消合并并填好每一格后重新上传"
)
TAB_SEPARATED = _(
    "文件用制表符（Tab）而不是逗号分隔：请在 Excel 中另存为 CSV（逗号分隔）或 XLSX 后上传"
)
TITLE_ROW = _(
    "第 %(row)s 行是标题（“%(title)s”）而不是表头：请删除表头上方的标题行，使第一行为表头后重新上传"
)
HEADER_AGAIN = _("本行与表头相同：文件可能由几个文件拼接而成，请删除重复的表头行后重新上传")
TOTAL_ROW = _("本行是“%(word)s”行，不是数据：请删除合计行后重新上传")
SEMICOLON_SEPARATED = _(
    "文件用分号（;）而不是逗号分隔：请在 Excel 中另存为 CSV（逗号分隔）或 XLSX 后上传"
)
LINE_TOO_LONG = _(
    "第 %(row)s 行超过 %(limit)s 字节仍没有换行：文件可能不是表格，或某个引号没有闭合"
)

# --- encodings ------------------------------------------------------------------------
UNDECODABLE = _("第 %(row)s 行“%(column)s”列含有无法识别的字节：文件编码应为 UTF-8 或 GBK")
MIXED_ENCODING = _(
    "第 %(row)s 行是 %(found)s 编码，而文件其余部分是 %(expected)s 编码：同一文件混用了两种编码，导入会产生乱码。请把整个文件另存为 UTF-8 编码后重新上传"
)

# --- the header row --------------------------------------------------------------------
MISSING_COLUMNS = _("缺少必需的列：%(columns)s")
DUPLICATE_HEADER = _("表头中“%(column)s”出现了不止一次")
UNKNOWN_COLUMNS = _(
    "表头中有本类导入不认识的列：%(columns)s。本类导入的列为——%(expected)s。请改正表头（或删除多余的列）后重新上传"
)
DID_YOU_MEAN = _("“%(header)s”（是否应为“%(suggestion)s”？）")
MORE_COLUMNS = _("等 %(count)s 列")
EXPECTED_COLUMNS = _("必填：%(required)s；选填：%(optional)s")
NONE = _("无")
HEADER_CELL = _("第 %(row)s 行“%(column)s”列（表头）：%(reason)s")

# --- one cell (row errors; the CSV ones that stop the reading are file errors) ---------
UNCLOSED_QUOTE = _(
    "第 %(row)s 行“%(column)s”列的双引号没有闭合：从这个引号起，后面的内容（包括换行）都被读成了同一格。请检查该单元格的引号后重新上传"
)
BAD_QUOTE = _(
    '第 %(row)s 行“%(column)s”列的引号用法不正确：以引号开头的单元格，内容中的引号要写成两个（""），结束引号后应紧跟逗号或换行'
)
HUGE_CELL = _("第 %(row)s 行“%(column)s”列内容过长：超过 %(limit)s 个字符")
TOO_LONG = _("内容过长：%(length)s 个字符，该列最多 %(limit)s 个字符")
CONTROL_CHAR = _("含有不可见的控制字符 %(char)s：请删除后重新上传")
FULLWIDTH = _("“%(value)s”含有全角或非半角的数字、字母：该列只能用半角字符，请改为“%(suggestion)s”")
NO_HEADER = _("%(column)s 列没有表头，但本行在该列有内容：请补上表头或删除该列内容")
FIELD_COUNT = _("本行有 %(got)s 列，表头有 %(want)s 列")
FORMULA = _(
    "单元格 %(cell)s 是公式（%(formula)s）：导入不接受公式的计算结果，请将该列“复制 → 选择性粘贴 → 数值”后重新上传"
)
ERROR_VALUE = _("单元格 %(cell)s 是 Excel 错误值 %(value)s：请改正后重新上传")
NUMBER_TOO_LONG = _("该单元格被 Excel 存成了数字，长号码已失真：请将此列设置为“文本”格式后重新录入")

# How a character the reader refuses is named in CONTROL_CHAR (others: by their code point).
CHAR_NAMES = {
    "\x00": _("U+0000（空字符 NUL）"),
    "\t": _("U+0009（制表符 Tab）"),
    "\n": _("U+000A（单元格内换行）"),
    "\r": _("U+000D（单元格内回车）"),
    "\u00ad": _("U+00AD（软连字符）"),
    "\u200b": _("U+200B（零宽空格）"),
    "\ufeff": _("U+FEFF（字节顺序标记 BOM：文件可能由几个文件拼接而成）"),
    "\ufffd": _("U+FFFD（替换字符 �：文件此前已被错误转码，内容已成乱码）"),
}


class TableError(BusinessRuleError):
    """The file as a whole cannot be read; `row` and `column` are set when a cell is to blame."""

    def __init__(
        self,
        message: Any,
        *,
        code: str,
        row: int | None = None,
        column: str = "",
        params: dict[str, Any] | None = None,
    ) -> None:
        self.row = row
        self.column = column
        super().__init__(message, code=code, params=params)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how Excel names the column at a position."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters

"""One problem found in a file or a document: where (row and column, or a JSON path), why.

Every check that reports more than one problem at a time uses this type: the import
workflow and the table reader, policy document validation, the catalogue import and the
counties' baseline import. The message is the Chinese constant (or a plain Chinese
string, its own msgid) with its parameters, so a problem reads in either language when
shown, and tests assert on the constant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pooling.kernel.errors import BusinessRuleError, render


@dataclass(frozen=True, slots=True)
class Problem:
    row: (
        int | None
    )  # the row as the user sees it in Excel (the header is row 1); None: not a table's row
    column: str  # the column as the file's header names it, or a JSON path ("$.benefits.inpatient[3].ratio_pct")
    message: Any  # a gettext_lazy constant, or plain Chinese text
    params: Mapping[str, Any] = field(default_factory=dict)
    code: str = ""

    @classmethod
    def from_error(
        cls, exc: BusinessRuleError, *, row: int | None = None, column: str = ""
    ) -> Problem:
        """A refusal (a validator's, a service's, the reader's) as a problem at this place."""
        return cls(row, column, exc.message, exc.params, exc.code)

    def text(self, lang: str | None = None) -> str:
        """The reason, in `lang` or the active language."""
        return render(self.message, self.params, lang)

    @property
    def reason(self) -> str:
        return self.text()

    def as_dict(self) -> dict[str, Any]:
        """As stored with an import batch and returned by the API: the reason in both languages."""
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "reason": self.text("zh-hans"),
            "reason_en": self.text("en"),
        }

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.column}：{self.reason}" if self.column else self.reason
        return (
            f"第 {self.row} 行「{self.column}」：{self.reason}"
            if self.column
            else f"第 {self.row} 行：{self.reason}"
        )

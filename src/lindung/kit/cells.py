"""Text Lindung writes into a file a spreadsheet opens (a CSV list, an import's error file, the refused
rows) never becomes a formula there (CSV or formula injection): a sponsor's cell "=HYPERLINK(…)" sent
back in an error file, or a name in a list of workers, would run when the file is opened.

A text that begins as a formula does and holds more than digits and punctuation is written with a
leading apostrophe, which spreadsheets show as text; a number such as ``-5`` or a phone ``+62 812-3456``
stays as it is (it computes nothing). An XLSX cell is typed as text instead (``text_cell``).
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_INERT = re.compile(r"[\d\s.,+\-()/]*")


def inert(value: Any) -> Any:
    """``value``, or a text that would start a formula with an apostrophe before it."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _INERT.fullmatch(value):
        return "'" + value
    return value


def text_cell(sheet: Any, value: Any) -> Any:
    """A write-only XLSX cell holding ``value``; a text starting with "=" stays text (openpyxl would
    store it as a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell

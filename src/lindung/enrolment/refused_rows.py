"""What an import refused, in the reader's language: the error report (a line per problem: row,
column, value, reason) and the refused rows as the sponsor sent them, each with its reasons, ready to
be corrected and sent again (``lindung import workers FILE --errors OUT.csv --refused-rows OUT.xlsx``).

To fix a row the sponsor needs the whole row, and to send the fixes back a file the import reads. So
``write_refused_rows`` writes the refused rows with every cell as sent, under the file's own header,
plus two columns: the row's number in the original file and every reason for it (``Kolom: alasan;
...``). The import ignores those two columns, so the corrected file imports as it is; the rows that
were enrolled are not in it, so nothing is sent twice.

The source file is read a second time, after the import, merged in row order with the error report
(both are in row order): memory stays flat whatever the size of either. Both are written to binary
streams the caller opens (a file, a server's response). XLSX is written with openpyxl's write-only
mode, every cell as text (a NIK stays 16 digits), CSV as UTF-8 with a BOM so that Excel opens it
right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any, BinaryIO

from lindung.enrolment.importer_read import open_sheet
from lindung.enrolment.importer_rows import LISTS_RELATIONSHIPS, RELATIONSHIP_LIST, RowError
from lindung.enrolment.schemas import Upload
from lindung.kit.cells import inert, text_cell
from lindung.kit.i18n import t
from lindung.rules.catalogues import relationships

ERROR_HEADER = {"id": ("baris", "kolom", "nilai", "alasan"), "en": ("row", "column", "value", "reason")}
EXTRA_HEADER = {"id": ("Baris di berkas asal", "Alasan penolakan"), "en": ("Row in the original file", "Why refused")}
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def render_error(error: RowError, lang: str = "id") -> tuple[int, str, str, str]:
    """(row, column, value, reason in ``lang``) for the error report."""
    row, column, value, code, detail = error
    if code in LISTS_RELATIONSHIPS:
        labels = relationships()
        detail = ", ".join(labels[c].label(lang) for c in detail.split(RELATIONSHIP_LIST) if c in labels)
    return row, column, value, t(code, lang, value=value, detail=detail, column=column)


def write_error_report(errors: Iterable[RowError], out: BinaryIO, lang: str = "id") -> int:
    """The error report as CSV (UTF-8 with a BOM, cells safe to open in a spreadsheet) to ``out``;
    returns its lines, the header left out."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    written = 0
    try:
        w = csv.writer(text)
        w.writerow(ERROR_HEADER[lang])
        for error in errors:
            w.writerow(map(inert, render_error(error, lang)))
            written += 1
        text.flush()
    finally:
        text.detach()  # ``out`` stays its owner's
    return written


def reasons_from_report(report: BinaryIO) -> Iterator[tuple[int, str]]:
    """(row, "column: reason") of each line of an error report (``write_error_report``), in its
    order (row order)."""
    text = io.TextIOWrapper(report, encoding="utf-8-sig", newline="")
    try:
        lines = csv.reader(text)
        next(lines, None)  # the report's header
        for line in lines:
            row, column, _value, reason = line
            yield int(row), f"{column}: {reason}" if column else reason
    finally:
        text.detach()


def is_xlsx(name: str) -> bool:
    return name.lower().endswith(XLSX_SUFFIXES)


def write_refused_rows(source: Upload, sheet: str | None, reasons: Iterable[tuple[int, str]], out: BinaryIO,
                       lang: str = "id", *, xlsx: bool) -> int:
    """Write the rows of ``source`` that ``reasons`` names (in row order) to ``out``: XLSX when
    ``xlsx``, else CSV. Returns how many rows were written."""
    opened = open_sheet(source, sheet)
    header = list(opened.header.cells)
    width = len(header)
    refused = groupby(reasons, key=itemgetter(0))
    written = 0
    with _Writer(out, [*header, *EXTRA_HEADER[lang]], xlsx) as write:
        pending = next(refused, None)
        for row_no, cells in opened.rows:
            if pending is None:
                break
            if row_no < pending[0]:
                continue
            while pending is not None and pending[0] < row_no:  # a row the reader left out (none do)
                pending = next(refused, None)
            if pending is None or pending[0] != row_no:
                continue
            values = [str(c) for c in cells[:width]]
            values += [""] * (width - len(values))
            write([*values, str(row_no), "; ".join(reason for _row, reason in pending[1])])
            written += 1
            pending = next(refused, None)
    return written


class _Writer:
    """Rows to a CSV or a write-only XLSX, as text."""

    def __init__(self, out: BinaryIO, header: list[str], xlsx: bool) -> None:
        self.out, self.header, self.xlsx = out, header, xlsx
        self.book: Any = None
        self.sheet: Any = None

    def __enter__(self) -> _Writer:
        if self.xlsx:
            from openpyxl import Workbook  # openpyxl: 80 ms that only this output pays

            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet("Ditolak")
            self.sheet.append(self.header)
        else:
            self.text = io.TextIOWrapper(self.out, encoding="utf-8-sig", newline="")
            self.csv = csv.writer(self.text)
            self.csv.writerow(self.header)
        return self

    def __call__(self, row: list[str]) -> None:
        if self.xlsx:
            self.sheet.append([text_cell(self.sheet, value) for value in row])
        else:
            self.csv.writerow(map(inert, row))

    def __exit__(self, *exc: object) -> None:
        if self.xlsx:
            self.book.save(self.out)
        else:
            self.text.flush()
            self.text.detach()

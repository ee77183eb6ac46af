"""The refused rows of an import as the sponsor sent them, each with its reasons, ready to be corrected
and sent again: ``lindung import workers FILE --refused-rows OUT.xlsx|OUT.csv``.

The error report (``--errors``) has a line per problem: row, column, value, reason. To fix a row the
sponsor needs the whole row, though, and to send the fixes back a file the import reads. So this writes
the refused rows with every cell as sent, under the file's own header, plus two columns: the row's
number in the original file and every reason for it (``Kolom: alasan; ...``). The import ignores those
two columns, so the corrected file imports as it is; the rows that were enrolled are not in it, so
nothing is sent twice.

The source file is read a second time, after the import, merged in row order with the error report
(both are in row order): memory stays flat whatever the size of either. XLSX is written with
openpyxl's write-only mode, every cell as text (a NIK stays 16 digits), CSV as UTF-8 with a BOM so
that Excel opens it right.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from lindung.enrolment.importer_read import open_sheet
from lindung.kit.cells import inert, text_cell

EXTRA_HEADER = {"id": ("Baris di berkas asal", "Alasan penolakan"), "en": ("Row in the original file", "Why refused")}
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


def reasons_from_report(path: Path) -> Iterator[tuple[int, str]]:
    """(row, "column: reason") of each line of an error report (``baris, kolom, nilai, alasan``), in
    its order (row order)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        lines = csv.reader(f)
        next(lines, None)  # the report's header
        for line in lines:
            row, column, _value, reason = line
            yield int(row), f"{column}: {reason}" if column else reason


def is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in XLSX_SUFFIXES


def write_refused_rows(source: str | os.PathLike[str], sheet: str | None, reasons: Iterable[tuple[int, str]],
                       out: Path, lang: str = "id", *, xlsx: bool | None = None) -> int:
    """Write the rows of ``source`` that ``reasons`` names (in row order) to ``out``: XLSX when
    ``xlsx`` (by default: when ``out``'s name ends so), else CSV. Returns how many rows were written."""
    opened = open_sheet(source, sheet)
    header = list(opened.header.cells)
    width = len(header)
    refused = groupby(reasons, key=itemgetter(0))
    written = 0
    with _Writer(out, [*header, *EXTRA_HEADER[lang]], is_xlsx(out) if xlsx is None else xlsx) as write:
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

    def __init__(self, path: Path, header: list[str], xlsx: bool) -> None:
        self.path, self.header, self.xlsx = path, header, xlsx

    def __enter__(self) -> _Writer:
        if self.xlsx:
            from openpyxl import Workbook

            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet("Ditolak")
            self.sheet.append(self.header)
        else:
            self.file = self.path.open("w", encoding="utf-8-sig", newline="")
            self.csv = csv.writer(self.file)
            self.csv.writerow(self.header)
        return self

    def __call__(self, row: list[str]) -> None:
        if self.xlsx:
            self.sheet.append([text_cell(self.sheet, value) for value in row])
        else:
            self.csv.writerow(map(inert, row))

    def __exit__(self, *exc: object) -> None:
        if self.xlsx:
            self.book.save(self.path)
        else:
            self.file.close()

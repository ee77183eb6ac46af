"""A sponsor's worker list read for the planner: how many workers of each occupation, nothing more.

The file is a CSV or an XLSX: the import format (``enrolment``'s template) or any sheet whose header has
an occupation column. The column is found with the importer's header aliases ("Pekerjaan", "Jenis
Pekerjaan", "Profesi"…) and each cell mapped through the occupation catalogue's labels and aliases, as
an import does. No other cell is kept, no NIK or name is read into the answer, nothing is written.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from python_calamine import CalamineWorkbook

from lindung.enrolment.importer_read import HEADER_SEARCH_ROWS, ImportFileError, match_header
from lindung.enrolment.schemas import Upload
from lindung.kit.errors import InvalidInput
from lindung.rules.catalogues import match_occupation

_ZIP = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


@dataclass(frozen=True, slots=True)
class WorkerList:
    counts: dict[str, int]
    """Occupation code -> rows of the file with it."""


def occupations_of(upload: Upload) -> WorkerList:
    """The occupations of a worker list, counted; an invalid input of field ``file`` for a file that is not a
    readable CSV or XLSX, has no occupation column, an occupation Lindung does not know, or no row."""
    name = upload.file_name
    data = upload.read_bytes()
    if not data.strip():
        raise InvalidInput("file", name, reason="plan_file_empty")
    rows = _xlsx_rows(data, name) if data.startswith(_ZIP) else _csv_rows(data, name)
    column: int | None = None
    counts: dict[str, int] = {}
    for n, (number, cells) in enumerate(rows):
        if column is None:
            if n >= HEADER_SEARCH_ROWS:
                break
            column = _safe_header(cells)[0].get("occupation")
            continue
        label = cells[column].strip() if column < len(cells) else ""
        if not label:
            if not any(str(c).strip() for c in cells):
                continue
            raise InvalidInput("file", "", reason="plan_file_occupation", row=number)
        found = match_occupation(label)
        if found is None:
            raise InvalidInput("file", label, reason="plan_file_occupation", row=number)
        counts[found.code] = counts.get(found.code, 0) + 1
    if column is None:
        raise InvalidInput("file", name, reason="plan_file_no_occupation")
    if not counts:
        raise InvalidInput("file", name, reason="plan_file_empty")
    return WorkerList(counts)


def _decode(data: bytes, name: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InvalidInput("file", name, reason="plan_file_broken")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes, name: str) -> Iterator[tuple[int, Sequence[str]]]:
    text = _decode(data, name)
    sample = text[:16384]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        yield from enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)
    except csv.Error:
        raise InvalidInput("file", name, reason="plan_file_broken") from None


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _xlsx_rows(data: bytes, name: str) -> Iterator[tuple[int, Sequence[str]]]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [book.get_sheet_by_name(sheet).to_python(skip_empty_area=False) for sheet in book.sheet_names]
    except Exception:  # calamine says a broken workbook in many ways: each is a file that cannot be read
        raise InvalidInput("file", name, reason="plan_file_broken") from None
    for rows in sheets:  # the first sheet whose header has an occupation column
        for n, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            columns, _ = _safe_header([_cell(c) for c in row])
            if "occupation" in columns:
                for number, cells in enumerate(rows[n:], start=n + 1):
                    yield number, [_cell(c) for c in cells]
                return
    return


def _safe_header(cells: Sequence[str]) -> tuple[dict[str, int], dict[str, str]]:
    try:
        return match_header(cells)
    except ImportFileError:  # two columns of one field: not a header the planner can read
        return {}, {}

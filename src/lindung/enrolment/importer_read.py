"""Reading sponsor spreadsheets: CSV or XLSX, streamed, as raw rows with their row numbers.

What this module decides, and nothing more:

- the kind of file (XLSX/ODS by its zip signature, anything else must be text CSV);
- for CSV the encoding (UTF-8 with or without BOM, UTF-16 with its BOM, else Windows-1252) and the delimiter (comma,
  semicolon or tab, sniffed from the first lines);
- which row is the header and which column holds which field, by header names matched
  case-insensitively against common aliases ("No KTP" is the NIK, "L/P" the sex...);
- that a cell is text. XLSX cells that are not text are turned into text at the edge: a date cell
  becomes ``YYYY-MM-DD``; a number becomes :class:`NumberCell` (a ``str``) so that the validator can
  refuse a NIK stored as a number (Excel keeps 15 significant digits) instead of "fixing" it.

Row numbers are the ones a person sees in the spreadsheet: the header is usually row 1, the first
worker row 2. A file that cannot be read raises :class:`ImportFileError` with a message code.

The file comes as an ``Upload`` (its name, and bytes or a seekable binary stream): a CSV is read as
it goes, through a text decoder over the stream, so memory stays flat whatever its size; the stream
is read from its start each time and never closed here.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import posixpath
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, count, islice
from operator import itemgetter
from typing import Any, BinaryIO

from python_calamine import CalamineWorkbook

from lindung.enrolment.schemas import Upload
from lindung.kit.errors import LindungError
from lindung.rules.catalogues import fold_label

Row = tuple[int, Sequence[str]]
"""(row number as seen in the spreadsheet, cells as text: a tuple)."""

REQUIRED = ("nik", "name", "birth_date", "sex", "occupation", "desa")
OPTIONAL = ("phone", "income", "kecamatan", "regency", "heir_name", "heir_relationship", "heir_nik")
HELPERS = frozenset({"kecamatan", "regency"})
"""``kecamatan`` and ``regency`` (kabupaten/kota) are read only to place a desa written as a name."""
HEIR_FIELDS = ("heir_name", "heir_relationship", "heir_nik")
"""One heir per row, as the sponsors' forms have it (more through ``lindung worker update --heir``)."""
FIELDS = REQUIRED + OPTIONAL

# Header aliases, folded like occupation labels (case, spaces, dots, dashes, slashes, underscores).
ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no ktp", "nomor ktp", "no nik", "nomor nik", "ktp", "nik ktp", "no induk kependudukan",
            "nomor induk kependudukan", "nik peserta", "nik pekerja"),
    "name": ("nama", "nama lengkap", "nama pekerja", "nama peserta", "nama sesuai ktp", "name", "full name"),
    "birth_date": ("tgl lahir", "tanggal lahir", "tgl lhr", "tanggal lhr", "lahir", "tgllahir",
                   "tanggallahir", "birth date", "date of birth", "dob"),
    "sex": ("l p", "lp", "jenis kelamin", "jk", "kelamin", "sex", "gender", "jenis kelamin l p"),
    "occupation": ("pekerjaan", "jenis pekerjaan", "profesi", "pekerjaan utama", "occupation"),
    "desa": ("kode desa", "kode wilayah", "desa", "kode kelurahan", "kelurahan", "desa kelurahan",
             "kode desa kelurahan", "kode kemendagri", "village code", "nama desa", "nama kelurahan",
             "nama desa kelurahan", "village"),
    "phone": ("no hp", "nomor hp", "hp", "no telepon", "nomor telepon", "telepon", "no telp", "telp",
              "no wa", "nomor wa", "whatsapp", "handphone", "phone"),
    "income": ("penghasilan", "penghasilan per bulan", "penghasilan bulanan", "pendapatan",
               "pendapatan per bulan", "income", "monthly income"),
    "kecamatan": ("kecamatan", "kec", "nama kecamatan", "kode kecamatan", "district", "subdistrict"),
    "regency": ("kabupaten", "kabupaten kota", "kab kota", "kota kabupaten", "kab", "kota", "nama kabupaten",
                "regency", "regency city"),
    "heir_name": ("ahli waris", "nama ahli waris", "ahliwaris", "nama ahliwaris", "nama ahli waris utama",
                  "penerima manfaat", "nama penerima manfaat", "heir", "heir name", "name of heir", "beneficiary"),
    "heir_relationship": ("hubungan", "hubungan ahli waris", "hubungan ahliwaris", "hubungan keluarga",
                          "hubungan dengan peserta", "hubungan dengan pekerja", "status hubungan",
                          "hubungan dengan ahli waris", "relationship", "heir relationship",
                          "relationship to worker"),
    "heir_nik": ("nik ahli waris", "nik ahliwaris", "no ktp ahli waris", "nomor ktp ahli waris",
                 "nik penerima manfaat", "heir nik", "nik of heir"),
}
CODE_ALIASES = frozenset({"kode desa", "kode wilayah", "kode kelurahan", "kode desa kelurahan", "kode kemendagri",
                          "village code", "kode kecamatan"})
"""Aliases of a region column that holds codes: beside a column of names for the same field, they win."""
DISPLAY = {"nik": "NIK", "name": "Nama Lengkap", "birth_date": "Tgl Lahir", "sex": "L/P",
           "occupation": "Pekerjaan", "desa": "Kode Desa", "phone": "No HP", "income": "Penghasilan",
           "kecamatan": "Kecamatan", "regency": "Kabupaten/Kota", "heir_name": "Nama Ahli Waris",
           "heir_relationship": "Hubungan Ahli Waris", "heir_nik": "NIK Ahli Waris"}
"""The name of each field in messages when the file has no column for it."""
_ALIAS_TO_FIELD = {alias: field for field, aliases in ALIASES.items() for alias in aliases}

HEADER_SEARCH_ROWS = 20
"""The header may sit under a title ("DAFTAR PEKERJA RENTAN 2026"): look this far for it."""

_SECOND = itemgetter(1)
_SNIFF_BYTES = 64 * 1024
_CHUNK = 1 << 20


class ImportFileError(LindungError):
    """The file as a whole cannot be read (not CSV/XLSX, truncated, no header, missing columns)."""

    exit_code = 2
    http_status = 422


class NumberCell(str):
    """Text of a spreadsheet cell that was stored as a number (its digits as Excel would show them)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Header:
    row: int
    columns: dict[str, int]
    """field -> column index."""
    names: dict[str, str]
    """field -> the header text as the sponsor wrote it (used in the error report)."""
    cells: tuple[str, ...] = ()
    """The whole header row as written (the refused rows go back under it)."""


@dataclass(slots=True)
class SheetSource:
    """An opened file: its header and the rows below it, read once (by ``batches`` or ``rows``)."""

    kind: str  # "csv" or "xlsx"
    header: Header
    reader: Callable[[int], Iterator[list[Row]]]
    total_hint: int
    """Rough number of data rows (for a progress bar); 0 when unknown."""
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    """The worksheet read, when the workbook has more than one."""

    def batches(self, size: int) -> Iterator[list[Row]]:
        """The data rows in lists of at most ``size`` (blank rows left out)."""
        return self.reader(size)

    @property
    def rows(self) -> Iterator[Row]:
        return chain.from_iterable(self.reader(4096))


def match_header(cells: Sequence[str]) -> tuple[dict[str, int], dict[str, str]]:
    """The fields found in a header row: field -> column, field -> original text.

    Two columns for one field are an error (which one holds the NIK?), except a desa or kecamatan
    given both by code and by name ("Kode Desa" and "Nama Desa", as government lists have): the code
    column is read, the name column left aside; of two kecamatan or kabupaten/kota columns of one
    kind, the first."""
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    for i, cell in enumerate(cells):
        text = str(cell).replace("\ufeff", "").strip()
        folded = fold_label(text) if text else ""
        field = _ALIAS_TO_FIELD.get(folded) if text else None
        if field is None:
            continue
        if field in columns:
            code_now, code_before = folded in CODE_ALIASES, fold_label(names[field]) in CODE_ALIASES
            if code_before and not code_now:
                continue
            if not (code_now and not code_before):
                if field in HELPERS:  # only there to place a desa named in words: the first one will do
                    continue
                raise ImportFileError("import.duplicate_column", column=text, other=names[field])
        columns[field] = i
        names[field] = text
    return columns, names


def open_sheet(upload: Upload, sheet: str | None = None) -> SheetSource:
    """Open a sponsor file; raises ImportFileError when it is not a readable CSV or XLSX.

    ``sheet`` names the worksheet of a workbook to read. Without it, the one worksheet that holds
    a worker list (its header is found) is read, wherever it sits among the others (instructions,
    a summary, lookup lists); a workbook with several such worksheets is refused naming them, so
    that no list is left out unnoticed: each is imported on its own with ``sheet``."""
    name = upload.file_name
    stream = upload.stream()
    head = stream.read(8)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return _open_xlsx(stream, name, sheet)
    if posixpath.splitext(name)[1].lower() in {".xlsx", ".xlsm", ".xls", ".ods"}:
        raise ImportFileError("import.broken_file", file=name)
    if sheet is not None:
        raise ImportFileError("import.sheet_of_csv", file=name, sheet=sheet)
    return _open_csv(stream, name)


def _find_header(rows: Iterator[Row], file: str) -> Header:
    best: tuple[int, dict[str, int]] | None = None
    for n, (row_no, cells) in enumerate(rows):
        if n >= HEADER_SEARCH_ROWS:
            break
        columns, names = match_header(cells)
        if all(f in columns for f in REQUIRED):
            heir = [f for f in HEIR_FIELDS if f in columns]
            if heir and not {"heir_name", "heir_relationship"} <= set(heir):
                # A name without its relationship (or the reverse) is no heir Lindung can pay: say so
                # once, not on every row.
                raise ImportFileError("import.heir_columns", file=file, row=row_no,
                                      given=", ".join(names[f] for f in heir),
                                      missing=", ".join(DISPLAY[f] for f in ("heir_name", "heir_relationship")
                                                        if f not in columns))
            return Header(row_no, columns, names, tuple(str(c).replace("\ufeff", "") for c in cells))
        if columns and (best is None or len(columns) > len(best[1])):
            best = (row_no, columns)
    if best is None:
        raise ImportFileError("import.no_header", file=file)
    missing = [f for f in REQUIRED if f not in best[1]]
    raise ImportFileError("import.missing_columns", file=file, row=best[0],
                          columns=", ".join(DISPLAY[f] for f in missing))


# ---------------------------------------------------------------------------------------------- CSV

def _detect_encoding(stream: BinaryIO, name: str) -> tuple[str, int]:
    """('utf-8-sig' | 'cp1252' | 'utf-16', number of newlines). One pass in C-speed chunks over the
    bytes. UTF-16 is taken by its byte-order mark only: Excel's "Unicode Text" (tab-separated)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    lines = 0
    stream.seek(0)
    if stream.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        while chunk := stream.read(_CHUNK):
            lines += chunk.count(b"\n")  # about right: for the progress bar's total
        return "utf-16", lines
    stream.seek(0)
    first = True
    while chunk := stream.read(_CHUNK):
        if first and b"\x00" in chunk[:_SNIFF_BYTES]:
            raise ImportFileError("import.not_tabular", file=name)
        first = False
        lines += chunk.count(b"\n")
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return ("utf-8-sig" if utf8 else "cp1252"), lines


class _Borrowed(io.BufferedIOBase):
    """The caller's binary stream as a text decoder reads it: closing the decoder (which
    ``io.TextIOWrapper`` does when it is dropped) leaves the stream open, its owner's to close."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__()
        self._stream = stream
        self._read1 = getattr(stream, "read1", stream.read)
        self.name = str(getattr(stream, "name", ""))

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._stream.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        data: bytes = self._read1(size)
        return data


def _text(stream: BinaryIO, encoding: str) -> io.TextIOWrapper:
    """The stream from its start, decoded (undecodable bytes replaced: a row with one is refused for
    its cell, not the file)."""
    stream.seek(0)
    return io.TextIOWrapper(_Borrowed(stream), encoding=encoding, errors="replace", newline="")


def _sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines() if line.strip()][:5]
    if not lines:
        return ","
    counts = {d: sum(_count_outside_quotes(line, d) for line in lines) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            n += 1
    return n


def _open_csv(stream: BinaryIO, name: str) -> SheetSource:
    encoding, lines = _detect_encoding(stream, name)
    sample = _text(stream, encoding).read(_SNIFF_BYTES)
    if sample and not sample.isprintable() and _mostly_binary(sample):
        raise ImportFileError("import.not_tabular", file=name)
    delimiter = _sniff_delimiter(sample)
    f = _text(stream, encoding)
    try:
        reader = csv.reader(f, delimiter=delimiter)
        # Each row as a tuple: a tuple of text holds no reference the cyclic garbage collector must
        # follow, so it stops tracking it at its first look, and the collector (left on: an import may
        # run beside a server's requests) never walks the range of rows held until it is staged again
        # and again (250.000 rows: eight full collections, 1 s, as lists; one, 0,05 s, as tuples).
        numbered = zip(count(1), map(tuple, reader))
        header = _find_header(_non_blank(numbered), name)
    except csv.Error:
        raise ImportFileError("import.not_tabular", file=name) from None

    def batches(size: int) -> Iterator[list[Row]]:
        # Numbering and slicing stay in C (zip, count, islice): the reader adds nothing per row.
        try:
            while chunk := list[Row](islice(numbered, size)):
                if not all(map(any, map(_SECOND, chunk))):
                    chunk = [row for row in chunk if any(row[1])]
                if chunk:
                    yield chunk
        except csv.Error as exc:
            raise ImportFileError("import.csv_broken", row=reader.line_num, detail=str(exc)) from None

    return SheetSource("csv", header, batches, max(lines - header.row, 0), encoding.replace("-sig", ""),
                       delimiter)


def _mostly_binary(sample: str) -> bool:
    controls = sum(1 for ch in sample if ch < " " and ch not in "\r\n\t")
    return controls > len(sample) // 100


def _non_blank(numbered: Iterator[Row]) -> Iterator[Row]:
    """Rows numbered from 1 like a spreadsheet; blank rows (``;;;;`` too) keep their number but are
    skipped. Pulls one row at a time, so the header search reads no further than the header."""
    for row in numbered:
        if any(row[1]):
            yield row


# --------------------------------------------------------------------------------------------- XLSX

def _open_xlsx(stream: BinaryIO, file: str, wanted: str | None) -> SheetSource:
    stream.seek(0)
    try:
        book = CalamineWorkbook.from_filelike(stream)
        names = [str(name) for name in book.sheet_names]
    except Exception:  # calamine raises its own zip/xml/parse errors: all mean "broken file"
        raise ImportFileError("import.broken_file", file=file) from None
    if not names:
        raise ImportFileError("import.no_header", file=file)
    several = len(names) > 1
    if wanted is not None:
        names = [_sheet_named(names, wanted, file)]
    found: list[tuple[str, Header, Iterator[Row], int]] = []
    refused: list[ImportFileError] = []
    for name in names:
        label = f"{file} [{name}]" if several else file
        try:
            sheet = book.get_sheet_by_name(name)
            start_row = int(sheet.start[0]) if sheet.start is not None else 0
            total = int(sheet.height)
            raw = sheet.iter_rows()
        except Exception:
            raise ImportFileError("import.broken_file", file=label) from None
        rows = _xlsx_rows(raw, start_row, file)
        try:
            header = _find_header(rows, label)
        except ImportFileError as error:
            if error.code == "import.broken_file":
                raise
            refused.append(error)
            continue
        found.append((name, header, rows, max(total - (header.row - start_row), 0)))
    if len(found) > 1:
        raise ImportFileError("import.several_sheets", file=file, count=len(found),
                              sheets=", ".join(f"'{name}'" for name, *_ in found))
    if not found:
        # The worksheet that came nearest (some columns found) says what is missing.
        raise next((e for e in refused if e.code == "import.missing_columns"), refused[0])
    name, header, rows, total_hint = found[0]

    def batches(size: int) -> Iterator[list[Row]]:
        while chunk := list(islice(rows, size)):
            yield chunk

    return SheetSource("xlsx", header, batches, total_hint, sheet=name if several else None)


def _sheet_named(names: Sequence[str], wanted: str, file: str) -> str:
    """The worksheet called ``wanted``: exactly, else the one whose name differs only in case or
    surrounding spaces."""
    if wanted in names:
        return wanted
    folded = [name for name in names if name.strip().casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ImportFileError("import.unknown_sheet", file=file, sheet=wanted,
                          sheets=", ".join(f"'{name}'" for name in names))


def _xlsx_rows(raw: Iterator[list[Any]], start_row: int, file: str) -> Iterator[Row]:
    row_no = start_row
    try:
        for cells in raw:
            row_no += 1
            texts = tuple(map(_cell_text, cells))
            if any(texts):
                yield row_no, texts
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError("import.broken_file", file=file) from None


def _cell_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return NumberCell(f"{value:.0f}" if value.is_integer() else repr(value))
    if isinstance(value, int):
        return NumberCell(str(value))
    return str(value)

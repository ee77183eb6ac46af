"""Small factories for sponsor files: rows with sensible defaults, written as CSV or XLSX."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.factories import DESA_TARUMAJAYA, nik

HEADER = ("No", "NIK", "Nama Lengkap", "Tgl Lahir", "L/P", "Pekerjaan", "Kode Desa", "No HP", "Penghasilan")
_serials = itertools.count(5000)


def person(*, born: dt.date = dt.date(1990, 5, 17), sex: str = "L", name: str = "Asep Saputra",
           occupation: str = "Petani", desa: str = DESA_TARUMAJAYA, phone: str = "081234567890",
           income: str = "", birth_text: str | None = None, sex_text: str | None = None,
           nik_text: str | None = None) -> dict[str, Any]:
    """One worker row of a sponsor file, valid unless an override spoils it."""
    number = nik_text if nik_text is not None else nik(kecamatan=(desa.split(".") + ["01"] * 3)[2], born=born, sex=sex,
                                                       serial=next(_serials) % 9999 + 1)
    return {"NIK": number, "Nama Lengkap": name,
            "Tgl Lahir": birth_text if birth_text is not None else born.strftime("%d-%m-%Y"),
            "L/P": sex_text if sex_text is not None else sex, "Pekerjaan": occupation, "Kode Desa": desa,
            "No HP": phone, "Penghasilan": income}


def cells(rows: Sequence[dict[str, Any]], header: Sequence[str] = HEADER) -> list[list[Any]]:
    out: list[list[Any]] = [list(header)]
    for i, r in enumerate(rows, start=1):
        out.append([i if h == "No" else r.get(h, "") for h in header])
    return out


def write_csv(path: Path, rows: Sequence[dict[str, Any]], *, header: Sequence[str] = HEADER,
              delimiter: str = ",", encoding: str = "utf-8", bom: bool = False) -> Path:
    lines = []
    for line in cells(rows, header):
        lines.append(delimiter.join(_quote(str(v), delimiter) for v in line))
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _quote(text: str, delimiter: str) -> str:
    if delimiter in text or '"' in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def write_workbook(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """A workbook of several worksheets (name -> rows of cells), in the order given."""
    from openpyxl import Workbook

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """Rows of cells as given (str, int, float, date): what Excel would have stored."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path

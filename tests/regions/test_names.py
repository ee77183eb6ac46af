"""A desa written as a name is placed only when exactly one desa of the Kemendagri list fits the row."""

from __future__ import annotations

from functools import cache

import pytest

from lindung.kit.lokal import all_regions
from lindung.regions import service as regions
from lindung.regions.names import AMBIGUOUS, NOT_THERE, UNKNOWN, DesaNames
from lindung.regions.schemas import VillageFound

# There are three desa called Sukamurni: 32.05.19.2018 (kec. Cilawu, Garut), 32.16.14.2001 (kec. Sukakarya,
# Kabupaten Bekasi) and 36.03.01.2013 (kec. Balaraja, Tangerang). Kota Bekasi has none.
BEKASI_SUKAMURNI = "32.16.14.2001"


@cache
def names() -> DesaNames:
    return DesaNames([(r.code, r.name, r.level, r.kind) for r in all_regions() if r.level >= 2])


def test_the_list_has_the_three_sukamurni_this_file_relies_on() -> None:
    assert sorted(r.code for r in all_regions() if r.level == 4 and r.name == "Sukamurni") == [
        "32.05.19.2018", BEKASI_SUKAMURNI, "36.03.01.2013"]


def test_a_name_that_fits_several_places_is_refused_with_how_many() -> None:
    assert names().resolve("Sukamurni") == (None, AMBIGUOUS, "3")


@pytest.mark.parametrize("kecamatan", ["Sukakarya", "SUKAKARYA", "Kec. Sukakarya", "kecamatan sukakarya",
                                       "32.16.14", "321614"])
def test_the_kecamatan_beside_it_places_it(kecamatan: str) -> None:
    assert names().resolve("Sukamurni", kecamatan) == (BEKASI_SUKAMURNI, "", "")


@pytest.mark.parametrize(("desa", "regency", "expected"), [
    ("Desa Sukamurni", "Kab. Bekasi", (BEKASI_SUKAMURNI, "", "")),
    ("Ds. Sukamurni", "Kabupaten Bekasi", (BEKASI_SUKAMURNI, "", "")),
    ("sukamurni", "Bekasi", (BEKASI_SUKAMURNI, "", "")),  # the regency or the city: only one has it
    ("Sukamurni", "3216", (BEKASI_SUKAMURNI, "", "")),
    ("Sukamurni", "Kota Bekasi", (None, NOT_THERE, "Kota Bekasi")),
])
def test_the_kabupaten_or_kota_beside_it_places_it(desa: str, regency: str, expected: tuple[object, ...]) -> None:
    assert names().resolve(desa, "", regency) == expected


def test_a_kecamatan_that_has_no_such_desa_is_said() -> None:
    assert names().resolve("Sukamurni", "Tarumajaya") == (None, NOT_THERE, "Tarumajaya")
    assert names().resolve("Sukamurni", "Sukakarya", "Kota Bekasi") == (None, NOT_THERE, "Sukakarya, Kota Bekasi")


def test_the_niks_kecamatan_settles_a_name_that_fits_several_places() -> None:
    assert names().resolve("Sukamurni", nik="3216141705900001") == (BEKASI_SUKAMURNI, "", "")
    assert names().resolve("Sukamurni", nik="3171011705900001") == (None, AMBIGUOUS, "3")  # Jakarta: no help
    # what the row says outweighs the NIK: a worker registered in Sukakarya who lives in Cilawu
    assert names().resolve("Sukamurni", "Cilawu", nik="3216141705900001") == ("32.05.19.2018", "", "")


def test_a_name_found_once_needs_nothing_else_and_an_unknown_one_is_said() -> None:
    assert names().resolve("Sagara Makmur") == ("32.16.01.2001", "", "")
    assert names().resolve("Kelurahan Jatimurni") == ("32.75.12.1004", "", "")
    assert names().resolve("Atlantis") == (None, UNKNOWN, "")


class TestTheCommand:
    def test_finds_every_place_of_a_name_with_codes_and_postal_codes(self, database, cli):
        r = cli("region", "find", "Sukamurni")
        assert r.exit_code == 0, r.stderr
        assert "Desa/kelurahan 'Sukamurni': 3 tempat" in r.out
        assert [p["code"] for p in cli("region", "find", "Sukamurni", "--json").json()] == [
            "32.05.19.2018", BEKASI_SUKAMURNI, "36.03.01.2013"]
        assert cli("region", "find", "desa sukamurni, kec. sukakarya", "--json").json() == [
            {"code": BEKASI_SUKAMURNI, "name": "Sukamurni", "kecamatan": "Sukakarya", "regency": "Kabupaten Bekasi",
             "postal_code": "17630"}]

    def test_a_name_found_nowhere_says_so(self, database, cli):
        r = cli("region", "find", "Atlantis", "--lang", "en")
        assert r.exit_code == 0 and "No desa/kelurahan 'Atlantis' in the Kemendagri list." in r.out
        assert cli("region", "find", "Atlantis", "--json").json() == []

    def test_the_region_list_is_public_no_user_is_needed(self, database, cli, monkeypatch):
        monkeypatch.delenv("LINDUNG_USER")
        monkeypatch.setattr("getpass.getuser", lambda: "nobody.here")  # no user of the database
        r = cli("region", "find", "Sukamurni, Sukakarya", "--json")
        assert r.exit_code == 0, r.stderr
        assert [p["code"] for p in r.json()] == [BEKASI_SUKAMURNI]
        assert cli("worker", "find", "siti").exit_code == 7  # the registry is not


class TestTheUseCase:
    def test_every_place_a_name_may_mean_with_its_postal_code(self, database):
        with database.session(readonly=True) as s:
            found = regions.find_villages(s, "Sukamurni")
            assert [p.code for p in found] == ["32.05.19.2018", BEKASI_SUKAMURNI, "36.03.01.2013"]
            assert found[1] == VillageFound(code=BEKASI_SUKAMURNI, name="Sukamurni", kecamatan="Sukakarya",
                                            regency="Kabupaten Bekasi", postal_code="17630")
            assert all(p.postal_code and len(p.postal_code) == 5 for p in found)
            assert regions.find_villages(s, "Sukamurni, Sukakarya, Kota Bekasi") == []
            assert regions.find_villages(s, "Atlantis") == []

"""``lindung worker find``: the officer has a name and a village, or a masked NIK from a list, and no
full NIK (both engines)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from tests.factories import (
    DESA_BANDUNG,
    DESA_MUARAGEMBONG,
    DESA_PEBAYURAN,
    DESA_TARUMAJAYA,
    enrol,
    make_agreement,
    make_worker,
    nik,
)


@pytest.fixture
def registry(database: Any) -> dict[str, str]:
    """Five workers in three kecamatan and Bandung; two enrolled in KADIN-2026."""
    with database.session() as s:
        make_agreement(s)
        people = {
            "siti_taruma": make_worker(s, name="Siti Aminah", desa=DESA_TARUMAJAYA,
                                       nik_=nik(kecamatan="01", sex="P", serial=42)),
            "siti_pebayuran": make_worker(s, name="SITI NUR AMINAH", desa=DESA_PEBAYURAN,
                                          nik_=nik(kecamatan="13", sex="P", serial=7)),
            "siti_bandung": make_worker(s, name="Siti Rahayu", desa=DESA_BANDUNG,
                                        nik_=nik(regency="3273", kecamatan="01", sex="P", serial=42)),
            "asep": make_worker(s, name="Asep 50% Saputra", desa=DESA_MUARAGEMBONG, nik_=nik(kecamatan="17")),
            "ujang": make_worker(s, name="Ujang_Sunarya", desa=DESA_TARUMAJAYA, nik_=nik(kecamatan="01")),
        }
        enrol(s, people["siti_taruma"])
        enrol(s, people["asep"])
        return {key: w.nik for key, w in people.items()}


def names(out: dict[str, Any]) -> list[str]:
    return [w["name"] for w in out["workers"]]


class TestFindingAWorker:
    def test_every_word_of_the_name_in_any_case_and_order(self, registry, cli):
        out = cli("worker", "find", "aminah siti", "--json").json()
        assert names(out) == ["SITI NUR AMINAH", "Siti Aminah"]
        assert out["total"] == 2 and all("*" in w["nik"] for w in out["workers"])
        assert names(cli("worker", "find", "siti", "--json").json()) == ["SITI NUR AMINAH", "Siti Aminah",
                                                                          "Siti Rahayu"]

    def test_letters_beyond_ascii_fold_too(self, database, registry, cli):
        # SQLite's own lower() folds A-Z only: "dédé" did not find "DÉDÉ" there (kit.db.lower).
        with database.session() as s:
            make_worker(s, name="DÉDÉ Sunarya", desa=DESA_TARUMAJAYA, nik_=nik(kecamatan="01", serial=77))
        for typed in ("dédé", "DÉDÉ", "Dédé sunarya"):
            assert names(cli("worker", "find", typed, "--json").json()) == ["DÉDÉ Sunarya"], typed

    def test_by_region_code_of_any_level_or_a_desa_name(self, registry, cli):
        assert names(cli("worker", "find", "siti", "--region", "32.16", "--json").json()) == [
            "SITI NUR AMINAH", "Siti Aminah"]
        assert names(cli("worker", "find", "siti", "--region", "321613", "--json").json()) == ["SITI NUR AMINAH"]
        by_name = cli("worker", "find", "--region", "Sagara Makmur, Tarumajaya", "--json").json()
        assert names(by_name) == ["Siti Aminah", "Ujang_Sunarya"]
        assert by_name["workers"][0]["desa"] == "Sagara Makmur"

    def test_by_the_last_digits_a_masked_nik_shows(self, registry, cli):
        out = cli("worker", "find", "0042", "--json").json()
        assert names(out) == ["Siti Aminah", "Siti Rahayu"]
        assert names(cli("worker", "find", registry["asep"], "--json").json()) == ["Asep 50% Saputra"]

    def test_by_agreement_with_the_enrolments_shown(self, registry, cli):
        out = cli("worker", "find", "--agreement", "kadin-2026", "--json").json()
        assert names(out) == ["Asep 50% Saputra", "Siti Aminah"]
        assert out["workers"][1]["enrolments"] == [{"agreement": "KADIN-2026", "from": "2026-01", "to": "2026-12"}]

    def test_wildcards_in_the_text_are_only_characters(self, registry, cli):
        assert names(cli("worker", "find", "50%", "--json").json()) == ["Asep 50% Saputra"]
        assert names(cli("worker", "find", "g_s", "--json").json()) == ["Ujang_Sunarya"]
        assert cli("worker", "find", "%", "--json").json()["total"] == 1

    def test_the_limit_shows_the_first_by_name_and_says_how_many_match(self, registry, cli):
        out = cli("worker", "find", "siti", "--limit", "1", "--json").json()
        assert (out["total"], out["shown"], names(out)) == (3, 1, ["SITI NUR AMINAH"])
        shown = cli("worker", "find", "siti", "--limit", "1")
        assert "Pekerja yang cocok: 3 (ditampilkan 1" in shown.out
        assert cli("worker", "find", "nobody", "--lang", "en").out.strip() == "No worker matches."


    def test_names_written_otherwise_are_offered_only_when_none_holds_the_words_and_a_region_narrows(
            self, registry, cli, database):
        with database.session() as s:
            make_worker(s, name="Soekarno", desa=DESA_PEBAYURAN, nik_=nik(kecamatan="13", serial=8))
            make_worker(s, name="Sukardi", desa=DESA_PEBAYURAN, nik_=nik(kecamatan="13", serial=9))
        out = cli("worker", "find", "sukarno", "--region", "32.16", "--json").json()
        assert (names(out), out["total"], out["alike"], out["alike_partial"]) == (["Soekarno"], 1, True, False)
        shown = " ".join(cli("worker", "find", "sukarno", "--region", "32.16").out.split())
        assert "nama yang mungkin sama, ditulis lain: 1" in shown and "Soekarno" in shown
        # Nothing else in that kecamatan is "alike": Siti Nur Aminah is not Siti Rahmah.
        assert names(cli("worker", "find", "siti rahmah", "--region", "32.16.13", "--json").json()) == []
        # Words that a name holds are found as typed; nothing is offered beside them.
        out = cli("worker", "find", "soekarno", "--region", "32.16", "--json").json()
        assert (names(out), out["alike"]) == (["Soekarno"], False)
        # Without a region or an agreement the registry is not compared name by name.
        assert cli("worker", "find", "sukarno", "--json").json()["total"] == 0
        by_agreement = cli("worker", "find", "siti aminnah", "--agreement", "KADIN-2026", "--json").json()
        assert (names(by_agreement), by_agreement["alike"]) == (["Siti Aminah"], True)

    def test_a_region_too_large_to_compare_whole_says_so(self, registry, cli, monkeypatch):
        from lindung.workers import service

        monkeypatch.setattr(service, "ALIKE_SCAN_MAX", 2)
        out = cli("worker", "find", "sityi", "--region", "32.16", "--json").json()
        assert (out["alike"], out["alike_partial"]) == (True, True)
        shown = " ".join(cli("worker", "find", "sityi", "--region", "32.16", "--lang", "en").out.split())
        assert "compared with the first 2 workers only; narrow with --region" in shown

    def test_the_table_fits_80_columns_with_names_desa_and_codes_whole(self, registry, cli, monkeypatch):
        monkeypatch.setenv("COLUMNS", "80")
        shown = cli("worker", "find", "siti")
        assert all(len(line.rstrip()) <= 80 for line in shown.stdout.splitlines())
        for whole in ("SITI NUR AMINAH", "Siti Aminah", "KADIN-2026", "3216********0042", "P · 1990-05-17"):
            assert whole in shown.out, whole


class TestTheReviewLoop:
    def test_flagged_workers_are_listed_and_cleared_once_checked(self, registry, cli, database):
        flagged = nik(kecamatan="99", serial=77)  # a kecamatan the region list does not have
        with database.session() as s:
            make_worker(s, name="Karta", nik_=flagged)
        out = cli("worker", "find", "--needs-review", "--json").json()
        assert [(w["name"], w["review_reason"]) for w in out["workers"]] == [("Karta", "nik_district_unknown")]
        assert "⚑" in cli("worker", "find", "karta").out
        r = cli("worker", "update", flagged, "--reviewed", "--by", "ani", "--json")
        assert r.exit_code == 0, r.stderr
        assert (r.json()["changed"], r.json()["needs_review"]) == (["reviewed"], False)
        assert cli("worker", "find", "--needs-review", "--json").json()["total"] == 0
        again = cli("worker", "update", flagged, "--reviewed", "--by", "ani", "--json").json()
        assert again["changed"] == []  # nothing left to clear
        with database.session(readonly=True) as s:
            entries = [(e.actor, e.data, audit.detail_text(e, "en")) for e in s.scalars(
                select(AuditEntry).where(AuditEntry.action == "worker.update"))]
        assert entries == [("ani", {"fields": ["reviewed"]}, "changed: reviewed")]


class TestPersonalData:
    def test_full_niks_only_unmasked_and_audited_without_the_search_text(self, registry, cli, database):
        masked = cli("worker", "find", "siti aminah")
        assert registry["siti_taruma"] not in masked.out and "3216********0042" in masked.out
        out = cli("worker", "find", "siti aminah", "--unmask", "--by", "ani", "--json").json()
        assert {w["nik"] for w in out["workers"]} == {registry["siti_taruma"], registry["siti_pebayuran"]}
        with database.session(readonly=True) as s:
            entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "list.unmask")).one()
            assert (entry.actor, entry.data) == ("ani", {"list": "worker find", "shown": 2, "total": 2})
            assert audit.detail_text(entry, "en") == "full NIKs in the worker search list: 2 rows"
            assert "siti" not in str(entry.data).casefold()  # the search text may be a name: never logged


class TestBadSearches:
    @pytest.mark.parametrize(("args", "says"), [
        ((), "Beri nama (atau digit terakhir NIK)"),
        (("12",), "4 sampai 16 digit terakhirnya"),
        (("siti", "--region", "32.99"), "tidak ada dalam daftar Kemendagri"),
        (("siti", "--region", "Atlantis"), "Tidak ada desa/kelurahan bernama 'Atlantis'"),
        (("siti", "--limit", "0"), "Batas tidak valid"),
    ])
    def test_a_clear_message_and_exit_code_2(self, registry, cli, args, says):
        r = cli("worker", "find", *args)
        assert r.exit_code == 2 and says in " ".join(r.err.split()), r.err

    def test_an_unknown_agreement(self, registry, cli):
        r = cli("worker", "find", "siti", "--agreement", "NOPE-1")
        assert r.exit_code == 3

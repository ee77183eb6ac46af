"""The registry commands end to end: JSON output, messages in both languages, exit codes."""

from __future__ import annotations

import datetime as dt

from lindung.kit.i18n import format_date
from lindung.kit.privacy import mask_nik
from tests.factories import DESA_TARUMAJAYA, nik


def setup_kadin(cli) -> None:
    assert cli("sponsor", "add", "--code", "KADIN", "--name", "Kadin Kabupaten Bekasi", "--funding", "kadin",
               "--by", "ani").exit_code == 0
    r = cli("agreement", "add", "--code", "KADIN-2026", "--sponsor", "KADIN", "--quota", "1000", "--budget",
            "201.600.000", "--start", "2026-01", "--months", "12", "--by", "ani", "--json")
    assert r.exit_code == 0, r.stderr


class TestSponsorAndAgreementCommands:
    def test_the_kadin_story(self, database, cli):
        r = cli("sponsor", "add", "--code", "KADIN", "--name", "Kadin Kabupaten Bekasi", "--funding", "kadin",
                "--json")
        assert r.exit_code == 0 and r.json()["type"] == "association"
        r = cli("agreement", "add", "--code", "KADIN-2026", "--sponsor", "KADIN", "--quota", "1000", "--budget",
                "201600000", "--start", "2026-01", "--months", "12", "--by", "ani", "--json")
        drafted = r.json()
        assert (drafted["status"], drafted["estimate"]["list_price"], drafted["estimate"]["expected"]) == (
            "draft", 201_600_000, 126_000_000)
        assert drafted["package"]["billing_cycle_months"] == 12

        r = cli("agreement", "approve", "KADIN-2026", "--by", "ani", "--lang", "en")
        assert r.exit_code == 7  # an officer drafts; a supervisor approves
        assert "needs the permission agreement.approve" in " ".join(r.err.split()) and "Traceback" not in r.err

        r = cli("agreement", "approve", "KADIN-2026", "--by", "budi", "--json")
        assert r.exit_code == 0 and r.json()["approved_by"] == "budi"

        shown = cli("agreement", "show", "KADIN-2026", "--json").json()
        assert shown["status"] == "approved" and shown["use"] == {
            "enrolled": 0, "quota_left": 1000, "committed": 0, "budget_left": 201_600_000}
        listed = cli("agreement", "list", "--json").json()
        assert [a["code"] for a in listed] == ["KADIN-2026"]
        # Who drafted and approved, and when, in the branch's zone (JSON keeps the stored UTC time).
        flat = " ".join(cli("agreement", "show", "KADIN-2026").out.split())
        wib = dt.timezone(dt.timedelta(hours=7))
        for who, key, label in (("ani", "drafted_at", "Disusun oleh"), ("budi", "approved_at", "Disetujui oleh")):
            at = dt.datetime.fromisoformat(shown[key]).astimezone(wib)
            assert f"{label} │ {who}, {format_date(at.date())} {at:%H:%M} WIB" in flat

    def test_the_approval_says_what_was_approved(self, database, cli):
        setup_kadin(cli)
        r = cli("agreement", "approve", "KADIN-2026", "--by", "budi")
        assert r.exit_code == 0, r.err
        assert " ".join(r.out.split()) == (
            "Perjanjian KADIN-2026 (draf versi 1) disetujui oleh budi: Kadin Kabupaten Bekasi, 2026-01 – 2026-12, "
            "kuota 1.000 pekerja, anggaran Rp201.600.000, paket dasar Rp1.000.000 (kelompok 1), JKK+JKM tanpa JHT.")

    def test_human_output_is_indonesian_by_default_and_english_on_request(self, database, cli):
        setup_kadin(cli)
        assert "Rp201.600.000" in cli("agreement", "show", "KADIN-2026").out
        assert "Perkiraan biaya" in cli("agreement", "show", "KADIN-2026").out
        assert "Cost estimate" in cli("agreement", "show", "KADIN-2026", "--lang", "en").out
        assert "asosiasi" in cli("sponsor", "list").out and "association" not in cli("sponsor", "list").out
        assert "association" in cli("sponsor", "list", "--lang", "en").out

    def test_the_sponsor_list_fits_80_columns_with_names_and_funding_whole(self, database, cli, monkeypatch):
        cli("sponsor", "add", "--code", "PEMKAB-BEKASI", "--name", "Pemerintah Kabupaten Bekasi (Dinas "
            "Ketenagakerjaan)", "--funding", "apbd")
        monkeypatch.setenv("COLUMNS", "80")
        shown = cli("sponsor", "list")
        assert all(len(line.rstrip()) <= 80 for line in shown.stdout.splitlines())
        for whole in ("PEMKAB-BEKASI", "Ketenagakerjaan)", "APBD", "(provinsi/kabupaten/kota)"):
            assert whole in shown.out, whole  # folded at spaces at most, never cut
        assert "…" not in shown.out

    def test_the_agreement_list_fits_80_columns_and_never_cuts_a_code_or_an_amount(self, database, cli):
        from rich.console import Console

        from lindung.sponsors.cli import agreements_table
        from lindung.sponsors.schemas import AgreementRead

        setup_kadin(cli)
        cli("sponsor", "add", "--code", "PEMKAB-BEKASI", "--name", "Pemerintah Kabupaten Bekasi", "--funding", "apbd")
        cli("agreement", "add", "--code", "BEKASI-TANI-2026", "--sponsor", "PEMKAB-BEKASI", "--quota", "26000",
            "--budget", "5241600000", "--start", "2026-01", "--months", "12", "--by", "ani")
        rows = [AgreementRead.model_validate(a) for a in cli("agreement", "list", "--json").json()]
        for lang in ("id", "en"):
            console = Console(width=80, record=True, highlight=False)
            console.print(agreements_table(rows, lang))
            text = console.export_text()
            assert max(map(len, text.splitlines())) <= 80 and "…" not in text
            quota = "0/26.000" if lang == "id" else "0/26,000"  # counts as each language groups them
            for piece in ("BEKASI-TANI-2026", "PEMKAB-BEKASI", "KADIN-2026", quota, "Rp5.241.600.000",
                          "Rp201.600.000", "2026-01–2026-12"):
                assert piece in text, (lang, piece)

    def test_a_budget_short_of_the_expected_cost_is_pointed_out(self, database, cli):
        setup_kadin(cli)  # Rp201.600.000 covers the expected Rp126.000.000: no note
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["estimate"]["budget_shortfall"] == 0
        assert "Perhatian" not in cli("agreement", "show", "KADIN-2026").out
        r = cli("agreement", "add", "--code", "KADIN-2027", "--sponsor", "KADIN", "--quota", "1000", "--budget",
                "100.000.000", "--start", "2027-01", "--months", "12", "--by", "ani")
        assert r.exit_code == 0, r.stderr
        # 2027 has no discount for non-transport workers: 1.000 × Rp16.800 × 12 = Rp201.600.000 expected
        note = "anggaran Rp100.000.000 kurang Rp101.600.000 dari perkiraan biaya Rp201.600.000"
        assert note in " ".join(r.out.split())
        shown = cli("agreement", "show", "KADIN-2027", "--json").json()
        assert shown["estimate"]["budget_shortfall"] == 101_600_000
        assert "is Rp101.600.000 short" in " ".join(cli("agreement", "show", "KADIN-2027", "--lang", "en").out.split())

    def test_an_unknown_agreement_exits_with_not_found(self, database, cli):
        r = cli("agreement", "show", "NOPE", "--lang", "en")
        assert r.exit_code == 3 and "Agreement NOPE not found" in r.err


class TestWorkerAndEnrolCommands:
    def test_register_enrol_and_show_masked_then_unmasked(self, database, cli):
        setup_kadin(cli)
        cli("agreement", "approve", "KADIN-2026", "--by", "budi")
        number = nik(serial=77)
        r = cli("worker", "add", "--nik", number, "--name", "Asep Saputra", "--desa", DESA_TARUMAJAYA.replace(".", ""),
                "--occupation", "Tukang Ojek", "--birth", "17/05/1990", "--heir", "Euis:spouse", "--by", "ani",
                "--json")
        assert r.exit_code == 0, r.stderr
        assert r.json()["nik"] == mask_nik(number) and r.json()["occupation"]["code"] == "ojek"

        r = cli("enrol", number, "--agreement", "KADIN-2026", "--from", "2026-01", "--by", "cici", "--json")
        assert r.exit_code == 0, r.stderr
        assert (r.json()["committed_cost"], r.json()["sector"]) == (100_800, "transport")
        assert r.json()["agreement_use"]["enrolled"] == 1

        shown = cli("worker", "show", number)
        assert mask_nik(number) in shown.out and number not in shown.stdout
        flat = " ".join(shown.out.split())
        assert "Rp0 → dasar Rp1.000.000 (kelompok 1)" in flat  # the default declared income and its bracket
        assert "Euis (Suami/istri (janda/duda))" in flat and "KADIN-2026 2026-01–2026-12 (aktif)" in flat
        at = dt.datetime.fromisoformat(cli("worker", "show", number, "--json").json()["registered"]["at"])
        wib = at.astimezone(dt.timezone(dt.timedelta(hours=7)))  # the branch's zone by default
        assert f"Didaftarkan │ {format_date(wib.date())} {wib:%H:%M} WIB oleh ani (cli)" in flat
        english = " ".join(cli("worker", "show", number, "--lang", "en").out.split())
        assert "Euis (Spouse (widow/widower))" in english and "(active)" in english
        unmasked = cli("worker", "show", number, "--unmask", "--by", "auditor", "--json").json()
        assert unmasked["nik"] == number
        assert (unmasked["registered"]["by"], unmasked["registered"]["source"]) == ("ani", "cli")
        enrolled = unmasked["enrolments"][0]["enrolled"]
        assert (enrolled["by"], enrolled["source"]) == ("cici", "cli")
        assert (unmasked["declared_income"], unmasked["income_bracket"]) == (0, {"number": 1, "base": 1_000_000})
        assert database.scalar("SELECT actor FROM audit_log WHERE action = 'worker.unmask'") == "auditor"

    def test_update_a_worker_in_both_languages_with_json(self, database, cli):
        number = nik(serial=79)
        assert cli("worker", "add", "--nik", number, "--name", "Asep", "--desa", DESA_TARUMAJAYA,
                   "--occupation", "pedagang", "--heir", "Euis:istri").exit_code == 0
        r = cli("worker", "update", number, "--phone", "0813-1111-2222", "--heir", "Euis:istri", "--heir",
                "Dina:anak", "--by", "budi")
        assert r.exit_code == 0, r.stderr
        assert f"Pekerja {mask_nik(number)} (Asep) diperbarui: telepon, ahli waris." in r.out
        assert number not in r.stdout
        again = cli("worker", "update", number, "--phone", "081311112222", "--lang", "en")
        assert "nothing changed" in again.out
        out = cli("worker", "update", number, "--no-heirs", "--occupation", "Tukang Ojek", "--json").json()
        assert (out["changed"], out["heirs"], out["occupation"]["code"]) == (["occupation", "heirs"], [], "ojek")
        nothing = cli("worker", "update", number, "--lang", "en")
        assert nothing.exit_code == 2 and "No change given" in nothing.err
        both = cli("worker", "update", number, "--heir", "X:anak", "--no-heirs")
        assert both.exit_code == 2 and "Traceback" not in both.err

    def test_a_worker_registered_under_a_nik_one_serial_away_is_refused_unless_another_person(self, database, cli):
        add = ("--name", "Asep Saputra", "--desa", DESA_TARUMAJAYA, "--occupation", "pedagang")
        assert cli("worker", "add", "--nik", nik(serial=80), *add).exit_code == 0
        r = cli("worker", "add", "--nik", nik(serial=800), *add, "--lang", "en")
        assert r.exit_code == 4 and "Traceback" not in r.err
        flat = " ".join(r.err.split())
        assert "Seems registered already: Asep Saputra, NIK 3216********0080" in flat and nik(serial=80) not in flat
        assert database.scalar("SELECT COUNT(*) FROM workers") == 1
        r = cli("worker", "add", "--nik", nik(serial=800), *add, "--different-person", "--json")
        assert r.exit_code == 0, r.stderr
        assert database.scalar("SELECT COUNT(*) FROM workers") == 2

    def test_a_birth_date_that_disagrees_with_the_nik_is_refused_showing_both(self, database, cli):
        number = nik(serial=78)
        r = cli("worker", "add", "--nik", number, "--name", "Asep", "--desa", DESA_TARUMAJAYA,
                "--occupation", "pedagang", "--birth", "1991-05-17")
        assert r.exit_code == 2
        assert "1991-05-17" in r.err and "1990-05-17" in r.err and number not in r.err


    def test_a_text_that_is_no_nik_is_said_so_not_not_found(self, database, cli):
        r = cli("worker", "show", "123")
        assert (r.exit_code, r.err.strip()) == (2, "Galat: NIK tidak valid (123): harus 16 digit angka.")
        r = cli("coverage", "32160141079500", "--lang", "en")
        assert (r.exit_code, r.err.strip()) == (2, "Error: Invalid NIK (32160141079500): must be 16 digits.")
        unregistered = nik(serial=9)  # a NIK no worker has: not found, and masked
        r = cli("worker", "show", unregistered)
        said = f"Galat: Pekerja dengan NIK {mask_nik(unregistered)} tidak ditemukan."
        assert (r.exit_code, r.err.strip()) == (3, said)


class TestDbCommands:
    def test_db_upgrade_on_a_migrated_database_changes_nothing(self, database, cli):
        r = cli("db", "upgrade", "--json")
        assert r.exit_code == 0 and r.json()["changed"] is False

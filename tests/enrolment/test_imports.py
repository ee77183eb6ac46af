"""``lindung import list`` and ``import undo``: the imports made, and taking one back before it was billed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.enrolment.importer import import_workers
from lindung.enrolment.models import Enrolment
from lindung.rules.money import rp
from lindung.workers.models import Worker
from tests.billing.factories import bill
from tests.enrolment.import_files import person, upload, write_csv
from tests.factories import MAKER, TODAY, make_agreement
from tests.users import actor


def imported(database: Any, path: Path, agreement: str = "KADIN-2026") -> None:
    with database.session() as s:
        import_workers(s, upload(path), agreement, by=actor(s, MAKER), today=TODAY)


def setup(database: Any, tmp_path: Path) -> tuple[Path, Path]:
    with database.session() as s:
        make_agreement(s, activate=True)
        make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd", activate=True)
    kadin = write_csv(tmp_path / "kadin.csv", [person(), person(occupation="Pengemudi Ojek"),
                                               person(occupation="Astronot")])
    tani = write_csv(tmp_path / "tani.csv", [person(occupation="Petani")])
    imported(database, kadin)
    imported(database, tani, "TANI-2026")
    return kadin, tani


class TestTheHistory:
    def test_newest_first_with_what_each_still_holds(self, database, cli, tmp_path):
        setup(database, tmp_path)
        rows = cli("import", "list", "--json").json()
        assert [(r["file"], r["agreement"], r["by"], r["active"], r["cancelled"]) for r in rows] == [
            ("tani.csv", "TANI-2026", MAKER, 1, 0), ("kadin.csv", "KADIN-2026", MAKER, 2, 0)]
        assert rows[0]["id"] > rows[1]["id"]
        kadin = cli("agreement", "show", "KADIN-2026", "--json").json()["use"]["committed"]
        assert rows[1]["committed_cost"] == kadin
        assert [r["file"] for r in cli("import", "list", "--agreement", "kadin-2026", "--json").json()] == ["kadin.csv"]
        shown = cli("import", "list", "--lang", "en")
        assert shown.exit_code == 0 and "Imports (2, newest first)" in shown.out and "WIB" in shown.out

    def test_the_table_fits_80_columns_with_codes_and_amounts_whole(self, database, cli, tmp_path, monkeypatch):
        setup(database, tmp_path)
        monkeypatch.setenv("COLUMNS", "80")
        shown = cli("import", "list")
        assert all(len(line.rstrip()) <= 80 for line in shown.stdout.splitlines())
        kadin = cli("agreement", "show", "KADIN-2026", "--json").json()["use"]["committed"]
        for whole in ("KADIN-2026", "TANI-2026", "kadin.csv", rp(kadin), MAKER):
            assert whole in shown.out, whole

    def test_one_at_a_time_enrolments_are_no_import(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
        assert cli("import", "list", "--json").json() == []


class TestTakingAnImportBack:
    def test_its_enrolments_are_cancelled_and_the_agreement_gets_places_and_money_back(self, database, cli,
                                                                                      tmp_path):
        kadin, _tani = setup(database, tmp_path)
        number = cli("import", "list", "--agreement", "KADIN-2026", "--json").json()[0]["id"]
        before = cli("agreement", "show", "KADIN-2026", "--json").json()["use"]
        # a farmer (Rp126.000 for the year under Kadin's money, as the agreement's estimate) and an ojek
        # driver (12 × Rp8.400, the transport discount)
        assert (before["enrolled"], before["committed"]) == (2, 126_000 + 100_800)

        r = cli("import", "undo", str(number), "--by", "budi")
        assert r.exit_code == 0, r.stderr
        assert (f"Impor {number} (kadin.csv) ke KADIN-2026 dibatalkan: 2 kepesertaan dibatalkan, "
                f"{rp(before['committed'])} kembali ke anggaran.") in r.out
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["use"] == {
            "enrolled": 0, "quota_left": 1000, "committed": 0,
            "budget_left": before["budget_left"] + before["committed"]}
        with database.session(readonly=True) as s:
            kadin_enrolments = s.scalars(select(Enrolment).where(Enrolment.provenance_id == number)).all()
            assert {(e.status, e.cancelled_by) for e in kadin_enrolments} == {("cancelled", "budi")}
            assert s.scalar(select(Worker).where(Worker.provenance_id == number).limit(1)) is not None  # kept
            entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "enrolment.import_undo")).one()
            assert (entry.actor, entry.data) == ("budi", {"import": number, "file": "kadin.csv", "cancelled": 2})
            assert audit.detail_text(entry, "en") == f"import {number} (kadin.csv) undone: 2 enrolments"
        # The other import is untouched; the list shows what is left.
        rows = {r["file"]: (r["active"], r["cancelled"]) for r in cli("import", "list", "--json").json()}
        assert rows == {"tani.csv": (1, 0), "kadin.csv": (0, 2)}

        # The right agreement now takes the same file: its workers are found registered.
        with database.session() as s:
            summary = import_workers(s, upload(kadin), "TANI-2026", by=actor(s, MAKER), today=TODAY)
        assert (summary.enrolled, summary.new_workers, summary.refused) == (2, 0, 1)

        again = cli("import", "undo", str(number), "--lang", "en")
        assert again.exit_code == 4 and "has no active enrolment left; nothing was cancelled" in again.err

    def test_once_billed_it_is_refused_and_nothing_changes(self, database, cli, tmp_path):
        setup(database, tmp_path)
        with database.session() as s:
            bill(s, "2026-01")
        number = cli("import", "list", "--agreement", "KADIN-2026", "--json").json()[0]["id"]
        before = cli("agreement", "show", "KADIN-2026", "--json").json()["use"]
        r = cli("import", "undo", str(number), "--by", "budi")
        assert r.exit_code == 4
        assert "2 kepesertaannya sudah ditagih dan 0 sudah diakhiri" in r.err and "billing leave" in r.err
        assert cli("agreement", "show", "KADIN-2026", "--json").json()["use"] == before
        with database.session(readonly=True) as s:
            assert s.scalars(select(AuditEntry).where(AuditEntry.action == "enrolment.import_undo")).all() == []

    def test_a_number_that_is_no_import_is_said(self, database, cli, tmp_path):
        setup(database, tmp_path)
        assert cli("import", "undo", "999").exit_code == 3
        assert "There is no import number 999" in cli("import", "undo", "999", "--lang", "en").err
        r = cli("import", "undo", "satu")
        assert r.exit_code == 2 and "Nomor impor tidak valid: 'satu'" in r.err
        r = cli("worker", "add", "--nik", person()["NIK"], "--name", "Euis", "--desa", "3216012001",
                "--occupation", "Petani", "--json")
        assert r.exit_code == 0, r.stderr
        with database.session(readonly=True) as s:
            registration = s.scalars(select(Worker.provenance_id).order_by(Worker.id.desc()).limit(1)).one()
        assert cli("import", "undo", str(registration)).exit_code == 3  # a registration, not an import

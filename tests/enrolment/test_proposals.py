"""Maker-checker for bulk enrolment: ``import workers --propose``, ``import approve|reject|proposals``."""

from __future__ import annotations

import csv
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import select, text

from lindung.audit.models import AuditEntry
from lindung.enrolment.models import Enrolment
from lindung.workers.models import Worker
from tests.enrolment.import_files import HEADER, person, write_csv
from tests.factories import make_agreement

ANI, BUDI = "ani.petugas", "budi.supervisor"
CITRA = "citra.supervisor"
"""A supervisor who proposes: her role may approve, so only four eyes keep her from approving her own."""


def enrolled(database: Any) -> int:
    return int(database.scalar("SELECT count(*) FROM enrolments"))


class TestProposingAndApproving:
    def test_nothing_is_enrolled_until_another_person_approves_the_very_file_checked(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
        path = write_csv(tmp_path / "kadin.csv", [person(), person(occupation="Pengemudi Ojek"),
                                                  person(occupation="Astronot")])
        r = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--propose", "--by", CITRA,
                "--errors", str(tmp_path / "ditolak.csv"))
        assert r.exit_code == 0, r.stderr
        assert "akan didaftarkan 2 (Rp226.800)" in r.out and "lindung import approve 1 --by NAMA" in r.out
        assert (tmp_path / "ditolak.csv").exists()  # the sponsor can fix its file meanwhile
        assert enrolled(database) == 0 and database.scalar("SELECT count(*) FROM workers") == 0

        path.write_text("the sponsor's file changed afterwards", encoding="utf-8")  # the kept copy counts
        waiting = cli("import", "proposals", "--json").json()
        assert [(p["id"], p["would_enrol"], p["would_cost"], p["refused"], p["status"], p["proposed_by"])
                for p in waiting] == [(1, 2, 226_800, 1, "proposed", CITRA)]
        shown = cli("import", "proposals")
        assert "Usulan impor (1, terbaru dahulu)" in shown.out and "menunggu" in shown.out

        own = cli("import", "approve", "1", "--by", CITRA, "--lang", "en")
        assert own.exit_code == 4 and "it must be approved by someone else" in own.err
        own = cli("import", "approve", "1", "--by", "Citra.Supervisor")  # the same person, written otherwise
        assert own.exit_code == 4, own.out
        officer = cli("import", "approve", "1", "--by", ANI)  # an officer approves no import
        assert officer.exit_code == 7, officer.out
        assert enrolled(database) == 0

        fixes = tmp_path / "perbaiki.csv"
        r = cli("import", "approve", "1", "--by", BUDI, "--json", "--refused-rows", str(fixes))
        assert r.exit_code == 0, r.stderr
        out = r.json()
        assert (out["enrolled"], out["refused"], out["committed_cost"]) == (2, 1, 226_800)
        # The refused row comes back whole from the kept file (the sponsor's own copy changed since).
        with fixes.open(encoding="utf-8-sig", newline="") as f:
            back = list(csv.reader(f))
        assert [(row[HEADER.index("Pekerjaan")], row[-2]) for row in back[1:]] == [("Astronot", "4")]
        with database.session(readonly=True) as s:
            assert len(s.scalars(select(Enrolment).where(Enrolment.provenance_id == out["import_id"])).all()) == 2
            assert s.scalars(select(Worker.provenance_id)).all() == [out["import_id"]] * 2
            actions = [(e.action, e.actor) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert ("enrolment.import_proposed", CITRA) in actions and ("enrolment.import_approved", BUDI) in actions
        imports = cli("import", "list", "--json").json()
        assert [(i["id"], i["by"], i["file"]) for i in imports] == [(out["import_id"], CITRA, "kadin.csv")]
        decided = cli("import", "proposals", "--all", "--json").json()[0]
        assert (decided["status"], decided["decided_by"], decided["import_id"]) == ("approved", BUDI, out["import_id"])
        assert cli("import", "proposals", "--json").json() == []

        again = cli("import", "approve", "1", "--by", "citra")  # another supervisor, too late
        assert again.exit_code == 4 and "Usulan impor 1 sudah disetujui oleh budi.supervisor." in again.err

    def test_the_database_refuses_an_approval_by_the_proposer(self, database, cli, tmp_path):
        # Behind the service (which compares people as same_person does): a CHECK, as for agreements.
        with database.session() as s:
            make_agreement(s)
        cli("import", "workers", str(write_csv(tmp_path / "a.csv", [person()])), "--agreement", "KADIN-2026",
            "--propose", "--by", ANI)
        with pytest.raises(sqlalchemy.exc.IntegrityError), database.session() as s:
            s.execute(text("UPDATE import_proposals SET status = 'approved', decided_by = proposed_by"))
        with database.session() as s:  # the proposer withdrawing it is fine
            s.execute(text("UPDATE import_proposals SET status = 'rejected', decided_by = proposed_by"))
        assert database.scalar("SELECT status FROM import_proposals") == "rejected"

    def test_a_proposal_from_before_users_is_approved_as_its_proposers_by_name(self, database, cli, tmp_path):
        # Proposed by a name typed with --by before users existed: no user id. Its approver still may
        # not be that name, and what the import writes names the proposer by name only.
        with database.session() as s:
            make_agreement(s)
        cli("import", "workers", str(write_csv(tmp_path / "a.csv", [person()])), "--agreement", "KADIN-2026",
            "--propose", "--by", ANI)
        with database.session() as s:
            s.execute(text("UPDATE import_proposals SET proposed_by = 'Ibu Lama', proposed_by_id = NULL"))
        out = cli("import", "approve", "1", "--by", BUDI, "--json")
        assert out.exit_code == 0, out.err
        assert out.json()["enrolled"] == 1
        assert database.scalar("SELECT actor FROM provenances ORDER BY id DESC LIMIT 1") == "Ibu Lama"
        assert database.scalar("SELECT actor_id FROM provenances ORDER BY id DESC LIMIT 1") is None

    def test_the_approval_checks_again_against_the_registry_as_it_is_then(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s, quota=2)
        first, second = [person(), person()], [person(), person()]
        cli("import", "workers", str(write_csv(tmp_path / "a.csv", first)), "--agreement", "KADIN-2026",
            "--propose", "--by", ANI)
        direct = cli("import", "workers", str(write_csv(tmp_path / "b.csv", second)), "--agreement",
                     "KADIN-2026", "--json").json()
        assert direct["enrolled"] == 2  # the quota is now full
        out = cli("import", "approve", "1", "--by", BUDI, "--json").json()
        assert (out["enrolled"], out["refused"]) == (0, 2)

    def test_the_approver_can_check_first_what_the_approval_would_do_now(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s, quota=3)
        cli("import", "workers", str(write_csv(tmp_path / "a.csv", [person(), person()])), "--agreement",
            "KADIN-2026", "--propose", "--by", CITRA)
        cli("import", "workers", str(write_csv(tmp_path / "b.csv", [person(), person()])), "--agreement",
            "KADIN-2026")  # since the proposal was checked, two of the three places were taken
        checked = cli("import", "approve", "1", "--check", "--by", BUDI, "--errors", str(tmp_path / "e.csv"),
                      "--json")
        assert checked.exit_code == 0, checked.err
        out = checked.json()
        assert (out["dry_run"], out["enrolled"], out["refused"], out["import_id"]) == (True, 1, 1, None)
        assert (tmp_path / "e.csv").exists()  # the row the quota would refuse, with its reason
        assert enrolled(database) == 2  # nothing saved: only the direct import's two
        assert cli("import", "proposals", "--json").json()[0]["status"] == "proposed"
        said = cli("import", "approve", "1", "--check", "--by", BUDI).out
        assert "Pemeriksaan KADIN-2026 (tidak ada yang disimpan)" in said
        with database.session(readonly=True) as s:
            actions = [(e.action, e.actor) for e in s.scalars(select(AuditEntry).where(
                AuditEntry.action.startswith("enrolment.")).order_by(AuditEntry.id))]
        assert [a for a in actions if a[0] != "enrolment.import"] == [
            ("enrolment.import_proposed", CITRA), ("enrolment.import_check", BUDI), ("enrolment.import_check", BUDI)]
        own = cli("import", "approve", "1", "--check", "--by", CITRA)  # the proposer's approval would be refused
        assert own.exit_code == 4, own.out
        out = cli("import", "approve", "1", "--by", BUDI, "--json").json()
        assert (out["dry_run"], out["enrolled"], out["refused"]) == (False, 1, 1)
        assert enrolled(database) == 3

    def test_a_rejected_or_withdrawn_proposal_enrols_nothing(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
        cli("import", "workers", str(write_csv(tmp_path / "a.csv", [person()])), "--agreement", "KADIN-2026",
            "--propose", "--by", ANI)
        r = cli("import", "reject", "1", "--by", ANI, "--lang", "en")  # the proposer may withdraw it
        assert r.exit_code == 0 and "Import proposal 1 (a.csv) rejected by ani.petugas" in r.out
        assert cli("import", "approve", "1", "--by", BUDI).exit_code == 4
        assert enrolled(database) == 0

    def test_the_list_fits_80_columns_with_files_codes_amounts_and_deciders_whole(self, database, cli, tmp_path,
                                                                                  monkeypatch):
        with database.session() as s:
            make_agreement(s)
        path = write_csv(tmp_path / "kadin-tarumajaya.csv", [person() for _ in range(3)])
        cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--propose", "--by", ANI)
        cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--propose", "--by", ANI)
        cli("import", "reject", "1", "--by", BUDI)
        monkeypatch.setenv("COLUMNS", "80")
        for lang in ("id", "en"):
            shown = cli("import", "proposals", "--all", "--lang", lang)
            assert all(len(line.rstrip()) <= 80 for line in shown.stdout.splitlines())
            for whole in ("kadin-tarumajaya.csv", "KADIN-2026", "Rp378.000", BUDI, ANI):
                assert whole in shown.out, (lang, whole)

    def test_a_kept_file_that_was_altered_is_not_imported(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
        cli("import", "workers", str(write_csv(tmp_path / "a.csv", [person()])), "--agreement", "KADIN-2026",
            "--propose", "--by", ANI)
        with database.session() as s:
            s.execute(text("UPDATE import_proposals SET content = :c"), {"c": b"NIK,Nama\n"})
        r = cli("import", "approve", "1", "--by", BUDI, "--lang", "en")
        assert r.exit_code == 4 and "its SHA-256 differs" in r.err
        assert cli("import", "proposals", "--json").json()[0]["status"] == "proposed"

    def test_unknown_numbers_and_an_unreadable_file(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
        assert cli("import", "approve", "9", "--by", BUDI).exit_code == 3
        assert cli("import", "reject", "x", "--by", BUDI).exit_code == 2
        empty = tmp_path / "kosong.csv"
        empty.write_text("", encoding="utf-8")
        r = cli("import", "workers", str(empty), "--agreement", "KADIN-2026", "--propose", "--by", ANI)
        assert r.exit_code == 2 and cli("import", "proposals", "--json").json() == []


class TestADoubleSubmission:
    def test_a_file_waiting_already_is_not_proposed_twice(self, database, cli, tmp_path):
        with database.session() as s:
            make_agreement(s)
            make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd")
        path = write_csv(tmp_path / "kadin.csv", [person(), person()])
        first = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--propose", "--by", ANI)
        assert first.exit_code == 0, first.err
        again = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--propose", "--by", BUDI)
        assert again.exit_code == 4 and again.err.startswith(
            "Galat: Berkas ini sudah diajukan untuk KADIN-2026 sebagai usulan impor 1 (ani.petugas, "), again.err
        assert "lindung import approve 1 --by NAMA, atau tarik dengan lindung import reject 1" in again.err
        assert [p["id"] for p in cli("import", "proposals", "--json").json()] == [1]
        # Another agreement, or the file once the first proposal is withdrawn, may be proposed.
        other = cli("import", "workers", str(path), "--agreement", "TANI-2026", "--propose", "--by", ANI)
        assert other.exit_code == 0, other.err
        assert cli("import", "reject", "1", "--by", ANI).exit_code == 0
        assert cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--propose", "--by", ANI,
                   "--json").json()["id"] == 3
        assert database.scalar("SELECT count(*) FROM import_proposals WHERE status = 'proposed'") == 2

    def test_two_officers_proposing_one_file_at_once_make_one_proposal(self, postgres_database, tmp_path):
        from lindung.enrolment import proposals
        from lindung.enrolment.importer import import_workers
        from lindung.kit.db import session_scope
        from tests.enrolment.import_files import upload
        from tests.factories import TODAY
        from tests.racing import race
        from tests.users import actor

        with postgres_database.session() as s:
            make_agreement(s)
        path = write_csv(tmp_path / "kadin.csv", [person(), person()])
        engine = postgres_database.new_engine()
        try:
            with session_scope(engine, dry_run=True) as s:  # the check each of them ran (rolled back)
                checked = import_workers(s, upload(path), "KADIN-2026", by=actor(s, ANI), today=TODAY,
                                         purpose="check")
        finally:
            engine.dispose()

        def propose(who: str) -> Any:
            return lambda s: proposals.propose(s, upload(path), checked, by=actor(s, who)).id

        outcomes = race(postgres_database, [propose(ANI), propose(BUDI)])
        assert sorted(type(o).__name__ for o in outcomes) == ["ProposalWaiting", "int"], outcomes
        assert postgres_database.scalar("SELECT count(*) FROM import_proposals") == 1

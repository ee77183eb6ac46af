"""``lindung approvals``: drafts, addenda and import proposals awaiting a second person, oldest first,
each marked with whether the user asking may approve it — as the approve commands themselves decide —
and, in the CLI, with the command that approves it (both engines)."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from typing import Any

import pytest
from sqlalchemy import text

from lindung.approvals.service import awaiting
from lindung.enrolment import proposals
from lindung.kit.errors import Conflict, Forbidden
from lindung.sponsors import amendments
from lindung.sponsors import service as sponsors
from lindung.sponsors.schemas import AgreementChanges
from tests.enrolment.import_files import person, write_csv
from tests.factories import CHECKER, MAKER, TODAY, make_agreement
from tests.users import actor

EDITOR = "citra.supervisor"  # a supervisor who changed the draft and proposed the addendum
PEOPLE = (MAKER, "Ani.Petugas", EDITOR, CHECKER)


def _words(text_: str) -> str:
    return " ".join(re.sub(r"[│┌┐└┘├┤┬┴┼─]", " ", text_).split())


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def three_waiting(database: Any, cli: Any, tmp_path: Any) -> None:
    """A draft changed by a second officer, an addendum, an import proposal: made in that order, but
    dated so that the import proposal is the oldest and the draft the newest."""
    with database.session() as s:
        make_agreement(s, quota=10)  # approved by CHECKER
        make_agreement(s, "CSR-2026", sponsor="PT-MAJU", funding="csr", approve=False, quota=50, budget=10_080_000)
        sponsors.edit_draft(s, "CSR-2026", AgreementChanges(months=6), by=actor(s, EDITOR))
        amendments.amend(s, "KADIN-2026", quota=12, budget=2_419_200, reference="Adendum I", by=actor(s, EDITOR))
    r = cli("import", "workers", str(write_csv(tmp_path / "kadin.csv", [person(), person()])),
            "--agreement", "KADIN-2026", "--propose", "--by", MAKER)
    assert r.exit_code == 0, r.err
    with database.session() as s:
        s.execute(text("UPDATE agreements SET drafted_at = :at WHERE code = 'CSR-2026'"), {"at": at(9, 8)})
        s.execute(text("UPDATE agreement_amendments SET proposed_at = :at"), {"at": at(8, 8)})
        s.execute(text("UPDATE import_proposals SET proposed_at = :at"), {"at": at(7, 8)})


class TestWhatWaits:
    def test_nothing_waits(self, database, cli):
        with database.session() as s:
            make_agreement(s)
        assert cli("approvals").out.strip() == "Tidak ada yang menunggu persetujuan."
        assert cli("approvals", "--lang", "en").out.strip() == "Nothing awaits approval."
        assert cli("approvals", "--json").json() == []

    @pytest.mark.usefixtures("three_waiting")
    def test_each_kind_oldest_first_with_what_its_approval_stands_for(self, database, cli):
        found = cli("approvals", "--json").json()
        assert [(w["kind"], w["agreement"], w["number"], w["proposed_by"], [m["name"] for m in w["makers"]])
                for w in found] == [
            ("import", "KADIN-2026", 1, MAKER, [MAKER]),
            ("amendment", "KADIN-2026", 1, EDITOR, [EDITOR]),
            ("agreement", "CSR-2026", 2, MAKER, [MAKER, EDITOR]),
        ]
        imported, addendum, draft = found
        # Two new workers at the lowest bracket from January (the month of TODAY) to December: Rp16.800 a
        # month each until March, Rp8.400 from April, with the PP 50/2025 discount (the Kadin estimate's).
        assert (imported["facts"]["read"], imported["facts"]["would_enrol"], imported["facts"]["refused"],
                imported["facts"]["file"]) == (
            2, 2, 0, "kadin.csv")
        assert imported["facts"]["would_cost"] == 2 * 16_800 * 3 + 2 * 8_400 * 9
        f = addendum["facts"]
        assert (f["quota_before"], f["quota_after"], f["budget_before"], f["budget_after"], f["reference"]) == (
            10, 12, 2_016_000, 2_419_200, "Adendum I")
        f = draft["facts"]
        assert (f["quota"], f["budget"], f["start"], f["end"], draft["sponsor"]) == (
            50, 10_080_000, "2026-01", "2026-06", "Sponsor PT-MAJU")
        # Asked by the tests' user, budi.supervisor, who made none of them.
        assert [w["may_approve"] for w in found] == [True] * 3 and not any(w["stale"] for w in found)

    @pytest.mark.usefixtures("three_waiting")
    def test_whether_someone_may_approve_is_what_the_approve_commands_decide(self, database):
        class Undo(Exception):
            pass

        approve = {"agreement": lambda s, w, who: sponsors.approve(s, w.agreement, by=who, version=w.number),
                   "amendment": lambda s, w, who: amendments.approve(s, w.agreement, by=who),
                   "import": lambda s, w, who: proposals.approve(s, w.number, by=who, today=TODAY)}
        seen = {}
        for who in PEOPLE:
            with database.session(readonly=True) as s:
                found = awaiting(s, by=actor(s, who))
            for w in found:
                try:
                    with database.session() as s:
                        approve[w.kind](s, w, actor(s, who))
                        raise Undo  # nothing is kept: the next person finds the same list
                except Undo:
                    approved = True
                except (Conflict, Forbidden):
                    approved = False
                assert w.may_approve is approved, (who, w.kind)
                seen[(who, w.kind)] = (approved, w.why_not)
        officer = {"import": (False, "permission"), "amendment": (False, "permission"),
                   "agreement": (False, "permission")}  # an officer approves nothing, whoever made it
        assert seen == {**{(MAKER, kind): v for kind, v in officer.items()},
                        **{("Ani.Petugas", kind): v for kind, v in officer.items()},
                        (EDITOR, "import"): (True, None), (EDITOR, "amendment"): (False, "maker"),
                        (EDITOR, "agreement"): (False, "maker"),
                        (CHECKER, "import"): (True, None), (CHECKER, "amendment"): (True, None),
                        (CHECKER, "agreement"): (True, None)}

    def test_an_addendum_or_import_of_an_agreement_no_longer_open_is_to_be_turned_down(self, database, cli,
                                                                                      tmp_path):
        with database.session() as s:
            make_agreement(s, quota=10)
        cli("import", "workers", str(write_csv(tmp_path / "kadin.csv", [person()])), "--agreement", "KADIN-2026",
            "--propose", "--by", MAKER)
        with database.session() as s:
            sponsors.end_unused(s, "KADIN-2026", by=actor(s, CHECKER))
        [w] = cli("approvals", "--json").json()
        assert (w["stale"], w["agreement_status"]) == (True, "ended")
        said = cli("approvals", "--by", CHECKER)
        assert ("Perjanjian KADIN-2026 berstatus berakhir: persetujuan akan ditolak. Tolak usulan ini: "
                f"lindung import reject 1 --by {CHECKER}") in _words(said.out)
        assert "import approve" not in said.out
        assert cli("import", "reject", "1", "--by", CHECKER).exit_code == 0
        assert cli("approvals", "--json").json() == []


class TestTheCommand:
    @pytest.mark.usefixtures("three_waiting")
    def test_it_reads_in_either_language_and_fits_80_columns(self, cli, monkeypatch):
        monkeypatch.setenv("COLUMNS", "80")
        said = cli("approvals", "--by", CHECKER)
        assert all(len(line.rstrip()) <= 80 for line in said.stdout.splitlines())
        words = _words(said.out)
        assert words.startswith("Menunggu persetujuan orang kedua: 3 (terlama dahulu)")
        for part in ("1. Usulan impor 1 ke KADIN-2026 — Sponsor KADIN",
                     "kadin.csv, saat diajukan: dibaca 2, akan didaftarkan 2 (Rp252.000), sudah terdaftar 0, ditolak 0",
                     f"diajukan {MAKER}, 7 Januari 2026 15:00 WIB",
                     "2. Adendum perjanjian KADIN-2026 — Sponsor KADIN",
                     "kuota 10 → 12, anggaran Rp2.016.000 → Rp2.419.200 (Adendum I)",
                     "3. Draf perjanjian CSR-2026, versi 2 — Sponsor PT-MAJU",
                     "2026-01 – 2026-06, kuota 50 pekerja, anggaran Rp10.080.000",
                     f"disusun {MAKER}, 9 Januari 2026 15:00 WIB; diubah {EDITOR}, terakhir"):
            assert part in words, part
        english = _words(cli("approvals", "--by", EDITOR, "--lang", "en").out)
        assert "Awaiting a second person's approval: 3 (oldest first)" in english
        assert "quota 10 → 12, budget Rp2.016.000 → Rp2.419.200 (Adendum I)" in english
        assert english.count(f"{EDITOR} drafted, changed or proposed it: it needs someone else's approval.") == 2
        officer = _words(cli("approvals", "--by", MAKER, "--lang", "en").out)
        assert officer.count(f"{MAKER} (officer) may not approve this: it needs someone else who may.") == 3
        assert "lindung " not in officer  # no command they could not run

    @pytest.mark.usefixtures("three_waiting")
    def test_the_commands_shown_are_the_ones_that_approve(self, database, cli, monkeypatch):
        monkeypatch.setenv("COLUMNS", "80")
        lines = cli("approvals", "--by", "Budi").stdout.splitlines()
        commands, current = [], ""
        for line in lines:  # a command folded at the width continues with a backslash
            if line.strip().startswith("lindung ") or current:
                current += " " + line.strip().removesuffix("\\")
                if not line.rstrip().endswith("\\"):
                    commands.append(current.strip())
                    current = ""
        assert len(commands) == 4  # the import's check comes before its approval
        assert commands[0] == "lindung import approve 1 --check --by budi"
        for command in commands:
            words = shlex.split(command)
            assert words[0] == "lindung" and words[-2:] == ["--by", "budi"]
            r = cli(*words[1:])
            assert r.exit_code == 0, (command, r.err)
        assert cli("approvals", "--json").json() == []
        assert database.scalar("SELECT count(*) FROM enrolments") == 2
        assert database.scalar("SELECT status FROM agreements WHERE code = 'CSR-2026'") == "approved"
        assert database.scalar("SELECT quota FROM agreements WHERE code = 'KADIN-2026'") == 12

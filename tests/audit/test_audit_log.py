"""Reading the audit log: filters, newest first, workers looked up by NIK and never shown by it, each
entry said in the reader's language, and only for who may read it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import insert, update

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.kit.auth import NotPermitted, OutOfScope
from lindung.workers import service as workers
from tests.factories import enrol, make_agreement, make_worker
from tests.users import actor, add_user

NOVEMBER = ("--since", "2026-11-01", "--until", "2026-11-30")
"""The seeded entries' month: the log also holds the test users' ``user.added`` entries, of today."""


def seed(database) -> str:
    """Three entries by two people over two days, two of them about one worker; returns its NIK."""
    with database.session() as s:
        w = make_worker(s)
        a = audit.record(s, actor=actor(s, "ani"), action="worker.unmask", subject_type="worker", subject_id=w.id)
        b = audit.record(s, actor=actor(s, "budi"), action="worker.update", subject_type="worker", subject_id=w.id,
                         data={"fields": ["phone"]})
        c = audit.record(s, actor=actor(s, "ani"), action="bill.issue", subject_type="bill", subject_id=7,
                         data={"bill": "KADIN-2026/001", "worker_months": 12, "total": 201_600})
        for entry, day in ((a, 1), (b, 2), (c, 2)):
            s.execute(update(AuditEntry).where(AuditEntry.id == entry.id).values(
                at=dt.datetime(2026, 11, day, 9, 30, tzinfo=dt.UTC)))
        return w.nik


def actions(rows) -> list[str]:
    """The actions of ``rows`` but the test users' own (``user.added``, written when the template was made)."""
    return [r.action for r in rows if not r.action.startswith("user.")]


class TestFilters:
    def test_newest_first_and_each_filter(self, database):
        seed(database)
        with database.session(readonly=True) as s:
            by = actor(s, "budi")
            assert actions(audit.entries(s, by=by)) == ["bill.issue", "worker.update", "worker.unmask"]
            assert actions(audit.entries(s, by=by, actor="ani")) == ["bill.issue", "worker.unmask"]
            assert actions(audit.entries(s, by=by, actor=" ANI ")) == ["bill.issue", "worker.unmask"]
            assert actions(audit.entries(s, by=by, action="worker.")) == ["worker.update", "worker.unmask"]
            assert actions(audit.entries(s, by=by, action="worker%")) == []  # a prefix, not a pattern
            assert actions(audit.entries(s, by=by, since=dt.date(2026, 11, 2), until=dt.date(2026, 11, 30))) == [
                "bill.issue", "worker.update"]
            assert actions(audit.entries(s, by=by, until=dt.date(2026, 11, 1))) == ["worker.unmask"]
            assert actions(audit.entries(s, by=by, subject=("bill", 7))) == ["bill.issue"]
            assert actions(audit.entries(s, by=by, limit=1)) == ["bill.issue"]


class TestTheCommand:
    def test_by_worker_nik_json_and_english(self, database, cli):
        number = seed(database)
        out = cli("audit", "--worker", number, "--json").json()
        assert [(r["actor"], r["action"], r["data"], r["detail"], r["text"]) for r in out] == [
            ("budi", "worker.update", {"fields": ["phone"]}, None, "diubah: telepon"),
            ("ani", "worker.unmask", None, None, "NIK lengkap ditampilkan")]
        shown = cli("audit", "--worker", number, "--lang", "en")
        assert shown.exit_code == 0 and "Audit log (2 entries, newest first)" in shown.out
        assert "changed: phone" in shown.out and "full NIK shown" in shown.out
        assert number not in shown.stdout
        assert "Log audit (3 entri" in cli("audit", *NOVEMBER).out

    def test_the_table_fits_80_columns_with_the_detail_readable(self, database, cli, monkeypatch):
        seed(database)
        with database.session() as s:
            entry = audit.record(s, actor=actor(s, "ani.petugas"), action="enrolment.import_check",
                                 subject_type="agreement", subject_id=1,
                                 data={"file": "kadin.csv", "read": 1000, "enrolled": 987, "already": 0,
                                       "refused": 13})
            detail = audit.detail_text(entry, "id")
        assert detail == ("pemeriksaan kadin.csv: dibaca 1.000, akan didaftarkan 987, sudah terdaftar 0, "
                          "ditolak 13")
        monkeypatch.setenv("COLUMNS", "80")
        shown = cli("audit")
        assert all(len(line.rstrip()) <= 80 for line in shown.stdout.splitlines())
        for whole in ("enrolment.import_check", "ani.petugas", "agreement 1", "worker.update"):
            assert whole in shown.out, whole
        # The newest entry's detail folds at word ends over a few lines, not a few letters a line.
        cells = [line.split("│")[1:4] for line in shown.stdout.splitlines() if line.count("│") == 4]
        starts = [i for i, (when, _, _) in enumerate(cells) if when.strip()[:2] == "20"]
        newest = cells[starts[0]:starts[1]]
        assert " ".join(d.strip() for _, _, d in newest) == detail and len(newest) <= 4

    def test_bad_dates_are_refused(self, database, cli):
        assert cli("audit", "--since", "2026-13-01").exit_code == 2
        r = cli("audit", "--since", "2026-11-02", "--until", "2026-11-01", "--lang", "en")
        assert r.exit_code == 2 and "The end date 2026-11-01 is before the start date." in r.err


class TestEachEntryInTheReadersLanguage:
    """Entries keep their facts as values (``data``) and are said in the reader's language; entries
    from before 7 December 2026 have an English ``detail`` only, shown as it was written."""

    def test_a_worker_update_reads_in_indonesian_by_default_and_in_english_on_request(self, database, cli):
        with database.session() as s:
            number = make_worker(s, phone="0812-3456-7890").nik
        assert cli("worker", "update", number, "--phone", "0813 1111 2222", "--by", "ani").exit_code == 0
        for args, said in (((), "diubah: telepon"), (("--lang", "id"), "diubah: telepon"),
                           (("--lang", "en"), "changed: phone")):
            [entry] = cli("audit", "--worker", number, "--json", *args).json()
            assert (entry["actor"], entry["action"], entry["data"], entry["detail"], entry["text"]) == (
                "ani", "worker.update", {"fields": ["phone"]}, None, said)
            table = cli("audit", "--worker", number, *args)
            assert table.exit_code == 0 and said in table.out
            assert "0813" not in table.out and number not in table.out

    def test_an_old_entry_with_only_its_english_detail_is_shown_as_written(self, database, cli):
        with database.session() as s:
            w = make_worker(s)
            worker_id, number = w.id, w.nik
            s.execute(insert(AuditEntry).values(
                at=dt.datetime(2026, 10, 5, 2, 0, tzinfo=dt.UTC), actor="Siti Petugas", actor_id=None,
                action="worker.update", subject_type="worker", subject_id=worker_id, detail="changed: phone, heirs",
                data=None))
            s.execute(insert(AuditEntry).values(
                at=dt.datetime(2026, 10, 6, 2, 0, tzinfo=dt.UTC), actor="Siti Petugas", actor_id=None,
                action="worker.unmask", subject_type="worker", subject_id=worker_id, detail=None, data=None))
        with database.session(readonly=True) as s:
            [entry] = workers.audit_log(s, by=actor(s, "budi"), action="worker.update", since=dt.date(2026, 10, 5),
                                        until=dt.date(2026, 10, 5))
            assert (entry.data, entry.detail) == (None, "changed: phone, heirs")
            assert audit.detail_text(entry, "id") == audit.detail_text(entry, "en") == "changed: phone, heirs"
        for lang in ("id", "en"):
            out = cli("audit", "--since", "2026-10-01", "--until", "2026-10-31", "--json", "--lang", lang).json()
            assert [(r["actor"], r["data"], r["detail"], r["text"]) for r in out] == [
                ("Siti Petugas", None, None, "NIK lengkap ditampilkan" if lang == "id" else "full NIK shown"),
                ("Siti Petugas", None, "changed: phone, heirs", "changed: phone, heirs")]
        shown = cli("audit", "--since", "2026-10-05", "--until", "2026-10-05")
        assert "changed: phone, heirs" in shown.out and "Siti Petugas" in shown.out
        assert number not in shown.out

    def test_the_json_names_each_field(self, database, cli):
        seed(database)
        [entry] = cli("audit", "--action", "bill.", "--json", "--lang", "en").json()
        assert set(entry) == {"at", "actor", "action", "subject_type", "subject_id", "data", "detail", "text"}
        assert entry["text"] == "bill KADIN-2026/001: 12 worker-months, Rp201.600"
        assert dt.datetime.fromisoformat(entry["at"]) == dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


class TestWhoMayReadTheLog:
    """The log names every sponsor's subjects: only ``audit.read`` (supervisors, the administrator),
    never a sponsor's staff."""

    def test_a_supervisor_and_the_administrator_may_an_officer_may_not(self, database, cli):
        number = seed(database)
        for user in ("budi", "admin"):
            r = cli("audit", "--worker", number, "--json", "--by", user)
            assert r.exit_code == 0 and len(r.json()) == 2, (user, r.err)
        r = cli("audit", "--by", "ani", "--lang", "en")
        assert r.exit_code == 7 and "needs the permission audit.read" in r.err and r.out == ""
        with database.session(readonly=True) as s, pytest.raises(NotPermitted):
            workers.audit_log(s, by=actor(s, "ani"), worker=number)

    def test_a_sponsors_staff_may_not(self, database, cli):
        with database.session() as s:
            make_agreement(s)
            number = make_worker(s).nik
            enrol(s, number)
            add_user(s, "kadin.staf", "sponsor", sponsor="KADIN")
        r = cli("audit", "--worker", number, "--by", "kadin.staf", "--lang", "en")
        assert r.exit_code == 7 and "audit.read" in r.err and number not in r.err
        with database.session(readonly=True) as s, pytest.raises(NotPermitted):
            workers.audit_log(s, by=actor(s, "kadin.staf"), worker=number)

    def test_a_scoped_user_who_held_audit_read_would_still_be_refused(self, database):
        # No role gives a scoped user audit.read today; were one to, the log would still be refused
        # whole (it names every sponsor's subjects), before any worker is looked up.
        with database.session() as s:
            make_agreement(s)
            number = make_worker(s).nik
            staff = add_user(s, "kadin.staf", "sponsor", sponsor="KADIN")
        scoped = dataclasses.replace(staff, permissions=staff.permissions | {"audit.read"})
        with database.session(readonly=True) as s, pytest.raises(OutOfScope):
            workers.audit_log(s, by=scoped, worker=number)


class TestTheBranchZone:
    """Entries are stored in UTC and read in the branch's zone (``LINDUNG_TIMEZONE``, WIB by default)."""

    def test_days_and_times_are_the_branchs(self, database, cli, monkeypatch):
        with database.session() as s:
            e = audit.record(s, actor=actor(s, "ani"), action="bill.pay", subject_type="bill", subject_id=3)
            # 03:00 WIB on 3 November is still 2 November in UTC.
            s.execute(update(AuditEntry).where(AuditEntry.id == e.id).values(
                at=dt.datetime(2026, 11, 2, 20, 0, tzinfo=dt.UTC)))
        with database.session(readonly=True) as s:
            by = actor(s, "budi")
            assert actions(audit.entries(s, by=by, since=dt.date(2026, 11, 3), until=dt.date(2026, 11, 30))) == [
                "bill.pay"]
            assert actions(audit.entries(s, by=by, until=dt.date(2026, 11, 2))) == []
        assert "2026-11-03 03:00:00 WIB" in cli("audit").out
        at = cli("audit", "--action", "bill.", "--json").json()[0]["at"]
        assert dt.datetime.fromisoformat(at) == dt.datetime(2026, 11, 2, 20, 0, tzinfo=dt.UTC)

        monkeypatch.setenv("LINDUNG_TIMEZONE", "UTC")
        with database.session(readonly=True) as s:
            by = actor(s, "budi")
            assert actions(audit.entries(s, by=by, since=dt.date(2026, 11, 3), until=dt.date(2026, 11, 30))) == []
            assert actions(audit.entries(s, by=by, until=dt.date(2026, 11, 2))) == ["bill.pay"]
        assert "2026-11-02 20:00:00 UTC" in cli("audit").out

    def test_a_wrong_zone_stops_every_command_with_a_clear_message(self, database, cli, monkeypatch):
        monkeypatch.setenv("LINDUNG_TIMEZONE", "Asia/Bekasi")
        r = cli("sponsor", "add", "--code", "KADIN", "--name", "Kadin", "--funding", "kadin")
        assert r.exit_code == 2
        assert "LINDUNG_TIMEZONE='Asia/Bekasi' bukan zona waktu yang dikenal" in r.err and "Traceback" not in r.err
        assert "is not a known time zone" in cli("audit", "--lang", "en").err
        monkeypatch.delenv("LINDUNG_TIMEZONE")
        assert cli("sponsor", "list", "--json").json() == []  # nothing was written

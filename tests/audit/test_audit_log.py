"""Reading the audit log: filters, newest first, workers looked up by NIK and never shown by it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from tests.factories import make_worker


def seed(database) -> str:
    """Three entries by two people over two days, two of them about one worker; returns its NIK."""
    with database.session() as s:
        w = make_worker(s)
        a = audit.record(s, actor="ani", action="worker.unmask", subject_type="worker", subject_id=w.id)
        b = audit.record(s, actor="budi", action="worker.update", subject_type="worker", subject_id=w.id,
                         detail="changed: phone")
        c = audit.record(s, actor="ani", action="bill.issue", subject_type="bill", subject_id=7, detail="x")
        for entry, day in ((a, 1), (b, 2), (c, 2)):
            s.execute(update(AuditEntry).where(AuditEntry.id == entry.id).values(
                at=dt.datetime(2026, 11, day, 9, 30, tzinfo=dt.UTC)))
        return w.nik


def actions(rows) -> list[str]:
    return [r.action for r in rows]


class TestFilters:
    def test_newest_first_and_each_filter(self, database):
        seed(database)
        with database.session(readonly=True) as s:
            assert actions(audit.entries(s)) == ["bill.issue", "worker.update", "worker.unmask"]
            assert actions(audit.entries(s, actor="ani")) == ["bill.issue", "worker.unmask"]
            assert actions(audit.entries(s, action="worker.")) == ["worker.update", "worker.unmask"]
            assert actions(audit.entries(s, action="worker%")) == []  # a prefix, not a pattern
            assert actions(audit.entries(s, since=dt.date(2026, 11, 2))) == ["bill.issue", "worker.update"]
            assert actions(audit.entries(s, until=dt.date(2026, 11, 1))) == ["worker.unmask"]
            assert actions(audit.entries(s, subject=("bill", 7))) == ["bill.issue"]
            assert actions(audit.entries(s, limit=1)) == ["bill.issue"]


class TestTheCommand:
    def test_by_worker_nik_json_and_english(self, database, cli):
        number = seed(database)
        out = cli("audit", "--worker", number, "--json").json()
        assert [(r["actor"], r["action"], r["detail"]) for r in out] == [
            ("budi", "worker.update", "changed: phone"), ("ani", "worker.unmask", "")]
        shown = cli("audit", "--worker", number, "--lang", "en")
        assert shown.exit_code == 0 and "Audit log (2 entries, newest first)" in shown.out
        assert number not in shown.stdout
        assert "Log audit (3 entri" in cli("audit").out

    def test_the_table_fits_80_columns_with_the_detail_readable(self, database, cli, monkeypatch):
        seed(database)
        detail = "kadin.csv: read 1000, enrolled 987, already 0, refused 13, heirs 950"
        with database.session() as s:
            audit.record(s, actor="ani.petugas", action="enrolment.import_check", subject_type="agreement",
                         subject_id=1, detail=detail)
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


class TestTheBranchZone:
    """Entries are stored in UTC and read in the branch's zone (``LINDUNG_TIMEZONE``, WIB by default)."""

    def test_days_and_times_are_the_branchs(self, database, cli, monkeypatch):
        with database.session() as s:
            e = audit.record(s, actor="ani", action="bill.pay", subject_type="bill", subject_id=3)
            # 03:00 WIB on 3 November is still 2 November in UTC.
            s.execute(update(AuditEntry).where(AuditEntry.id == e.id).values(
                at=dt.datetime(2026, 11, 2, 20, 0, tzinfo=dt.UTC)))
        with database.session(readonly=True) as s:
            assert actions(audit.entries(s, since=dt.date(2026, 11, 3))) == ["bill.pay"]
            assert actions(audit.entries(s, until=dt.date(2026, 11, 2))) == []
        assert "2026-11-03 03:00:00 WIB" in cli("audit").out
        assert cli("audit", "--json").json()[0]["at"] == "2026-11-02T20:00:00+00:00"

        monkeypatch.setenv("LINDUNG_TIMEZONE", "UTC")
        with database.session(readonly=True) as s:
            assert actions(audit.entries(s, since=dt.date(2026, 11, 3))) == []
            assert actions(audit.entries(s, until=dt.date(2026, 11, 2))) == ["bill.pay"]
        assert "2026-11-02 20:00:00 UTC" in cli("audit").out

    def test_a_wrong_zone_stops_every_command_with_a_clear_message(self, database, cli, monkeypatch):
        monkeypatch.setenv("LINDUNG_TIMEZONE", "Asia/Bekasi")
        r = cli("sponsor", "add", "--code", "KADIN", "--name", "Kadin", "--funding", "kadin")
        assert r.exit_code == 2
        assert "LINDUNG_TIMEZONE='Asia/Bekasi' bukan zona waktu yang dikenal" in r.err and "Traceback" not in r.err
        assert "is not a known time zone" in cli("audit", "--lang", "en").err
        monkeypatch.delenv("LINDUNG_TIMEZONE")
        assert cli("sponsor", "list", "--json").json() == []  # nothing was written


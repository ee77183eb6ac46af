"""Racing enrolments: the invariants hold when several connections enrol at the same moment.

Each thread has its own engine (its own connections) and runs one unit of work, all released at
once by a barrier. On PostgreSQL the agreement row, the ``enrolments`` table lock (``ROW EXCLUSIVE``
for one enrolment, ``SHARE ROW EXCLUSIVE`` for a bulk import) and the worker row lock serialise
them; on SQLite ``BEGIN IMMEDIATE`` does.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lindung.enrolment import errors
from lindung.enrolment import repository as enrolment_repo
from lindung.enrolment.importer import import_workers
from lindung.enrolment.models import Enrolment
from lindung.enrolment.schemas import ImportSummary
from lindung.kit.db import session_scope
from lindung.sponsors import service as sponsors
from lindung.workers import service as workers_service
from lindung.workers.models import Worker
from tests.billing.checks import assert_counters_match_lines
from tests.enrolment.import_files import person, serial, upload, write_csv
from tests.factories import MAKER, TODAY, enrol, make_agreement, make_worker
from tests.racing import race
from tests.users import actor

RACERS = 8


class TestRacingForTheLastPlaces:
    def test_never_more_than_the_quota(self, database):
        with database.session() as s:
            make_agreement(s, quota=5)
            enrol(s, make_worker(s))
            enrol(s, make_worker(s))
            niks = [make_worker(s).nik for _ in range(RACERS)]

        results = race(database, [lambda s, n=n: enrol(s, n).id for n in niks])

        won = [r for r in results if isinstance(r, int)]
        lost = [r for r in results if isinstance(r, errors.QuotaExceeded)]
        assert (len(won), len(lost)) == (3, RACERS - 3), results
        with database.session(readonly=True) as s:
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert a.enrolled_count == 5 == enrolment_repo.totals(s, a.id)[0]
            assert a.committed_cost == enrolment_repo.totals(s, a.id)[1]

    def test_never_more_than_the_budget(self, database):
        with database.session() as s:
            make_agreement(s, quota=100, budget=4 * 126_000 + 1)
            niks = [make_worker(s, occupation="pedagang").nik for _ in range(RACERS)]

        results = race(database, [lambda s, n=n: enrol(s, n).id for n in niks])

        assert sum(isinstance(r, int) for r in results) == 4, results
        assert sum(isinstance(r, errors.BudgetExceeded) for r in results) == RACERS - 4
        with database.session(readonly=True) as s:
            a = sponsors.get_agreement(s, "KADIN-2026")
            assert (a.enrolled_count, a.committed_cost) == (4, 4 * 126_000)


class TestTwoSponsorsRacingForOneWorker:
    def test_exactly_one_covers_the_worker_and_the_others_are_told_which(self, database):
        codes = [f"CSR-{i}" for i in range(6)]
        with database.session() as s:
            for code in codes:
                make_agreement(s, code, sponsor=f"S{code}", funding="csr", quota=10)
            number = make_worker(s).nik

        results = race(database, [lambda s, c=c: enrol(s, number, c).agreement_id for c in codes])

        won = [r for r in results if isinstance(r, int)]
        lost = [r for r in results if isinstance(r, errors.OverlappingEnrolment)]
        assert (len(won), len(lost)) == (1, len(codes) - 1), results
        with database.session(readonly=True) as s:
            winner = next(sponsors.get_agreement(s, c) for c in codes if sponsors.get_agreement(s, c).id == won[0])
            assert all(e.context["agreement"] == winner.code for e in lost)
            assert sum(sponsors.get_agreement(s, c).enrolled_count for c in codes) == 1


class TestAnImportRacingASingleEnrolmentOfTheSameWorker:
    """A sponsor's file names a worker whom another sponsor enrols one at a time, at the same moment:
    whichever commits first covers the worker, the other is told so, never both."""

    def test_the_worker_is_covered_once_whichever_comes_first(self, database, tmp_path: Path):
        with database.session() as s:
            make_agreement(s, quota=5000)
            make_agreement(s, "CSR-2026", sponsor="CSR", funding="csr")
        outcomes = set()
        # The single enrolment starts at different moments of the import: before it (and keeps its
        # transaction open a while, as a slow client would), while it reads and merges its ranges,
        # and around the range that holds the worker's row.
        starts = [(0.05, 0.0), (0.02, 0.0), (0.0, 0.0), (0.0, 0.01), (0.0, 0.03), (0.0, 0.06), (0.0, 0.1),
                  (0.0, 0.2), (0.0, 0.4)]  # (import, single enrolment) seconds after the start
        for attempt, (import_delay, delay) in enumerate(starts):
            with database.session() as s:
                number = make_worker(s).nik
            # Everyone else in the file is new (born on days no other test worker is born on).
            rows = [person(born=dt.date(1970, 1, 1) + dt.timedelta(days=400 * attempt + i)) for i in range(400)]
            rows.insert(200, person(nik_text=number))
            path = write_csv(tmp_path / f"kadin-{attempt}.csv", rows)

            def importing(s, path=path, import_delay=import_delay) -> ImportSummary:
                time.sleep(import_delay)
                return import_workers(s, upload(path), "KADIN-2026", by=actor(s, MAKER), today=TODAY, batch_rows=50,
                                      merge_rows=50)

            def enrolling(s, number=number, delay=delay) -> int:
                time.sleep(delay)
                agreement_id = enrol(s, number, "CSR-2026").agreement_id
                time.sleep(0.15)  # commits only then
                return agreement_id

            imported, single = race(database, [importing, enrolling])

            assert isinstance(imported, ImportSummary), imported
            with database.session(readonly=True) as s:
                covering = s.scalars(select(Enrolment.agreement_id).join(Enrolment.worker).where(
                    Enrolment.status == "active", Enrolment.worker.has(nik=number))).all()
                csr = sponsors.get_agreement(s, "CSR-2026").id
                for code in ("KADIN-2026", "CSR-2026"):
                    a = sponsors.get_agreement(s, code)
                    assert (a.enrolled_count, a.committed_cost) == enrolment_repo.totals(s, a.id)
            assert len(covering) == 1, (covering, imported, single)
            if covering[0] == csr:  # the single enrolment came first: the import refused the row
                assert single == csr
                assert (imported.enrolled, imported.refused) == (400, 1)
                outcomes.add("single first")
            else:
                assert isinstance(single, errors.OverlappingEnrolment), single
                assert single.context["agreement"] == "KADIN-2026"
                assert (imported.enrolled, imported.refused) == (401, 0)
                outcomes.add("import first")
        assert outcomes  # which ones happened depends on timing; each is checked above


class TestTheDatabaseRefusesOverlapsWrittenBehindTheService:
    def test_an_update_that_stretches_a_span_over_another_is_refused(self, postgres_database):
        with postgres_database.session() as s:
            make_agreement(s, months=6)  # 2026-01 .. 2026-06
            make_agreement(s, "CSR-2026", sponsor="CSR", funding="csr", start="2026-07", months=6)
            w = make_worker(s)
            enrol(s, w)
            enrol(s, w, "CSR-2026", first="2026-07")
        with pytest.raises(IntegrityError, match="ex_enrolments_no_overlap"), postgres_database.session() as s:
            s.execute(text("UPDATE enrolments SET last_month = last_month + 1 "
                           "WHERE first_month = (SELECT MIN(first_month) FROM enrolments)"))
        with postgres_database.session(readonly=True) as s:
            assert s.scalar(select(func.count()).select_from(Enrolment)) == 2

    def test_two_writers_behind_the_service_racing_for_one_worker_do_not_both_win(self, postgres_database):
        codes = [f"CSR-{i}" for i in range(4)]
        with postgres_database.session() as s:
            for code in codes:
                make_agreement(s, code, sponsor=f"S{code}", funding="csr")
            w = make_worker(s)
            worker_id = w.id

        def write(s, code: str) -> int:
            s.execute(text(
                "INSERT INTO enrolments (worker_id, agreement_id, first_month, last_month, occupation_code, "
                "sector, committed_cost, status, provenance_id) SELECT :w, id, start_month, "
                "end_month, 'pedagang', 'other', 0, 'active', 0 FROM agreements WHERE code = :c"),
                {"w": worker_id, "c": code})
            time.sleep(0.05)  # hold the transaction open a little, as a slow writer would
            return 1

        results = race(postgres_database, [lambda s, c=c: write(s, c) for c in codes])

        assert results.count(1) == 1, results
        with postgres_database.session(readonly=True) as s:
            assert s.scalar(select(func.count()).select_from(Enrolment)) == 1


class TestAWorkerRegisteredWhileAnImportRuns:
    """PostgreSQL lets other connections work while an import runs. ``worker add`` waits for it (the
    import holds the registry, ``workers.repository.lock_registry_for_import``) and then finds the
    workers it registered: the person of a row, under the file's NIK or a serial variant, is not
    registered a second time. A writer behind the services can still write a worker of the file into
    ``workers`` meanwhile: the import must not take it for a row of its own file; it is refused as a
    whole with a message that says why and to run it again, nothing of it remains, and the worker
    stands; run again, it enrols that worker as registered."""

    def test_worker_add_waits_for_the_import_then_finds_its_people(self, postgres_database, tmp_path: Path):
        with postgres_database.session() as s:
            make_agreement(s)
            make_worker(s)  # the registry is not empty
        oneng = person(name="Oneng Suhara", sex="P")
        others = [person() for _ in range(3)]
        path = write_csv(tmp_path / "f.csv", [others[0], oneng, *others[1:]])
        desk: dict[str, object] = {}
        waiting: list[threading.Thread] = []
        watcher = postgres_database.new_engine()

        def register(key: str, number: str, name: str) -> None:
            engine = postgres_database.new_engine()
            try:
                with session_scope(engine) as s:
                    desk[key] = make_worker(s, nik_=number, name=name, sex=None, different_person=False).nik
            except Exception as exc:  # the outcome is what we assert on
                desk[key] = exc
            finally:
                engine.dispose()

        def lock_waits() -> int:
            with watcher.connect() as c:
                return int(c.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE '%pg_advisory_xact_lock_shared%'")).scalar_one())

        def two_desks(read: int, _total: int) -> None:
            if read == 2 and not waiting:  # Oneng's row is merged; two officers register her meanwhile
                waiting.extend(threading.Thread(target=register, args=args) for args in (
                    ("typo", serial(oneng["NIK"], 9998), "ONENG SUHARA"),
                    ("same", others[2]["NIK"], "Asep Saputra")))
                for th in waiting:
                    th.start()
                deadline = time.monotonic() + 20
                while lock_waits() < 2 and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert lock_waits() == 2, "both registrations wait for the import"

        try:
            with postgres_database.session() as s:
                summary = import_workers(s, upload(path), "KADIN-2026", by=actor(s, MAKER), today=TODAY, batch_rows=1,
                                         merge_rows=1, on_progress=two_desks)
                assert all(th.is_alive() for th in waiting) and not desk  # still waiting at the commit
            for th in waiting:
                th.join(timeout=30)
        finally:
            watcher.dispose()
        assert (summary.enrolled, summary.new_workers, summary.refused) == (4, 4, 0)
        assert isinstance(desk["typo"], workers_service.PossiblyRegistered), desk
        assert isinstance(desk["same"], workers_service.WorkerExists), desk
        with postgres_database.session(readonly=True) as s:
            assert len(s.scalars(select(Worker).where(func.lower(Worker.name) == "oneng suhara")).all()) == 1
            assert s.scalar(select(func.count()).select_from(Worker)) == 5

    def test_one_written_behind_the_services_is_never_reported_as_a_duplicate_in_the_file(
            self, postgres_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        from lindung.enrolment import importer

        monkeypatch.setattr(importer, "NIK_FILTER_BITS", 0)  # every row after the first a suspect
        with postgres_database.session() as s:
            make_agreement(s)
            make_worker(s)  # the registry is not empty
        late = person()
        path = write_csv(tmp_path / "f.csv", [person(), person(), late])
        other = postgres_database.new_engine()

        def write_meanwhile(read: int, _total: int) -> None:
            if read == 1:  # after the first row, before the merge of the third
                with session_scope(other) as s:  # the late row's person, written by hand
                    s.execute(text(
                        "INSERT INTO workers (nik, name, sex, birth_date, needs_review, domicile_code, "
                        "occupation_code, declared_income, provenance_id) SELECT :nik, :name, :sex, "
                        ":born, needs_review, domicile_code, occupation_code, declared_income, "
                        "provenance_id FROM workers ORDER BY id LIMIT 1"),
                        {"nik": late["NIK"], "name": late["Nama Lengkap"], "sex": late["L/P"],
                         "born": dt.datetime.strptime(late["Tgl Lahir"], "%d-%m-%Y").date()})

        try:
            with pytest.raises(errors.RegisteredDuringImport) as refused, postgres_database.session() as s:
                import_workers(s, upload(path), "KADIN-2026", by=actor(s, MAKER), today=TODAY, batch_rows=1,
                               merge_rows=1, on_progress=write_meanwhile)
        finally:
            other.dispose()
        assert "Jalankan impor sekali lagi" in refused.value.message("id")
        with postgres_database.session(readonly=True) as s:
            assert s.scalar(select(func.count()).select_from(Enrolment)) == 0
            assert sponsors.get_agreement(s, "KADIN-2026").enrolled_count == 0
            registered = s.scalars(select(Worker.nik)).all()
        assert late["NIK"] in registered and len(registered) == 2
        with postgres_database.session() as s:
            again = import_workers(s, upload(path), "KADIN-2026", by=actor(s, MAKER), today=TODAY)
        assert (again.enrolled, again.new_workers, again.refused) == (3, 2, 0)


class TestAnImportTakenBackWhileABillRuns:
    """PostgreSQL: ``import undo`` and a bill run for the same agreement at once. Whichever comes first,
    no contribution line names a cancelled enrolment and the agreement's counters equal its rows: both
    lock the agreement row, so the bill run waits for the undo, or the undo sees its lines and refuses.
    (Without the undo's row lock the bill run bills the enrolments it is cancelling: tried.)"""

    @pytest.mark.parametrize("late", ["none", "bill", "undo"])
    def test_never_a_bill_for_a_cancelled_enrolment(self, postgres_database, tmp_path: Path, late: str):
        from lindung.billing import service as billing
        from lindung.enrolment import imports
        from lindung.rules.period import Month

        with postgres_database.session() as s:
            make_agreement(s, activate=True)
            make_worker(s)  # a worker enrolled one at a time keeps the bill from being empty
            enrol(s, s.scalars(select(Worker.nik)).one(), "KADIN-2026")
        path = write_csv(tmp_path / "f.csv", [person() for _ in range(20)])
        with postgres_database.session() as s:
            import_workers(s, upload(path), "KADIN-2026", by=actor(s, MAKER), today=TODAY)
            number = imports.history(s, "KADIN-2026", by=actor(s, MAKER))[0].id
        def undo(s: Session) -> object:
            if late == "undo":
                time.sleep(0.5)
            result = imports.undo(s, number, by=actor(s, "budi"))
            if late == "bill":
                time.sleep(0.6)  # still uncommitted while the bill run starts: it must wait for the ledger
            return result

        def bill(s: Session) -> object:
            if late == "bill":
                time.sleep(0.2)
            return billing.issue_bills(s, Month(2026, 1), today=TODAY, by=actor(s, MAKER))

        undone, billed = race(postgres_database, [undo, bill])
        assert not isinstance(billed, Exception), billed
        assert isinstance(undone, imports.UndoResult | imports.ImportNotUndoable), undone
        if late == "bill":  # the undo came first: the bill run waited for it and billed the one left
            assert isinstance(undone, imports.UndoResult)
        if late == "undo":  # the bill came first: the undo saw its lines and changed nothing
            assert isinstance(undone, imports.ImportNotUndoable)
        with postgres_database.session(readonly=True) as s:
            stray = s.execute(text(
                "SELECT COUNT(*) FROM contribution_lines l JOIN enrolments e ON e.id = l.enrolment_id "
                "WHERE e.status = 'cancelled'")).scalar_one()
            assert stray == 0
            agreement = sponsors.get_agreement(s, "KADIN-2026")
            assert (agreement.enrolled_count, agreement.committed_cost) == enrolment_repo.totals(s, agreement.id)
            lines = s.execute(text("SELECT COUNT(*) FROM contribution_lines")).scalar_one()
            assert_counters_match_lines(s)
        assert lines == (1 if isinstance(undone, imports.UndoResult) else 21) * 12  # yearly billing, 12 months


class TestTwoApprovalsOfOneProposalAtOnce:
    def test_the_file_is_imported_once(self, database, tmp_path: Path):
        from lindung.enrolment import proposals

        with database.session() as s:
            make_agreement(s)
        path = write_csv(tmp_path / "f.csv", [person() for _ in range(5)])
        with database.session() as s:
            checked = import_workers(s, upload(path), "KADIN-2026", by=actor(s, MAKER), today=TODAY, purpose="check")
            s.rollback()  # what --check does: the import run, then nothing kept
        with database.session() as s:
            number = proposals.propose(s, upload(path), checked, by=actor(s, MAKER)).id
        jobs: list[Callable[[Session], object]] = [
            lambda s, who=who: proposals.approve(s, number, by=actor(s, who), today=TODAY)
            for who in ("budi", "citra")]
        outcomes = race(database, jobs)
        approved = [o for o in outcomes if isinstance(o, tuple)]
        refused = [o for o in outcomes if isinstance(o, proposals.ProposalDecided)]
        assert (len(approved), len(refused)) == (1, 1), outcomes
        with database.session(readonly=True) as s:
            assert s.scalar(select(func.count()).select_from(Enrolment)) == 5
            assert sponsors.get_agreement(s, "KADIN-2026").enrolled_count == 5

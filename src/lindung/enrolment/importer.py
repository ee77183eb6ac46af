"""Bulk enrolment from a sponsor's spreadsheet: read, validate, stage, merge, in one transaction.

1. The file is opened and its header matched (``importer_read``); a file that cannot be read is
   an ``ImportFileError`` before anything touches the database.
2. The agreement row is locked, then the ``enrolments`` table against every other writer
   (``enrolment.repository.lock_for_bulk_enrolment``), so that the overlap check below holds
   until the import commits.
3. Rows are validated in batches, column at a time (``importer_rows``), and a NIK that came earlier
   in the file is refused or, across ranges, suspected (``_FileNiks``), as is a row that may name an
   earlier row's person under another serial (``_FileTwins``); valid rows go into a TEMP
   staging table (``executemany`` on SQLite, ``COPY`` on PostgreSQL), refused rows into a TEMP
   error table, ``MERGE_ROWS`` at a time.
4. Each range of staged rows is merged with set-based SQL (``importer_repository``) in a second
   thread while this one validates the next rows: the database works in C without Python's global
   lock, so reading and merging use both cores. The suspected duplicates, workers already
   registered (birth date and sex must agree; a NIK one serial away from a registered worker's of
   the same name, or an earlier row's, is refused), rows already enrolled in this agreement (counted,
   not refused: importing the same file again adds nothing), overlaps with another agreement
   (refused naming it), the target group, then quota and budget in file order; new workers and
   their enrolments are inserted with the committed cost of the span from a two-row price table
   (``enrolment.service.span_costs``, i.e. ``monthly_price_table`` per sector). Every check
   depends only on the row and on earlier rows, so range by range gives what the whole file would.
   Only one thread uses the connection at a time.
5. The agreement's counters move through the same conditional UPDATE as a one-at-a-time enrolment
   (``enrolment.repository.reserve``), so the quota and budget rule lives in one place and the
   CHECK constraints back it up.

The service never commits: the caller's unit of work does, and rolls everything back if anything
raises (including KeyboardInterrupt: the statement the merge thread is running is cancelled first);
a killed process leaves an open transaction that the database discards. Memory stays flat whatever
the size of the file: at most two ranges of rows are in Python at a time, and the two filters
(``_FileNiks``, ``_FileTwins``) are a fixed 16 MiB each. NIKs are never logged; the error rows carry
the values of the sponsor's own file.

Nothing here changes the process: an import may run beside a server's requests (as a job), so the
cyclic garbage collector stays on, as the rest of the process has it.

The use cases a door calls (import a file now, check it, propose it, approve a proposal) are in
``enrolment.importing``; this is the engine they share.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import compress, repeat
from operator import eq, itemgetter, or_
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.enrolment import importer_repository as repo
from lindung.enrolment import repository as enrolments
from lindung.enrolment.errors import (
    AgreementNotOpen,
    AgreementPeriodOver,
    BudgetExceeded,
    QuotaExceeded,
    RegisteredDuringImport,
)
from lindung.enrolment.importer_read import SheetSource, open_sheet
from lindung.enrolment.importer_rows import RowError, RowValidator, StagedRow
from lindung.enrolment.schemas import ImportSummary, Upload
from lindung.enrolment.service import default_first_month, span_costs
from lindung.kit.auth import Actor
from lindung.kit.privacy import mask_nik
from lindung.rules.contributions import OTHER, TRANSPORT, lowest_income
from lindung.rules.params import ParameterSet, default_parameters
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import OPEN_STATUSES, Agreement
from lindung.summary import cells
from lindung.summary.cells import Touched
from lindung.workers import repository as workers_repo
from lindung.workers.names import may_be_same_person
from lindung.workers.service import REVIEW_NIK_DISTRICT_UNKNOWN, heir_relationships

_ROW_NO = itemgetter(0)
_NIK = itemgetter(1)
_NAME = itemgetter(2)
_DISTRICT_KNOWN = itemgetter(9)
_NIK_BUT_SERIAL = itemgetter(slice(0, 12))
_MANY = 255  # a slot of ``_FileTwins`` that keys of two marks took
DUPLICATE_IN_FILE = repo.REFUSALS[repo.DUPLICATE]

BATCH_ROWS = 20_000
"""Rows read and validated at a time."""
MERGE_ROWS = 100_000
"""Rows staged and merged at a time (whole batches): big enough that the merge thread's few
statements per range cost little, small enough to keep memory flat."""

HEIRS_KEPT_ROWS = 1_000
"""How many rows of workers whose registry heirs were kept the summary names (all are counted)."""

NIK_FILTER_BITS = 24
"""The importer's table of NIKs met in earlier ranges has 2^24 one-byte slots (16 MiB), whatever
the file's size. With a million rows about 3% of new NIKs are wrongly suspected (and cleared by the
database with one index probe each); fewer slots give more suspects, never a wrong answer. The
table of people met (``_FileTwins``) is another such table."""

Progress = Callable[[int, int], None]
"""(rows read so far, rough total or 0): called after every batch; raising from it aborts."""
ErrorSink = Callable[[Iterator[RowError]], None]
"""Receives the refused rows (row, column, value, message code, detail) in file order."""
Purpose = Literal["import", "check", "approval"]
"""Why the file is imported: ``import`` (kept), ``check`` (a dry run the caller rolls back) or the
``approval`` of a proposal (kept, the proposer's)."""

_PERMISSIONS: dict[str, tuple[str, ...]] = {"import": ("import.run",), "check": ("import.propose", "import.run"),
                                            "approval": ("import.approve",)}


def import_workers(
    session: Session,
    upload: Upload,
    agreement_code: str,
    *,
    by: Actor,
    today: dt.date,
    purpose: Purpose = "import",
    made_by: Actor | None = None,
    source: str | None = None,
    params: ParameterSet | None = None,
    on_progress: Progress | None = None,
    on_errors: ErrorSink | None = None,
    batch_rows: int | None = None,
    merge_rows: int | None = None,
    phases: dict[str, float] | None = None,
    sheet: str | None = None,
) -> ImportSummary:
    """Import a sponsor file into ``agreement_code`` (flushes; the caller's unit of work commits).

    ``purpose``: ``import`` (``by`` needs ``import.run``), ``check`` (a dry run the caller rolls back:
    ``import.propose`` or ``import.run``; the summary says ``dry_run`` and has no ``import_id``) or
    ``approval`` of a proposal (``import.approve``), whose workers and enrolments are recorded as
    ``made_by``'s, the proposer's (default: ``by``). A sponsor's staff reach no other sponsor's
    agreement (their roles import nothing today).

    ``on_errors`` receives every refused row (row, column, value, message code, detail) in file
    order, while the staging tables still exist; without it they are only counted. ``batch_rows``
    and ``merge_rows`` default to ``BATCH_ROWS`` and ``MERGE_ROWS``. ``phases``, when given,
    receives the seconds spent in each phase (the benchmark prints them). ``sheet`` names the
    worksheet of a workbook (``importer_read.open_sheet``).
    """
    by.require_any(*_PERMISSIONS[purpose])
    author = made_by or by
    clock = _Clock(phases)
    params = params or default_parameters()
    opened = open_sheet(upload, sheet)
    workers_repo.lock_registry_for_import(session)
    agreement = sponsors.get_agreement(session, agreement_code, for_update=True, scope=by.scope)
    if agreement.status not in OPEN_STATUSES:
        raise AgreementNotOpen(agreement=agreement.code, status=agreement.status)
    first = default_first_month(agreement, today, params)
    last = Month.from_index(agreement.end_month)
    if first > last:
        raise AgreementPeriodOver(agreement=agreement.code, end=str(last))
    enrolments.lock_for_bulk_enrolment(session)
    file = upload.file_name + (f" [{opened.sheet}]" if opened.sheet else "")
    source = source or f"import:{file}"[:100]

    # The TEMP tables are created inside the transaction: if anything below raises, the caller's
    # rollback removes them with everything else.
    repo.create_staging(session)
    tuned = repo.tune_for_bulk(session)
    try:
        merger = _Merger(session, agreement, first, last, by=author, today=today, source=source, params=params,
                         clock=clock)
        clock.lap("prepare")
        try:
            validator = _stage_and_merge(session, opened, today, on_progress, batch_rows or BATCH_ROWS,
                                         merge_rows or MERGE_ROWS, merger, clock)
        except IntegrityError as error:
            if not _nik_taken(error):
                raise
            raise RegisteredDuringImport(agreement=agreement.code) from error
        summary = merger.finish(opened, read=validator.counts.read, refused_early=validator.counts.refused,
                                file=file, dry_run=purpose == "check")
        if summary.import_id is not None and summary.enrolled:
            cells.add(session, Touched.provenance(summary.import_id))
        clock.lap("counters, refusals")
        if on_errors is not None:
            on_errors(repo.iter_errors(session))
        clock.lap("error rows")
    finally:
        repo.untune(session, tuned)
    repo.drop_staging(session)
    audit.record(session, actor=author, action="enrolment.import", subject_type="agreement",
                 subject_id=agreement.id, data=_facts(summary))
    clock.lap("clean up")
    return summary


def _nik_taken(error: IntegrityError) -> bool:
    """PostgreSQL's unique NIK index refused a new worker: only a worker registered by another
    connection after the import began can do that (every NIK registered before is matched, every NIK
    of the file comes once; on SQLite the write lock keeps other writers out). Read from the
    constraint the server names, not from the message's wording."""
    diag = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None) == "uq_workers_nik"


class _Clock:
    """Seconds per phase for the benchmark. ``lap`` closes a phase of the importing thread;
    ``timed`` measures a step wherever it runs (the merge thread's work overlaps the others)."""

    def __init__(self, phases: dict[str, float] | None) -> None:
        self.phases = phases
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.phases is not None:
            now = time.perf_counter()
            self.phases[name] = self.phases.get(name, 0.0) + now - self.last
            self.last = now

    @contextlib.contextmanager
    def timed(self, name: str, *, lap: bool = True) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            if self.phases is not None:
                now = time.perf_counter()
                self.phases[name] = self.phases.get(name, 0.0) + now - started
                if lap:
                    self.last = now


def _stage_and_merge(session: Session, sheet: SheetSource, today: dt.date, on_progress: Progress | None,
                     batch_rows: int, merge_rows: int, merger: _Merger, clock: _Clock) -> RowValidator:
    """Validate batch after batch; every ``merge_rows`` rows, stage them and hand their range to
    the merge thread, which merges it while this thread validates the next ones."""
    desa, districts, desa_names = repo.region_keys(session)
    validator = RowValidator(sheet.header, desa, districts, reference=today, desa_names=desa_names,
                             relationships_allowed=heir_relationships(today, merger.params))
    niks = _FileNiks(NIK_FILTER_BITS, sheet.header.names["nik"])
    twins = _FileTwins(NIK_FILTER_BITS)
    connection = repo.dbapi_connection(session)
    staged: list[StagedRow] = []
    errors: list[RowError] = []
    # The batches read stay alive until their range is staged. Freed one by one, a batch's cells
    # left the few that staged rows point at (NIK, name, phone) scattered over half-empty memory
    # pools, and every later batch was read and validated that much slower (1.000.000 rows: 8,2 s
    # against 5,8 s); freed together, whole pools come back. It costs a range of raw rows in memory
    # (~60 MiB at 100.000 rows), the same at any file size.
    held: list[list[Any]] = []
    lo = 0  # first row number of the range being gathered (0: none yet)
    hi = 0
    pending: Future[None] | None = None
    analyzed = False

    def hand_over(merge_here: bool) -> None:
        nonlocal staged, errors, held, lo, pending, analyzed
        wait()
        with clock.timed("stage"):
            repo.stage_rows(session, staged)
            repo.stage_errors(session, errors)
            repo.stage_suspects(session, niks.suspects)
            repo.stage_twins(session, twins.staged)
            if validator.heirs:
                repo.stage_heirs(session, validator.heirs)
                merger.heirs_staged += len(validator.heirs)
                validator.heirs = []
            if not analyzed:
                repo.analyze(session)
                analyzed = True
        # Staged rows whose NIK's kecamatan is not in the region list: new workers among them are
        # flagged for review, and the merge counts them only when there are any.
        flagged = len(staged) - sum(map(_DISTRICT_KNOWN, staged))
        if lo:
            if merge_here:
                with clock.timed("merge the last range"):
                    merger.merge(lo, hi, last=True, flagged=flagged)
            else:
                pending = helper.submit(merge, lo, hi, flagged)
        staged, errors, held, lo = [], [], [], 0
        niks.next_range()
        twins.next_range()

    def merge(lo: int, hi: int, flagged: int) -> None:
        with clock.timed("merge (in the merge thread, meanwhile)", lap=False):
            merger.merge(lo, hi, flagged=flagged)

    def wait() -> None:
        nonlocal pending
        if pending is not None:
            with clock.timed("wait for the merge thread"):
                pending.result()
            pending = None

    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lindung-import-merge")
    try:
        gathered = 0
        clock.lap("prepare")
        for batch in sheet.batches(batch_rows):
            if not lo:
                lo = batch[0][0]
            hi = batch[-1][0]
            start = len(staged)
            validator.validate(batch, staged, errors)
            twins.sift(niks.sift(staged, start, errors))
            held.append(batch)
            clock.lap("read, validate")
            gathered += len(batch)
            if on_progress is not None:
                on_progress(validator.counts.read, sheet.total_hint)
            if gathered >= merge_rows:
                hand_over(merge_here=False)
                gathered = 0
        hand_over(merge_here=True)
    except BaseException:
        if pending is not None and not pending.done():
            merger.stop()
            repo.cancel(connection)
        if pending is not None:
            with contextlib.suppress(BaseException):
                pending.result()
        raise
    finally:
        helper.shutdown(wait=True)
    validator.counts.refused += niks.refused
    return validator


def _at(table: bytearray, slots: list[int]) -> tuple[int, ...]:
    """The table's bytes at ``slots`` (one C call; ``itemgetter`` of one index gives no tuple)."""
    return itemgetter(*slots)(table) if len(slots) > 1 else (table[slots[0]],)


class _FileNiks:
    """Which staged rows repeat a NIK of an earlier staged row, without keeping the file's NIKs.

    Within a range, exactly: a dictionary of the range's NIKs (with their first row), emptied at
    each range, refuses a NIK that came again at once, naming its first row. Across ranges, by a
    table of ``2^bits`` one-byte slots, one per NIK by its hash: a NIK whose slot is empty is new
    to the file; one whose slot is taken is only a suspect, and the merge asks the database, where
    each NIK of an earlier range now is (a worker this import created, or ``SEEN``). So memory stays
    the same at any size of file, and the database looks at a few rows instead of remembering every
    NIK of the file. Each step is a ``map`` over a batch's column (C loops), as in validation."""

    def __init__(self, bits: int, nik_column: str) -> None:
        self.mask = (1 << bits) - 1
        self.slots = bytearray(1 << bits)
        self.column = nik_column
        self.first: dict[str, int] = {}
        self.suspects: list[int] = []
        self.refused = 0

    def next_range(self) -> None:
        self.first = {}
        self.suspects = []

    def sift(self, staged: list[StagedRow], start: int, errors: list[RowError]) -> list[StagedRow]:
        """Look at ``staged[start:]`` (one batch's valid rows) in file order: a NIK already in this
        range moves its row to ``errors``; one whose slot was taken makes its row a suspect. Returns
        the batch's rows kept, in file order."""
        batch = staged[start:]
        if not batch:
            return batch
        batch.sort(key=_ROW_NO)  # rows that a column check flagged were validated after the rest
        row_nos = list(map(_ROW_NO, batch))
        niks = list(map(_NIK, batch))
        first = self.first
        if len(set(niks)) == len(niks) and first.keys().isdisjoint(niks):
            first.update(zip(niks, row_nos, strict=True))
        else:  # a NIK came again within the range (rare): row by row
            kept: list[StagedRow] = []
            for row_no, nik, row in zip(row_nos, niks, batch, strict=True):
                earlier = first.setdefault(nik, row_no)
                if earlier == row_no:
                    kept.append(row)
                else:
                    errors.append((row_no, self.column, nik, DUPLICATE_IN_FILE, str(earlier)))
                    self.refused += 1
            staged[start:] = batch = kept
            row_nos = list(map(_ROW_NO, batch))
            niks = list(map(_NIK, batch))
            if not batch:
                return batch
        # Python's string hash: random per process, fixed within it, cached by each string.
        slots = list(map(self.mask.__and__, map(hash, niks)))
        taken = _at(self.slots, slots)
        self.suspects.extend(compress(row_nos, taken))
        deque(map(self.slots.__setitem__, slots, repeat(1)), maxlen=0)
        return batch


class _FileTwins:
    """Which staged rows may repeat an earlier staged row's person under another NIK.

    A NIK has no check digit, so a typo in its serial (the last four digits) is another valid NIK
    with the same kecamatan, birth date and sex; a list put together from several desa's lists can
    name one person twice that way, and both rows would become workers: one person covered twice.
    A row's key is its first 12 NIK digits and its name in lower case. Within a range, exactly: a
    dictionary of the range's keys (with their first row), emptied at each range, puts the rows of
    a key that comes again in one group, named by its first row (the merge skips a row it refuses
    for its NIK). Across ranges, by a table of one-byte slots chosen by each key's hash, like
    ``_FileNiks``'s, but each slot holds a mark of 1–254 (other bits of the hash) of the key that
    took it, or ``_MANY`` once keys of two marks did: a row whose slot holds its mark or ``_MANY``
    is a suspect, and the merge looks among the earlier ranges' rows. A key met before always finds
    its mark or ``_MANY``; another key rarely does (a million rows: 0,24% of rows suspected,
    against 3% with one bit per slot, and the merge's lookups for them cost 3 s). ``staged``: row
    -> (its group in the range or ``None``, whether it is a suspect)."""

    def __init__(self, bits: int) -> None:
        self.mask = (1 << bits) - 1
        self.slots = bytearray(1 << bits)
        self.first: dict[str, int] = {}
        self.staged: dict[int, tuple[int | None, bool]] = {}

    def next_range(self) -> None:
        self.first = {}
        self.staged = {}

    def sift(self, batch: list[StagedRow]) -> None:
        """Look at one batch's staged rows in file order (as ``_FileNiks.sift`` returns them)."""
        if not batch:
            return
        row_nos = list(map(_ROW_NO, batch))
        keys = list(map(str.__add__, map(_NIK_BUT_SERIAL, map(_NIK, batch)), map(str.lower, map(_NAME, batch))))
        hashes = list(map(hash, keys))
        slots = list(map(self.mask.__and__, hashes))
        marks = [(h >> 32) % 254 + 1 for h in hashes]
        table = self.slots
        held = _at(table, slots)
        for row_no in compress(row_nos, map(or_, map(eq, held, marks), map(eq, held, repeat(_MANY)))):
            self.staged[row_no] = (None, True)
        first = self.first
        if len(set(keys)) == len(keys) and first.keys().isdisjoint(keys):
            first.update(zip(keys, row_nos, strict=True))
        else:  # a person came again within the range (rare): row by row
            staged = self.staged
            for key, row_no in zip(keys, row_nos, strict=True):
                earlier = first.setdefault(key, row_no)
                if earlier != row_no:
                    staged[row_no] = (earlier, row_no in staged)
                    staged[earlier] = (earlier, staged.get(earlier, (None, False))[1])
        for slot, mark in zip(slots, marks, strict=True):  # in order: two keys of the batch may share a slot
            now = table[slot]
            if now != mark:
                table[slot] = _MANY if now else mark


class _Merger:
    """Merges staged ranges in file order and keeps what earlier ranges took (quota, budget)."""

    def __init__(self, session: Session, agreement: Agreement, first: Month, last: Month, *, by: Actor,
                 today: dt.date, source: str, params: ParameterSet, clock: _Clock) -> None:
        self.session = session
        self.clock = clock
        self.params = params
        self.heirs_staged = 0  # heirs of the file staged so far (counted before their range is merged)
        self.heirs_added = self.heirs_kept = 0
        self.heirs_kept_rows: list[int] = []
        self.needs_review = 0  # new workers flagged for review
        self.agreement_id, self.code = agreement.id, agreement.code
        self.first, self.last = first, last
        costs = span_costs(agreement, first, params)
        repo.set_prices(session, costs, TRANSPORT, OTHER)
        self.before = repo.before(session, agreement.id)
        _status, enrolled, quota, committed, budget = enrolments.counters(session, agreement.id)
        self.enrolled_before, self.committed_before = enrolled, committed
        self.places, self.money = quota - enrolled, budget - committed
        self.how = repo.Enrolling(
            agreement_id=agreement.id, first=first.index, last=last.index,
            provenance_id=audit.provenance(session, actor=by, source=source).id,
            lowest_income=lowest_income(today, params), review_reason=REVIEW_NIK_DISTRICT_UNKNOWN,
            max_worker_id=self.before.max_worker_id)
        self.offered = self.offered_cost = 0  # candidates of earlier ranges, before quota and budget
        self.enrolled = self.cost = self.new_workers = 0
        self.duplicates = 0  # rows refused for a NIK of an earlier range
        self.twins_across: list[tuple[int, str]] = []  # (row, NIK): the person of a worker from an earlier range
        self._matches_analyzed = False
        self._stopped = False
        self.seconds = 0.0

    def stop(self) -> None:
        self._stopped = True

    def _go_on(self) -> None:
        if self._stopped:
            raise KeyboardInterrupt

    def merge(self, lo: int, hi: int, *, last: bool = False, flagged: int = 0) -> None:
        """Merge the staged rows ``lo``..``hi`` (runs in the merge thread or, for the ``last`` range,
        in the importing one; never both at once). ``flagged``: how many of them have a NIK whose
        kecamatan is not in the region list."""
        s, b, timed = self.session, self.before, self.clock.timed
        self._go_on()
        with timed("· duplicates", lap=False):
            self.duplicates += repo.refuse_duplicates(s, lo, hi, self.how.provenance_id)
        existing = False
        if b.max_worker_id:
            self._go_on()
            with timed("· registered workers", lap=False):
                existing = repo.match_existing(s, lo, hi, b.max_worker_id) > 0
                if existing and not self._matches_analyzed:
                    # The staged rows' statistics were taken before any row had a worker: without
                    # new ones, PostgreSQL takes the matched rows for one and checks each against
                    # every enrolment of the agreement (a 26.000-row file sent again: 60 s, not 0,1 s).
                    repo.analyze(s)
                    self._matches_analyzed = True
                self._refuse_other_people(lo, hi, existing=existing)
                if existing:
                    repo.mark_enrolled_and_overlaps(s, lo, hi, self.agreement_id, self.first.index,
                                                    self.last.index)
        self._go_on()
        with timed("· same person twice in the file", lap=False):
            self._refuse_twins(lo, hi)
        if b.target_occupations or b.target_regions:
            self._go_on()
            with timed("· targets", lap=False):
                repo.refuse_outside_targets(s, lo, hi, self.agreement_id, occupations=b.target_occupations,
                                            regions=b.target_regions)
        self._go_on()
        with timed("· quota, budget", lap=False):
            count, cost = repo.candidates(s, lo, hi)
            places, money = self.places - self.offered, self.money - self.offered_cost
            self.offered += count
            self.offered_cost += cost
            if count > places or cost > money:
                repo.refuse_beyond(s, lo, hi, places, money)
                count, cost = repo.candidates(s, lo, hi)
        if count:
            self._go_on()
            with timed("· workers, enrolments", lap=False):
                self.new_workers += repo.insert(s, lo, hi, self.how, existing=existing)
                if flagged:
                    self.needs_review += repo.new_flagged(s, lo, hi)
            self.enrolled += count
            self.cost += cost
        if self.heirs_staged:
            self._go_on()
            with timed("· heirs", lap=False):
                heirs = repo.record_heirs(s, lo, hi, self.how,
                                          keep_rows=HEIRS_KEPT_ROWS - len(self.heirs_kept_rows))
                self.heirs_added += heirs.added
                self.heirs_kept += heirs.kept
                self.heirs_kept_rows += heirs.kept_rows
        if not last:  # no later range asks
            with timed("· duplicates", lap=False):
                repo.remember(s, lo, hi)

    def _refuse_other_people(self, lo: int, hi: int, *, existing: bool) -> None:
        """The NIK is the key of the registry and has no check digit, so a typo in its serial (the
        last four digits) is another valid NIK with the same kecamatan, birth date and sex. Against
        the workers registered before the import, the name then tells: a row whose NIK is registered
        under a clearly different name is someone else's NIK; a row that would be a new worker but
        has a registered worker's name under a NIK with another serial is that worker, typed wrong
        (``workers.names``). Both are refused for the sponsor to check the ID card: either would
        cover one person twice, or the wrong one. The database finds the few pairs to compare."""
        s = self.session
        if existing:
            differing = repo.names_differing(s, lo, hi)
            repo.refuse_other_names(s, [row for row, in_file, registered in differing
                                        if not may_be_same_person(in_file, registered)])
        seems: dict[int, str] = {}
        for row, in_file, registered, number in repo.serial_neighbours(s, lo, hi, self.before.max_worker_id):
            if row not in seems and may_be_same_person(in_file, registered):
                seems[row] = mask_nik(number)
        repo.refuse_other_serials(s, list(seems.items()))

    def _refuse_twins(self, lo: int, hi: int) -> None:
        """A row that would be a new worker, with the name (ignoring case) of an earlier staged row
        whose NIK differs only in the serial, is refused naming the first such row, whatever became
        of it: the sponsor checks the ID card, as for a NIK that comes twice. Rows of earlier ranges
        first (``_FileTwins`` suspects): a worker this import registered (then it is the first: every
        later row of that person was refused) or a row that did not become one (``SEEN``); then the
        first row of the range with the row's key."""
        s = self.session
        worker: dict[int, str] = {}
        for row, name, other, nik in repo.twins_registered(s, lo, hi, self.how.provenance_id):
            if row not in worker and name.lower() == other.lower():
                worker[row] = nik
        seen: dict[int, int] = {}
        for row, name, other, earlier in repo.twins_seen(s, lo, hi):
            if row not in worker and name.lower() == other.lower():
                seen[row] = min(earlier, seen.get(row, earlier))
        repo.refuse_twins(s, worker, seen.items())
        self.twins_across += worker.items()
        repo.refuse_twins_in_range(s, lo, hi)

    def finish(self, sheet: SheetSource, *, read: int, refused_early: int, file: str, dry_run: bool) -> ImportSummary:
        s = self.session
        if self.enrolled and not enrolments.reserve(s, self.agreement_id, workers=self.enrolled, cost=self.cost):
            # Unreachable while the agreement row is locked (PostgreSQL) or the write transaction
            # is exclusive (SQLite); kept so that a broken assumption fails loudly, rolled back.
            _status, enrolled, quota, committed, budget = enrolments.counters(s, self.agreement_id)
            if enrolled + self.enrolled > quota:
                raise QuotaExceeded(agreement=self.code, quota=quota, enrolled=enrolled)
            raise BudgetExceeded(agreement=self.code, budget=budget, committed=committed, cost=self.cost,
                                 left=budget - committed)
        if self.duplicates or self.twins_across:
            repo.name_first_rows(s, self.twins_across)
        repo.collect_refusals(s, sheet.header.names["nik"])
        states = repo.outcome(s)
        already = states.get(repo.ALREADY, 0)
        refused_late = sum(n for state, n in states.items() if state >= repo.DUPLICATE)
        return ImportSummary(agreement=self.code, file=file, read=read, enrolled=self.enrolled,
                             already_enrolled=already, refused=refused_early + refused_late,
                             new_workers=self.new_workers, committed_cost=self.cost, sheet=sheet.sheet,
                             import_id=None if dry_run else self.how.provenance_id, heirs=self.heirs_added,
                             heirs_kept=self.heirs_kept, heirs_kept_rows=tuple(self.heirs_kept_rows),
                             needs_review=self.needs_review, dry_run=dry_run,
                             refused_by_reason={code.removeprefix("import."): n
                                                for code, n in repo.reason_counts(s).items()})


def _facts(summary: ImportSummary) -> dict[str, object]:
    """An import (or its check) as its audit entry states it."""
    return {"file": summary.file, "read": summary.read, "enrolled": summary.enrolled,
            "already": summary.already_enrolled, "refused": summary.refused, "heirs": summary.heirs}


def record_check(session: Session, summary: ImportSummary, *, by: Actor) -> None:
    """The audit entry of a dry run (``--check``), written after its own transaction was rolled back:
    who checked which file against which agreement, and what an import would have done."""
    agreement = sponsors.get_agreement(session, summary.agreement)
    audit.record(session, actor=by, action="enrolment.import_check", subject_type="agreement",
                 subject_id=agreement.id, data=_facts(summary))

"""Bulk enrolment from a sponsor's spreadsheet: read, validate, stage, merge, in one transaction.

1. The file is opened and its header matched (``importer_read``); a file that cannot be read is
   an ``ImportFileError`` before anything touches the database.
2. Rows are validated in batches, column at a time (``importer_rows``); valid rows stream into a
   TEMP staging table (``executemany`` on SQLite, ``COPY`` on PostgreSQL), refused rows into a TEMP
   error table. Memory stays flat whatever the size of the file.
3. The merge is set-based SQL (``importer_repository``): duplicates within the file, workers already
   registered (birth date and sex must agree), rows already enrolled in this agreement (counted, not
   refused: importing the same file again adds nothing), overlaps with another agreement (refused
   naming it), the target group, then quota and budget in file order; new workers and all the
   enrolments are inserted with the committed cost of the span from a two-row price table
   (``enrolment.service.span_costs``, i.e. ``monthly_price_table`` per sector).
4. The agreement's counters move through the same conditional UPDATE as a one-at-a-time enrolment
   (``enrolment.repository.reserve``), so the quota and budget rule lives in one place and the
   CHECK constraints back it up.

The service never commits: the caller's unit of work does, and rolls everything back if anything
raises (including KeyboardInterrupt); a killed process leaves an open transaction that the database
discards. NIKs are never logged; the error rows carry the values of the sponsor's own file.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.enrolment import importer_repository as repo
from lindung.enrolment import repository as enrolments
from lindung.enrolment.errors import AgreementNotOpen, AgreementPeriodOver, BudgetExceeded, QuotaExceeded
from lindung.enrolment.importer_read import SheetSource, open_sheet
from lindung.enrolment.importer_rows import RowError, RowValidator, StagedRow
from lindung.enrolment.service import default_first_month, span_costs
from lindung.kit.db import utcnow
from lindung.kit.i18n import t
from lindung.kit.money import rp
from lindung.rules.contributions import OTHER, TRANSPORT
from lindung.rules.params import ParameterSet, default_parameters
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import Agreement
from lindung.workers.service import REVIEW_NIK_DISTRICT_UNKNOWN, lowest_income

BATCH_ROWS = 20_000

Progress = Callable[[int, int], None]
"""(rows read so far, rough total or 0): called after every batch; raising from it aborts."""


@dataclass(frozen=True, slots=True)
class ImportSummary:
    agreement: str
    file: str
    read: int
    enrolled: int
    already_enrolled: int
    refused: int
    new_workers: int
    committed_cost: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_workers(
    session: Session,
    path: str | os.PathLike[str],
    agreement_code: str,
    *,
    by: str,
    today: dt.date,
    source: str | None = None,
    params: ParameterSet | None = None,
    on_progress: Progress | None = None,
    on_errors: Callable[[Iterator[RowError]], None] | None = None,
    batch_rows: int = BATCH_ROWS,
    phases: dict[str, float] | None = None,
) -> ImportSummary:
    """Import a sponsor file into ``agreement_code`` (flushes; the caller's unit of work commits).

    ``on_errors`` receives every refused row (row, column, value, message code, detail) in file
    order, while the staging tables still exist; without it they are only counted. ``phases``, when
    given, receives the seconds spent in each phase (the benchmark prints them).
    """
    clock = _Clock(phases)
    params = params or default_parameters()
    by = sponsors.normalize_person(by)
    sheet = open_sheet(path)
    agreement = sponsors.get_agreement(session, agreement_code, for_update=True)
    if agreement.status not in sponsors.OPEN_STATUSES:
        raise AgreementNotOpen(agreement=agreement.code, status=agreement.status)
    first = default_first_month(agreement, today, params)
    last = Month.from_index(agreement.end_month)
    if first > last:
        raise AgreementPeriodOver(agreement=agreement.code, end=str(last))
    # Before any overlap check: from here until the commit no one else writes enrolments.
    enrolments.lock_for_bulk_enrolment(session)
    source = source or f"import:{os.path.basename(os.fspath(path))}"[:100]

    # The TEMP tables are created inside the transaction: if anything below raises, the caller's
    # rollback removes them with everything else.
    repo.create_staging(session)
    tuned = repo.tune_for_bulk(session)
    try:
        validator = _stage(session, sheet, today, on_progress, batch_rows)
        clock.lap("read, validate, stage")
        summary = _merge(session, sheet, agreement, first, last, by=by, today=today,
                         source=source, params=params, read=validator.counts.read,
                         refused_early=validator.counts.refused, file=os.path.basename(os.fspath(path)),
                         clock=clock)
        if on_errors is not None:
            on_errors(repo.iter_errors(session))
        clock.lap("error rows")
    finally:
        repo.untune(session, tuned)
    repo.drop_staging(session)
    audit.record(session, actor=by, action="enrolment.import", subject_type="agreement",
                 subject_id=agreement.id,
                 detail=f"{summary.file}: read {summary.read}, enrolled {summary.enrolled}, "
                        f"already {summary.already_enrolled}, refused {summary.refused}")
    clock.lap("clean up")
    return summary


class _Clock:
    def __init__(self, phases: dict[str, float] | None) -> None:
        self.phases = phases
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.phases is not None:
            now = time.perf_counter()
            self.phases[name] = self.phases.get(name, 0.0) + now - self.last
            self.last = now


def _stage(session: Session, sheet: SheetSource, today: dt.date, on_progress: Progress | None,
           batch_rows: int) -> RowValidator:
    desa, districts = repo.region_keys(session)
    validator = RowValidator(sheet.header, desa, districts, reference=today)
    # The loop makes millions of short-lived lists and tuples and no reference cycles: the cyclic
    # collector would only walk the live batches again and again (a third of the reading time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for batch in sheet.batches(batch_rows):
            staged: list[StagedRow] = []
            errors: list[RowError] = []
            validator.validate(batch, staged, errors)
            repo.stage_rows(session, staged)
            repo.stage_errors(session, errors)
            if on_progress is not None:
                on_progress(validator.counts.read, sheet.total_hint)
    finally:
        if collecting:
            gc.enable()
    return validator


def _merge(session: Session, sheet: SheetSource, agreement: Agreement, first: Month, last: Month, *,
           by: str, today: dt.date, source: str, params: ParameterSet, read: int, refused_early: int,
           file: str, clock: _Clock) -> ImportSummary:
    agreement_id, code = agreement.id, agreement.code
    costs = span_costs(agreement, first, params)
    repo.set_prices(session, costs, TRANSPORT, OTHER)
    repo.prepare(session)
    repo.refuse_duplicates(session)
    if repo.match_existing(session):
        repo.mark_enrolled_and_overlaps(session, agreement_id, first.index, last.index)
    repo.refuse_outside_targets(session, agreement_id)
    clock.lap("index staged rows, checks")

    _status, enrolled, quota, committed, budget = enrolments.counters(session, agreement_id)
    count, cost = repo.candidates(session)
    if count > quota - enrolled or cost > budget - committed:
        repo.refuse_beyond(session, quota - enrolled, budget - committed)
        count, cost = repo.candidates(session)
    clock.lap("index staged rows, checks")
    new_workers = 0
    if count:
        new_workers = repo.count_new(session)
        repo.insert(session, agreement_id=agreement_id, first=first.index, last=last.index, by=by,
                    at=utcnow(), source=source, lowest_income=lowest_income(today, params),
                    review_reason=REVIEW_NIK_DISTRICT_UNKNOWN)
        if not enrolments.reserve(session, agreement_id, workers=count, cost=cost):
            # Unreachable while the agreement row is locked (PostgreSQL) or the write transaction
            # is exclusive (SQLite); kept so that a broken assumption fails loudly, rolled back.
            if enrolled + count > quota:
                raise QuotaExceeded(agreement=code, quota=quota, enrolled=enrolled)
            raise BudgetExceeded(agreement=code, budget=rp(budget), committed=rp(committed), cost=rp(cost),
                                 left=rp(budget - committed))
    clock.lap("insert workers, enrolments")
    repo.collect_refusals(session, sheet.header.names["nik"])
    states = repo.outcome(session)
    already = states.get(repo.ALREADY, 0)
    refused_late = sum(n for state, n in states.items() if state >= repo.DUPLICATE)
    return ImportSummary(agreement=code, file=file, read=read, enrolled=count, already_enrolled=already,
                         refused=refused_early + refused_late, new_workers=new_workers,
                         committed_cost=cost if count else 0)


def render_error(error: RowError, lang: str = "id") -> tuple[int, str, str, str]:
    """(row, column, value, reason in ``lang``) for the error file."""
    row, column, value, code, detail = error
    return row, column, value, t(code, lang, value=value, detail=detail, column=column)

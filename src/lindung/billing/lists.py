"""The lists a branch works from, each as typed rows (``schemas``; the CLI writes them as CSV).

- ``overdue_bills(at)``            bills whose due date is before ``at`` with worker-months still due;
- ``agreements_with_unpaid(at)``   per agreement, the worker-months whose own due date (the rules'
                                   due date of that month) is before ``at`` and that are still due;
- ``protection_ending(at, days)``  workers whose protection (the rules' ``protected_until``) ends
                                   between ``at`` and ``at + days``; SQL narrows the candidates,
                                   ``contribution_history`` decides;
- ``lapsing(at, days)``            workers in arrears whose membership ends between ``at`` and
                                   ``at + days`` unless their oldest arrears month is paid (its
                                   window closes then); SQL narrows, ``contribution_history`` decides;
- ``statements(sponsor)``          per agreement: billed, cancelled, settled, received, credit,
                                   refunds, outstanding.

A sponsor's staff get their sponsor's rows only, filtered in the repository's queries: its bills and
agreements, and the workers whose row names one of its agreements (the month their protection ends
in, the oldest arrears they are chased for), with the sums of its own bills; NIKs masked unless
unmasked by a user who may (``worker.read_nik``). A region's viewer sees no list (aggregates only).

Each list is also given a page at a time (``*_page``, for the API): overdue, unpaid and statement cut
in SQL (a count and a LIMIT/OFFSET); ending and lapsing after the rules have decided on every
candidate, reading (and, unmasked, auditing) only the page's workers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.billing import repository as repo
from lindung.billing.schemas import EndingRow, LapsingRow, OverdueRow, StatementRow, UnpaidRow
from lindung.kit import lokal
from lindung.kit.auth import Actor
from lindung.kit.listing import CsvList, coded
from lindung.kit.numbers import DAYS_MAX, whole_number
from lindung.kit.paging import Paged, Window
from lindung.kit.privacy import mask_nik
from lindung.rules.coverage import arrears_of, contribution_history, due_date
from lindung.rules.params import ParameterSet, default_parameters
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import AGREEMENT_STATUSES

NextWorkingDay = Callable[[dt.date], tuple[dt.date, bool]]
_T = TypeVar("_T")

OVERDUE_COLUMNS = tuple(OverdueRow.model_fields)
UNPAID_COLUMNS = tuple(UnpaidRow.model_fields)
ENDING_COLUMNS = tuple(EndingRow.model_fields)
LAPSING_COLUMNS = tuple(LapsingRow.model_fields)
STATEMENT_COLUMNS = tuple(StatementRow.model_fields)

# The lists as a reader gets them: headers and coded values in their language (``kit.listing``); the
# rows hold codes, identifiers, ISO dates and whole numbers.
OVERDUE = CsvList(OVERDUE_COLUMNS)
UNPAID = CsvList(UNPAID_COLUMNS)
ENDING = CsvList(ENDING_COLUMNS)
LAPSING = CsvList(LAPSING_COLUMNS)
STATEMENT = CsvList(STATEMENT_COLUMNS, {"status": coded("registry.status", AGREEMENT_STATUSES)})


def _no_region_viewer(by: Actor, what: str) -> None:
    """A region's viewer has aggregates only: no list of bills or workers (``bill.read`` is not theirs
    either; this holds should a branch give it to them)."""
    if by.scope.region_code is not None:
        by.require_unscoped(what)


def overdue_bills(session: Session, at: dt.date, *, by: Actor) -> list[OverdueRow]:
    return _overdue(session, at, by=by, window=None)[0]


def overdue_page(session: Session, at: dt.date, window: Window, *, by: Actor) -> Paged[OverdueRow]:
    """A page of ``overdue_bills``, cut in SQL."""
    return Paged(*_overdue(session, at, by=by, window=window), window)


def _overdue(session: Session, at: dt.date, *, by: Actor, window: Window | None) -> tuple[list[OverdueRow], int]:
    by.require("bill.read")
    _no_region_viewer(by, "overdue")
    found, total = repo.overdue_bills(session, at, by.scope, window)
    return [OverdueRow(payment_code=bill.payment_code, agreement=agreement, sponsor=sponsor, sponsor_name=sponsor_name,
                       cycle_from=Month.from_index(bill.cycle_start), cycle_to=Month.from_index(bill.cycle_end),
                       seq=bill.seq, due_date=bill.due_date, days_overdue=(at - bill.due_date).days, total=bill.total,
                       unpaid_worker_months=bill.worker_months - bill.settled_months - bill.cancelled_months,
                       unpaid=bill.total - bill.settled - bill.cancelled)
            for bill, agreement, sponsor, sponsor_name in found], total


def last_month_past_due(at: dt.date, *, params: ParameterSet | None = None,
                        next_working_day: NextWorkingDay | None = None) -> Month:
    """The latest month whose contribution was due before ``at`` (due dates rise with the months)."""
    now = Month.of(at)
    due = due_date(now, next_working_day=next_working_day or lokal.next_working_day, params=params)
    return now if due.date < at else now - 1


def agreements_with_unpaid(session: Session, at: dt.date, *, by: Actor, params: ParameterSet | None = None,
                           next_working_day: NextWorkingDay | None = None) -> list[UnpaidRow]:
    return _unpaid(session, at, by=by, window=None, params=params, next_working_day=next_working_day)[0]


def unpaid_page(session: Session, at: dt.date, window: Window, *, by: Actor, params: ParameterSet | None = None,
                next_working_day: NextWorkingDay | None = None) -> Paged[UnpaidRow]:
    """A page of ``agreements_with_unpaid``, cut in SQL."""
    return Paged(*_unpaid(session, at, by=by, window=window, params=params, next_working_day=next_working_day),
                 window)


def _unpaid(session: Session, at: dt.date, *, by: Actor, window: Window | None, params: ParameterSet | None,
            next_working_day: NextWorkingDay | None) -> tuple[list[UnpaidRow], int]:
    by.require("bill.read")
    _no_region_viewer(by, "unpaid")
    through = last_month_past_due(at, params=params, next_working_day=next_working_day)
    found, total = repo.unpaid_by_agreement(session, through.index, by.scope, window)
    return [UnpaidRow(agreement=code, sponsor=sponsor, sponsor_name=name, unpaid_worker_months=int(n), workers=int(w),
                      first_month=Month.from_index(first), last_month=Month.from_index(last), unpaid=int(amount))
            for code, sponsor, name, n, w, first, last, amount in found], total


def protection_ending(session: Session, at: dt.date, *, by: Actor, days: int = 30, unmask: bool = False,
                      params: ParameterSet | None = None) -> list[EndingRow]:
    """Workers protected on ``at`` whose protection ends on or before ``at + days`` (rules.md 2.3, 2.5).
    A sponsor's staff: those whose last paid month was billed to their sponsor."""
    return _ending(session, at, by=by, days=days, unmask=unmask, params=params, window=None)[0]


def ending_page(session: Session, at: dt.date, window: Window, *, by: Actor, days: int = 30, unmask: bool = False,
                params: ParameterSet | None = None) -> Paged[EndingRow]:
    """A page of ``protection_ending``: the rules decide on every candidate SQL finds, and only the
    page's workers are read (and, unmasked, audited)."""
    return Paged(*_ending(session, at, by=by, days=days, unmask=unmask, params=params, window=window), window)


def _ending(session: Session, at: dt.date, *, by: Actor, days: int, unmask: bool, params: ParameterSet | None,
            window: Window | None) -> tuple[list[EndingRow], int]:
    by.require("bill.read", "worker.read", *(("worker.read_nik",) if unmask else ()))
    _no_region_viewer(by, "ending")
    days = whole_number(days, "days", minimum=0, maximum=DAYS_MAX)
    until = at + dt.timedelta(days=days)
    grace: int = (params or default_parameters()).at("contribution.arrears_grace_months", at).value
    found: list[tuple[int, dt.date, int, Month]] = []
    for worker_id, months in repo.protection_end_candidates(
            session, at=at, first_month=Month.of(at).index, last_month=Month.of(until).index, grace=grace,
            scope=by.scope):
        history = contribution_history({Month.from_index(m): paid for m, paid in months}, at, params=params)
        end = history.protected_until
        if end is not None and at <= end <= until:
            found.append((worker_id, end, history.contribution_months, Month.of(end)))
    scoped = by.scope.sponsor_id is not None
    agreements = repo.agreement_of_month(session, [(f[0], f[3].index) for f in found], by.scope) if scoped else {}
    if scoped:  # the month it ends in was billed to another sponsor
        found = [f for f in found if (f[0], f[3].index) in agreements]
    found.sort(key=lambda x: (x[1], x[0]))
    total = len(found)
    found = _cut(found, window)
    if not scoped:
        agreements = repo.agreement_of_month(session, [(f[0], f[3].index) for f in found], by.scope)
    people = repo.workers_by_ids(session, [f[0] for f in found])
    if unmask and found:
        audit.record(session, actor=by, action="list.unmask", subject_type="list", subject_id=0,
                     data={"list": "ending", "at": at.isoformat(), "days": days, "shown": len(found)})
    rows = []
    for worker_id, end, months_paid, last_paid in found:
        w = people[worker_id]
        rows.append(EndingRow(nik=w.nik if unmask else mask_nik(w.nik), name=w.name,
                              agreement=agreements.get((worker_id, last_paid.index), ""), protected_until=end,
                              days_left=(end - at).days, contribution_months=months_paid, last_paid_month=last_paid))
    return rows, total


def _cut(found: list[_T], window: Window | None) -> list[_T]:
    return found if window is None else found[window.offset:window.offset + window.limit]


def lapsing(session: Session, at: dt.date, *, by: Actor, days: int = 30, unmask: bool = False,
            params: ParameterSet | None = None, next_working_day: NextWorkingDay | None = None) -> list[LapsingRow]:
    """Workers in arrears whose membership ends between ``at`` and ``at + days`` unless the oldest
    month in arrears is paid: on the last day of that month's arrears window (rules.md 2.3). The
    arrears are the months of the running membership unpaid past their due date; the row names the
    oldest one's bill, so that the branch can chase its sponsor, and sums them all. A sponsor's staff:
    the months in arrears billed to their sponsor, the oldest of them named."""
    return _lapsing(session, at, by=by, days=days, unmask=unmask, params=params, next_working_day=next_working_day,
                    window=None)[0]


def lapsing_page(session: Session, at: dt.date, window: Window, *, by: Actor, days: int = 30, unmask: bool = False,
                 params: ParameterSet | None = None, next_working_day: NextWorkingDay | None = None
                 ) -> Paged[LapsingRow]:
    """A page of ``lapsing``: the rules decide on every candidate SQL finds, and only the page's
    workers are read (and, unmasked, audited)."""
    return Paged(*_lapsing(session, at, by=by, days=days, unmask=unmask, params=params,
                           next_working_day=next_working_day, window=window), window)


def _lapsing(session: Session, at: dt.date, *, by: Actor, days: int, unmask: bool, params: ParameterSet | None,
             next_working_day: NextWorkingDay | None, window: Window | None) -> tuple[list[LapsingRow], int]:
    by.require("bill.read", "worker.read", *(("worker.read_nik",) if unmask else ()))
    _no_region_viewer(by, "lapsing")
    days = whole_number(days, "days", minimum=0, maximum=DAYS_MAX)
    params = params or default_parameters()
    working_day = next_working_day or lokal.next_working_day
    until = at + dt.timedelta(days=days)
    grace: int = params.at("contribution.arrears_grace_months", at).value
    own = by.scope.sponsor_id
    # A month's window ends on the last day of month + grace - 1: the months whose window ends in
    # [at, until] are these.
    first, last = Month.of(at) - (grace - 1), Month.of(until) - (grace - 1)
    found: list[tuple[dt.date, int, dict[str, object]]] = []
    for worker_id, lines in repo.lapse_candidates(session, at=at, first_month=first.index, last_month=last.index,
                                                  scope=by.scope):
        paid_on = {Month.from_index(x.month): x.paid_on for x in lines if x.status == "paid" and x.paid_on}
        history = contribution_history(paid_on, at, params=params)
        owed = arrears_of(history, at, next_working_day=working_day, params=params)
        # The membership ends when the oldest month owed can no longer be paid; the row sums the
        # billed months owed and names the oldest one's bill (a month never billed has none to chase).
        billed = {x.month: x for x in lines if own is None or x.sponsor_id == own}
        arrears = [billed[m.index] for m, _until in owed if m.index in billed]
        if not arrears:
            continue
        oldest = arrears[0]
        deadline = owed[0][1]
        if at <= deadline <= until:
            found.append((deadline, worker_id, {
                "agreement": oldest.agreement, "arrears_from": owed[0][0],
                "arrears_months": len(arrears), "arrears": sum(x.amount for x in arrears),
                "payable_until": deadline, "days_left": (deadline - at).days,
                "payment_code": oldest.payment_code, "contribution_months": history.contribution_months}))
    found.sort(key=lambda x: (x[0], x[1]))
    total = len(found)
    found = _cut(found, window)
    people = repo.workers_by_ids(session, [f[1] for f in found])
    if unmask and found:
        audit.record(session, actor=by, action="list.unmask", subject_type="list", subject_id=0,
                     data={"list": "lapsing", "at": at.isoformat(), "days": days, "shown": len(found)})
    rows = []
    for _deadline, worker_id, row in found:
        w = people[worker_id]
        rows.append(LapsingRow.model_validate({"nik": w.nik if unmask else mask_nik(w.nik), "name": w.name, **row}))
    return rows, total


def statements(session: Session, sponsor: str | None = None, *, by: Actor) -> list[StatementRow]:
    """Per agreement (of ``sponsor``, or every sponsor's; a sponsor's staff: their own)."""
    return _statements(session, sponsor, by=by, window=None)[0]


def statement_page(session: Session, sponsor: str | None, window: Window, *, by: Actor) -> Paged[StatementRow]:
    """A page of ``statements``, cut in SQL."""
    return Paged(*_statements(session, sponsor, by=by, window=window), window)


def _statements(session: Session, sponsor: str | None, *, by: Actor, window: Window | None
                ) -> tuple[list[StatementRow], int]:
    by.require("bill.read")
    _no_region_viewer(by, "statement")
    sponsor_id = sponsors.get_sponsor(session, sponsor, by.scope).id if sponsor else None
    found, total = repo.statements(session, sponsor_id, by.scope, window)
    return [StatementRow.model_validate(dict(zip(STATEMENT_COLUMNS, (*row[:4], *(int(v) for v in row[4:])),
                                                 strict=True)))
            for row in found], total

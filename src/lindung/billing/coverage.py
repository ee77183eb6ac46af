"""Was this worker protected on this date, and why.

One indexed query reads the worker's live ledger lines (``repository.ledger_of``: the partial
unique index on ``(worker_id, month)``); the rules decide everything else:

- ``rules.coverage.covered_at(at, paid_on)`` — the event decision (rules.md 2.3, Decision);
- ``rules.coverage.contribution_history(paid_on, at)`` — month states, memberships, lapse after
  the arrears window, the masa iur of the current membership and ``protected_until``;
- ``rules.coverage.arrears_of(history, at)`` — months of the current membership unpaid past their due
  date whose window is still open, each with the last day it may be paid. ``protected_until`` is the end
  of the unbroken paid run, so a worker whose November is unpaid and December paid is protected in
  December yet "without a break only until 31 October": the arrears say why, and until when November
  can still be paid.

A full NIK is shown only with ``unmask``, and that view is written to the audit log (by worker id).

An answer for a past day (``--at``) knows what was known then (docs/decisions/0028-coverage-as-of.md):
the months, ``protected_until``, the masa iur and the arrears leave out payments made and bills issued
after it (``payments_after``/``bills_after`` count them, and the CLI says so). Only the decision on an
event reads today's ledger, because the event policy counts a payment made after the event up to the
month's due date; a payment made later is named only to say that it does not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.billing import repository as repo
from lindung.billing.schemas import (
    Arrears,
    Coverage,
    CoverageMonth,
    CoveredWorker,
    Decision,
    DueDate,
    Membership,
)
from lindung.enrolment.models import Enrolment
from lindung.kit import lokal
from lindung.kit.auth import Actor
from lindung.kit.privacy import mask_nik
from lindung.rules.coverage import (
    ContributionHistory,
    EventCoverage,
    MonthState,
    arrears_of,
    contribution_history,
    covered_at,
    due_date,
)
from lindung.rules.params import ParameterSet
from lindung.rules.period import Month
from lindung.workers import service as workers
from lindung.workers.models import Worker

NextWorkingDay = Callable[[dt.date], tuple[dt.date, bool]]

# How a month reads on screen: the rules' states, with "lapsed" for a month unpaid past its window.
STATE_LABELS = {MonthState.PAID: "paid", MonthState.PAID_LATE: "paid_late", MonthState.GRACE: "grace",
                MonthState.UNPAID: "lapsed", MonthState.OUTSIDE: "outside",
                MonthState.TOO_LATE: "paid_too_late"}
FUTURE = "future"


def _decision(d: EventCoverage) -> Decision:
    return Decision(event=d.event, month=d.month, covered=d.covered, reason=d.reason.value, paid_on=d.paid_on,
                    due=DueDate(month=d.due.month, due_date=d.due.date, nominal=d.due.nominal,
                                holidays_known=d.due.holidays_known, reference=d.due.source.reference),
                    policy=str(d.policy.value), reference=d.policy.reference)


def coverage(session: Session, nik: str, *, at: dt.date, by: Actor, unmask: bool = False,
             params: ParameterSet | None = None, next_working_day: NextWorkingDay | None = None) -> Coverage:
    """Whether the worker was protected on ``at``, why, and their months (a sponsor's staff: only a
    worker their sponsor enrolled; a month another sponsor was billed for shows its state and payment
    day, not that sponsor's agreement, bill or amount)."""
    by.require("bill.read", "worker.read", *(("worker.read_nik",) if unmask else ()))
    worker = workers.get(session, nik, today=at, scope=by.scope)
    if unmask:
        audit.record(session, actor=by, action="coverage.unmask", subject_type="worker", subject_id=worker.id)
    return _coverage(session, worker, at=at, by=by, unmask=unmask, params=params, next_working_day=next_working_day)


def coverage_by_ref(session: Session, ref: str, *, at: dt.date, by: Actor, params: ParameterSet | None = None,
                    next_working_day: NextWorkingDay | None = None) -> Coverage:
    """``coverage`` of the worker a ref (``workers.refs``) names, masked: the worker's page and the
    coverage check that came from it (a ref in an address, never a NIK). A ref the reader's scope does
    not reach is not found, as in ``workers.get_by_ref``."""
    by.require("bill.read", "worker.read")
    worker = workers.get_by_ref(session, ref, scope=by.scope)
    return _coverage(session, worker, at=at, by=by, unmask=False, params=params, next_working_day=next_working_day)


STRIP_STATES = {"paid": "paid", "paid_late": "paid_late", "grace": "grace", "lapsed": "lapsed",
                "outside": "lapsed", "paid_too_late": "lapsed", FUTURE: "not_due"}
"""A month's state (``CoverageMonth.state``) as one of the five a coverage strip shows: a month that
protected nothing (unpaid past its window, outside a membership, paid only after its window) reads
as lapsed; a month not yet due on that day as not due."""


def strip_state(state: str) -> str:
    """``STRIP_STATES``' name for a month's state (``paid``, ``paid_late``, ``grace``, ``lapsed``, ``not_due``)."""
    return STRIP_STATES.get(state, "lapsed")


def _coverage(session: Session, worker: Worker, *, at: dt.date, by: Actor, unmask: bool,
              params: ParameterSet | None, next_working_day: NextWorkingDay | None) -> Coverage:
    ledger = repo.ledger_of(session, worker.id)
    death = repo.death_of(session, worker.id)
    # Today's knowledge, for the event decision: the policy itself says which payments count (made by
    # the event, or by the month's due date, which may be after ``at``).
    paid_on = {Month.from_index(line.month): line.paid_on for line in ledger
               if line.status == "paid" and line.paid_on is not None}
    working_day = next_working_day or lokal.next_working_day
    decision = covered_at(at, paid_on, next_working_day=working_day, params=params)
    # Everything else as it stood on ``at``: contribution_history counts the payments made by then.
    history = contribution_history(paid_on, at, params=params)
    arrears = arrears_of(history, at, next_working_day=working_day, params=params)
    billed = [line for line in ledger if line.issued_on is None or line.issued_on <= at]
    by_month = {line.month: line for line in billed}
    own = by.scope.sponsor_id
    now = Month.of(at)
    first = min([*by_month, *(m.index for m in history.months)], default=now.index)
    last = max([*by_month, *(m.index for m in history.months), now.index])
    months = []
    for index in range(first, last + 1):
        m = Month.from_index(index)
        state = history.months.get(m)
        if state is None:
            label = FUTURE if m > now else STATE_LABELS[MonthState.OUTSIDE]
        elif state is MonthState.GRACE and due_date(m, next_working_day=working_day, params=params).date >= at:
            label = FUTURE  # unpaid, but not yet due on that day
        else:
            label = STATE_LABELS[state]
        line = by_month.get(index)
        paid = line.paid_on if line is not None and line.paid_on is not None and line.paid_on <= at else None
        status = None if line is None else ("paid" if paid is not None else ("due" if line.status == "paid"
                                                                              else line.status))
        shown = line is not None and (own is None or line.sponsor_id == own)
        months.append(CoverageMonth(month=m, state=label, billed=line is not None, line=status,
                                    amount=line.amount if shown and line else None, paid_on=paid,
                                    agreement=line.agreement if shown and line else None,
                                    payment_code=line.payment_code if shown and line else None))
    later = sum(1 for d in paid_on.values() if d > at)
    died_on = death.died_on if death else None
    return Coverage(
        worker=CoveredWorker(nik=worker.nik if unmask else mask_nik(worker.nik), masked=not unmask, name=worker.name,
                             died_on=died_on),
        at=at, payments_after=later, bills_after=len(ledger) - len(billed),
        protected=decision.covered and (died_on is None or at <= died_on), decision=_decision(decision),
        protected_until=history.protected_until, contribution_months=history.contribution_months,
        memberships=[Membership(start=x.start, end=x.end, ended_on=x.ended_on, paid_months=x.paid_months)
                     for x in history.memberships],
        arrears_grace_months=history.grace.value,
        arrears=[Arrears(month=month, payable_until=until) for month, until in arrears], months=months)


@dataclass(frozen=True)
class EventFacts:
    """What a claim needs to know of a worker on an event day (no permission of its own: the claims
    service that asks has checked its reader's). ``enrolment`` is the enrolment whose span holds the
    event month (not cancelled), else None; ``latest`` the worker's latest such enrolment, for a claim
    to be filed under when none holds the event."""

    decision: EventCoverage
    history: ContributionHistory
    died_on: dt.date | None
    line: repo.LedgerMonth | None
    enrolment: Enrolment | None
    latest: Enrolment | None


def event_facts(session: Session, worker_id: int, event: dt.date, *, params: ParameterSet | None = None,
                next_working_day: NextWorkingDay | None = None) -> EventFacts:
    """The coverage decision on ``event`` (``rules.coverage.covered_at`` on today's ledger), the
    contribution history as it stood that day, a recorded death, and the enrolment of the event month."""
    ledger = repo.ledger_of(session, worker_id)
    paid_on = {Month.from_index(line.month): line.paid_on for line in ledger
               if line.status == "paid" and line.paid_on is not None}
    working_day = next_working_day or lokal.next_working_day
    decision = covered_at(event, paid_on, next_working_day=working_day, params=params)
    history = contribution_history(paid_on, event, params=params)
    death = repo.death_of(session, worker_id)
    month = Month.of(event).index
    line = next((x for x in ledger if x.month == month), None)
    spans = repo.enrolment_spans(session, worker_id)
    holding = next((e for e in spans if e.first_month <= month <= e.last_month), None)
    return EventFacts(decision, history, death.died_on if death else None, line, holding,
                      spans[-1] if spans else None)


@dataclass(frozen=True)
class Protection:
    """Whether a worker is protected on a day and until when (the end of the current membership's
    unbroken paid run): what a public answer or a membership card may say, with nothing else."""

    protected: bool
    until: dt.date | None


def protection_of(session: Session, worker_id: int, *, at: dt.date, params: ParameterSet | None = None,
                  next_working_day: NextWorkingDay | None = None) -> Protection:
    """The same decision as ``coverage`` (its ``protected`` and ``protected_until``) for a worker id, with no
    reader: for the public pages (the coverage check, a card's verification), which must not learn more.
    A worker id that names nobody reads an empty ledger and is not protected (the same work either way)."""
    ledger = repo.ledger_of(session, worker_id)
    death = repo.death_of(session, worker_id)
    paid_on = {Month.from_index(line.month): line.paid_on for line in ledger
               if line.status == "paid" and line.paid_on is not None}
    working_day = next_working_day or lokal.next_working_day
    decision = covered_at(at, paid_on, next_working_day=working_day, params=params)
    history = contribution_history(paid_on, at, params=params)
    died_on = death.died_on if death else None
    protected = decision.covered and (died_on is None or at <= died_on)
    until = history.protected_until
    if died_on is not None and until is not None:
        until = min(until, died_on)
    return Protection(protected, until if protected else None)

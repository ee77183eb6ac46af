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
from typing import Any

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.billing import repository as repo
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

NextWorkingDay = Callable[[dt.date], tuple[dt.date, bool]]

# How a month reads on screen: the rules' states, with "lapsed" for a month unpaid past its window.
STATE_LABELS = {MonthState.PAID: "paid", MonthState.PAID_LATE: "paid_late", MonthState.GRACE: "grace",
                MonthState.UNPAID: "lapsed", MonthState.OUTSIDE: "outside",
                MonthState.TOO_LATE: "paid_too_late"}
FUTURE = "future"


@dataclass(frozen=True, slots=True)
class CoverageMonth:
    month: Month
    state: str
    line: str | None  # ledger status: due / paid, None when never billed
    amount: int | None
    paid_on: dt.date | None
    agreement: str | None
    payment_code: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"month": str(self.month), "state": self.state, "billed": self.line is not None,
                "line": self.line, "amount": self.amount,
                "paid_on": self.paid_on.isoformat() if self.paid_on else None,
                "agreement": self.agreement, "payment_code": self.payment_code}


@dataclass(frozen=True)
class Coverage:
    worker_id: int
    nik: str
    masked: bool
    name: str
    at: dt.date
    died_on: dt.date | None
    decision: EventCoverage
    history: ContributionHistory
    months: tuple[CoverageMonth, ...]
    arrears: tuple[tuple[Month, dt.date], ...] = ()
    """(month unpaid past its due date, last day its arrears may be paid), oldest first."""
    payments_after: int = 0
    """Months paid after ``at`` (known today, not then): left out of ``months``, the history and the arrears."""
    bills_after: int = 0
    """Months billed after ``at``: left out of ``months``."""

    @property
    def protected(self) -> bool:
        """The event decision, and the worker alive on that date."""
        return self.decision.covered and (self.died_on is None or self.at <= self.died_on)

    def to_dict(self) -> dict[str, Any]:
        h = self.history
        return {
            "worker": {"nik": self.nik, "masked": self.masked, "name": self.name,
                       "died_on": self.died_on.isoformat() if self.died_on else None},
            "at": self.at.isoformat(),
            "payments_after": self.payments_after,
            "bills_after": self.bills_after,
            "protected": self.protected,
            "decision": self.decision.to_dict(),
            "protected_until": h.protected_until.isoformat() if h.protected_until else None,
            "contribution_months": h.contribution_months,
            "memberships": [{"start": str(m.start), "end": str(m.end) if m.end else None,
                             "ended_on": m.ended_on.isoformat() if m.ended_on else None,
                             "paid_months": m.paid_months} for m in h.memberships],
            "arrears_grace_months": h.grace.value,
            "arrears": [{"month": str(m), "payable_until": until.isoformat()} for m, until in self.arrears],
            "months": [m.to_dict() for m in self.months],
        }


def coverage(session: Session, nik: str, *, at: dt.date, by: Actor, unmask: bool = False,
             params: ParameterSet | None = None, next_working_day: NextWorkingDay | None = None) -> Coverage:
    """Whether the worker was protected on ``at``, why, and their months (a sponsor's staff: only a
    worker their sponsor enrolled)."""
    by.require("bill.read", "worker.read", *(("worker.read_nik",) if unmask else ()))
    worker = workers.get(session, nik, today=at, scope=by.scope)
    if unmask:
        audit.record(session, actor=by, action="coverage.unmask", subject_type="worker", subject_id=worker.id)
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
        months.append(CoverageMonth(m, label, status, line.amount if line else None, paid,
                                    line.agreement if line else None, line.payment_code if line else None))
    later = sum(1 for d in paid_on.values() if d > at)
    return Coverage(worker.id, worker.nik if unmask else mask_nik(worker.nik), not unmask, worker.name, at,
                    death.died_on if death else None, decision, history, tuple(months), arrears,
                    payments_after=later, bills_after=len(ledger) - len(billed))

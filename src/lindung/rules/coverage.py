"""Due dates, coverage at an event, the contribution period (masa iur) and lapse (rules.md 2.3, 2.5).

Pure: which months were paid and on which day comes in; the working-day calendar is passed in
as a function (``kit.lokal.next_working_day`` in production), so no I/O happens here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from lindung.rules.errors import ParameterError
from lindung.rules.explain import Component
from lindung.rules.params import ParameterSet, Value, default_parameters
from lindung.rules.period import Month

NextWorkingDay = Callable[[dt.date], tuple[dt.date, bool]]


def _weekend_only(day: dt.date) -> tuple[dt.date, bool]:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day, False


@dataclass(frozen=True, slots=True)
class DueDate:
    month: Month
    date: dt.date
    nominal: dt.date
    holidays_known: bool
    source: Value

    def to_dict(self) -> dict[str, Any]:
        return {"month": str(self.month), "due_date": self.date.isoformat(),
                "nominal": self.nominal.isoformat(), "holidays_known": self.holidays_known,
                "reference": self.source.reference}


def due_date(month: Month, *, next_working_day: NextWorkingDay | None = None,
             params: ParameterSet | None = None) -> DueDate:
    """The contribution for ``month`` is due on the due day of that month, moved forward to the
    next working day. ``holidays_known`` is False when the calendar only knew weekends."""
    params = params or default_parameters()
    source = params.at("contribution.due_day", month.first_day())
    nominal = month.day(source.value)
    moved, known = (next_working_day or _weekend_only)(nominal)
    return DueDate(month, moved, nominal, known, source)


class Reason(StrEnum):
    PAID_BY_EVENT = "paid_by_event"
    PAID_BY_DUE_DATE = "paid_by_due_date"
    PAID_AFTER_EVENT = "paid_after_event_and_due_date"
    UNPAID = "unpaid"


@dataclass(frozen=True, slots=True)
class EventCoverage:
    """Whether an event on ``event`` is covered, and why (rules.md 2.3, Decision)."""

    event: dt.date
    month: Month
    covered: bool
    reason: Reason
    paid_on: dt.date | None
    due: DueDate
    policy: Value

    def component(self) -> Component:
        paid = self.paid_on.isoformat() if self.paid_on else "-"
        return Component.of("coverage", 0, f"{self.month}: {self.reason.value} (paid {paid}, due "
                            f"{self.due.date.isoformat()}, event {self.event.isoformat()})",
                            self.policy, self.due.source)

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.event.isoformat(), "month": str(self.month), "covered": self.covered,
                "reason": self.reason.value, "paid_on": self.paid_on.isoformat() if self.paid_on else None,
                "due": self.due.to_dict(), "policy": self.policy.value, "reference": self.policy.reference}


def covered_at(event: dt.date, paid_on: Mapping[Month, dt.date], *,
               next_working_day: NextWorkingDay | None = None,
               params: ParameterSet | None = None) -> EventCoverage:
    """An event on D in month M is covered when M's contribution was paid on or before D, or by M's
    due date. A later payment of arrears does not cover an event that happened while M was unpaid."""
    params = params or default_parameters()
    month = Month.of(event)
    policy = params.at("coverage.event_policy", event)
    if policy.value != "paid_by_event_or_due_date":
        raise ParameterError("coverage/event_policy.yaml", str(event), f"unknown policy {policy.value!r}")
    due = due_date(month, next_working_day=next_working_day, params=params)
    paid = paid_on.get(month)
    if paid is None:
        reason, covered = Reason.UNPAID, False
    elif paid <= event:
        reason, covered = Reason.PAID_BY_EVENT, True
    elif paid <= due.date:
        reason, covered = Reason.PAID_BY_DUE_DATE, True
    else:
        reason, covered = Reason.PAID_AFTER_EVENT, False
    return EventCoverage(event, month, covered, reason, paid, due, policy)


class MonthState(StrEnum):
    PAID = "paid"
    PAID_LATE = "paid_late"  # arrears paid within the grace window
    GRACE = "grace"  # unpaid, arrears may still be paid
    UNPAID = "unpaid"  # unpaid and past the grace window: the membership ended
    TOO_LATE = "paid_too_late"  # paid only after its arrears window: it protected nothing
    OUTSIDE = "outside"  # before the first paid month, or after a lapse with nothing paid again


@dataclass(frozen=True, slots=True)
class Membership:
    start: Month
    end: Month | None  # last paid month of an ended membership
    ended_on: dt.date | None  # the day arrears could no longer be paid
    paid_months: int


@dataclass(frozen=True)
class ContributionHistory:
    """Month-by-month state as known on ``as_of``, the memberships, and the current masa iur."""

    as_of: dt.date
    months: dict[Month, MonthState]
    memberships: tuple[Membership, ...]
    grace: Value

    @property
    def current(self) -> Membership | None:
        m = self.memberships[-1] if self.memberships else None
        return m if m is not None and m.ended_on is None else None

    @property
    def contribution_months(self) -> int:
        """Masa iur: paid months of the current membership up to ``as_of``'s month (0 when none)."""
        return self.current.paid_months if self.current else 0

    def arrears_deadline(self, month: Month) -> dt.date:
        """The last day on which ``month`` may still be paid and count (the end of its arrears window)."""
        return arrears_deadline(month, self.grace.value)

    @property
    def protected_until(self) -> dt.date | None:
        """Last day of the last paid month of the current membership's unbroken paid run."""
        cur = self.current
        if cur is None:
            return None
        last: Month | None = None
        m = cur.start
        while self.months.get(m) in (MonthState.PAID, MonthState.PAID_LATE):
            last = m
            m = m + 1
        return last.last_day() if last else None


def arrears_deadline(month: Month, grace_months: int) -> dt.date:
    """The end of ``month``'s arrears window: ``grace_months`` months counted from it."""
    return (month + (grace_months - 1)).last_day()


def contribution_history(paid_on: Mapping[Month, dt.date], as_of: dt.date, *,
                         params: ParameterSet | None = None) -> ContributionHistory:
    """Walk the months from the first paid one to ``as_of``'s month (and on through months paid ahead).

    A month counts when it is paid by ``as_of`` and within its arrears window (``grace`` months
    counted from it, i.e. until the end of month m + grace − 1). A month still unpaid when its
    window closes ends the membership on that window's last day; the next month paid in time
    starts a new one from zero. A payment made after a month's window protects nothing, and
    starts nothing.
    """
    params = params or default_parameters()
    grace = params.at("contribution.arrears_grace_months", as_of)
    window: int = grace.value
    known = {m: d for m, d in paid_on.items() if d <= as_of}
    states: dict[Month, MonthState] = {}
    memberships: list[Membership] = []
    if not known:
        return ContributionHistory(as_of, states, (), grace)
    first, last = min(known), Month.of(as_of)
    start: Month | None = None
    last_paid: Month | None = None
    count = 0
    m, end = first, max(last, max(known))
    while m <= end:
        paid = known.get(m)
        deadline = arrears_deadline(m, window)
        if paid is not None and paid <= deadline:
            if start is None:
                start, count = m, 0
            if m <= last:
                count += 1
            last_paid = m
            states[m] = MonthState.PAID if paid <= m.last_day() else MonthState.PAID_LATE
        elif start is None:
            # No membership runs: a month paid after its arrears window buys no protection and
            # starts nothing (arrears cannot reach back further than the window).
            states[m] = MonthState.OUTSIDE if paid is None else MonthState.TOO_LATE
        elif paid is not None or deadline < as_of:
            # Unpaid when its arrears window closed: the membership ended on that day.
            states[m] = MonthState.UNPAID if paid is None else MonthState.TOO_LATE
            memberships.append(Membership(start, last_paid, deadline, count))
            start, last_paid, count = None, None, 0
        else:
            states[m] = MonthState.GRACE
        m = m + 1
    if start is not None:
        memberships.append(Membership(start, None, None, count))
    return ContributionHistory(as_of, states, tuple(memberships), grace)


def arrears_of(history: ContributionHistory, at: dt.date, *, next_working_day: NextWorkingDay | None = None,
               params: ParameterSet | None = None) -> tuple[tuple[Month, dt.date], ...]:
    """The months of the running membership unpaid past their due date on ``at`` (the grace state),
    oldest first, each with the last day it may still be paid (rules.md 2.3)."""
    return tuple((m, history.arrears_deadline(m)) for m, state in sorted(history.months.items())
                 if state is MonthState.GRACE
                 and due_date(m, next_working_day=next_working_day, params=params).date < at)

"""The lists a branch works from, each as rows of plain values (the CLI writes them as CSV).

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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.billing import repository as repo
from lindung.kit import lokal
from lindung.kit.auth import Actor
from lindung.kit.listing import CsvList, coded
from lindung.kit.numbers import DAYS_MAX, whole_number
from lindung.kit.privacy import mask_nik
from lindung.rules.coverage import arrears_of, contribution_history, due_date
from lindung.rules.params import ParameterSet, default_parameters
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import AGREEMENT_STATUSES

NextWorkingDay = Callable[[dt.date], tuple[dt.date, bool]]
Row = dict[str, Any]

OVERDUE_COLUMNS = ("payment_code", "agreement", "sponsor", "sponsor_name", "cycle_from", "cycle_to", "seq",
                   "due_date", "days_overdue", "total", "unpaid_worker_months", "unpaid")
UNPAID_COLUMNS = ("agreement", "sponsor", "sponsor_name", "unpaid_worker_months", "workers", "first_month",
                  "last_month", "unpaid")
ENDING_COLUMNS = ("nik", "name", "agreement", "protected_until", "days_left", "contribution_months",
                  "last_paid_month")
LAPSING_COLUMNS = ("nik", "name", "agreement", "arrears_from", "arrears_months", "arrears", "payable_until",
                   "days_left", "payment_code", "contribution_months")
STATEMENT_COLUMNS = ("sponsor", "sponsor_name", "agreement", "status", "billed", "cancelled", "settled",
                     "received", "payments", "credit", "refunds", "outstanding")

# The lists as a reader gets them: headers and coded values in their language (``kit.listing``); the
# rows hold codes, identifiers, ISO dates and whole numbers.
OVERDUE = CsvList(OVERDUE_COLUMNS)
UNPAID = CsvList(UNPAID_COLUMNS)
ENDING = CsvList(ENDING_COLUMNS)
LAPSING = CsvList(LAPSING_COLUMNS)
STATEMENT = CsvList(STATEMENT_COLUMNS, {"status": coded("registry.status", AGREEMENT_STATUSES)})


def overdue_bills(session: Session, at: dt.date, *, by: Actor) -> list[Row]:
    by.require("bill.read")
    by.require_unscoped("overdue")
    out = []
    for bill, agreement, sponsor, sponsor_name in repo.overdue_bills(session, at):
        out.append({"payment_code": bill.payment_code, "agreement": agreement, "sponsor": sponsor,
                    "sponsor_name": sponsor_name, "cycle_from": str(Month.from_index(bill.cycle_start)),
                    "cycle_to": str(Month.from_index(bill.cycle_end)), "seq": bill.seq,
                    "due_date": bill.due_date.isoformat(), "days_overdue": (at - bill.due_date).days,
                    "total": bill.total,
                    "unpaid_worker_months": bill.worker_months - bill.settled_months - bill.cancelled_months,
                    "unpaid": bill.total - bill.settled - bill.cancelled})
    return out


def last_month_past_due(at: dt.date, *, params: ParameterSet | None = None,
                        next_working_day: NextWorkingDay | None = None) -> Month:
    """The latest month whose contribution was due before ``at`` (due dates rise with the months)."""
    now = Month.of(at)
    due = due_date(now, next_working_day=next_working_day or lokal.next_working_day, params=params)
    return now if due.date < at else now - 1


def agreements_with_unpaid(session: Session, at: dt.date, *, by: Actor, params: ParameterSet | None = None,
                           next_working_day: NextWorkingDay | None = None) -> list[Row]:
    by.require("bill.read")
    by.require_unscoped("unpaid")
    through = last_month_past_due(at, params=params, next_working_day=next_working_day)
    return [{"agreement": code, "sponsor": sponsor, "sponsor_name": name, "unpaid_worker_months": int(n),
             "workers": int(w), "first_month": str(Month.from_index(first)), "last_month": str(Month.from_index(last)),
             "unpaid": int(amount)}
            for code, sponsor, name, n, w, first, last, amount in repo.unpaid_by_agreement(session, through.index)]


def protection_ending(session: Session, at: dt.date, *, by: Actor, days: int = 30, unmask: bool = False,
                      params: ParameterSet | None = None) -> Iterator[Row]:
    """Workers protected on ``at`` whose protection ends on or before ``at + days`` (rules.md 2.3, 2.5)."""
    by.require("bill.read", "worker.read", *(("worker.read_nik",) if unmask else ()))
    by.require_unscoped("ending")
    days = whole_number(days, "days", minimum=0, maximum=DAYS_MAX)
    until = at + dt.timedelta(days=days)
    grace: int = (params or default_parameters()).at("contribution.arrears_grace_months", at).value
    found: list[tuple[int, dt.date, int, Month]] = []
    for worker_id, months in repo.protection_end_candidates(
            session, at=at, first_month=Month.of(at).index, last_month=Month.of(until).index, grace=grace):
        history = contribution_history({Month.from_index(m): paid for m, paid in months}, at, params=params)
        end = history.protected_until
        if end is not None and at <= end <= until:
            found.append((worker_id, end, history.contribution_months, Month.of(end)))
    found.sort(key=lambda x: (x[1], x[0]))
    people = repo.workers_by_ids(session, [f[0] for f in found])
    agreements = repo.agreement_of_month(session, [(f[0], f[3].index) for f in found])
    if unmask and found:
        audit.record(session, actor=by, action="list.unmask", subject_type="list", subject_id=0,
                     data={"list": "ending", "at": at.isoformat(), "days": days, "shown": len(found)})
    for worker_id, end, months_paid, last_paid in found:
        w = people[worker_id]
        yield {"nik": w.nik if unmask else mask_nik(w.nik), "name": w.name,
               "agreement": agreements.get((worker_id, last_paid.index), ""), "protected_until": end.isoformat(),
               "days_left": (end - at).days, "contribution_months": months_paid, "last_paid_month": str(last_paid)}


def lapsing(session: Session, at: dt.date, *, by: Actor, days: int = 30, unmask: bool = False,
            params: ParameterSet | None = None, next_working_day: NextWorkingDay | None = None) -> Iterator[Row]:
    """Workers in arrears whose membership ends between ``at`` and ``at + days`` unless the oldest
    month in arrears is paid: on the last day of that month's arrears window (rules.md 2.3). The
    arrears are the months of the running membership unpaid past their due date; the row names the
    oldest one's bill, so that the branch can chase its sponsor, and sums them all."""
    by.require("bill.read", "worker.read", *(("worker.read_nik",) if unmask else ()))
    by.require_unscoped("lapsing")
    days = whole_number(days, "days", minimum=0, maximum=DAYS_MAX)
    params = params or default_parameters()
    working_day = next_working_day or lokal.next_working_day
    until = at + dt.timedelta(days=days)
    grace: int = params.at("contribution.arrears_grace_months", at).value
    # A month's window ends on the last day of month + grace - 1: the months whose window ends in
    # [at, until] are these.
    first, last = Month.of(at) - (grace - 1), Month.of(until) - (grace - 1)
    found: list[tuple[dt.date, int, Row]] = []
    for worker_id, lines in repo.lapse_candidates(session, at=at, first_month=first.index, last_month=last.index):
        paid_on = {Month.from_index(x.month): x.paid_on for x in lines if x.status == "paid" and x.paid_on}
        history = contribution_history(paid_on, at, params=params)
        owed = arrears_of(history, at, next_working_day=working_day, params=params)
        # The membership ends when the oldest month owed can no longer be paid; the row sums the
        # billed months owed and names the oldest one's bill (a month never billed has none to chase).
        billed = {x.month: x for x in lines}
        arrears = [billed[m.index] for m, _until in owed if m.index in billed]
        if not arrears:
            continue
        oldest = arrears[0]
        deadline = owed[0][1]
        if at <= deadline <= until:
            found.append((deadline, worker_id, {
                "agreement": oldest.agreement, "arrears_from": str(owed[0][0]),
                "arrears_months": len(arrears), "arrears": sum(x.amount for x in arrears),
                "payable_until": deadline.isoformat(), "days_left": (deadline - at).days,
                "payment_code": oldest.payment_code, "contribution_months": history.contribution_months}))
    found.sort(key=lambda x: (x[0], x[1]))
    people = repo.workers_by_ids(session, [f[1] for f in found])
    if unmask and found:
        audit.record(session, actor=by, action="list.unmask", subject_type="list", subject_id=0,
                     data={"list": "lapsing", "at": at.isoformat(), "days": days, "shown": len(found)})
    for _deadline, worker_id, row in found:
        w = people[worker_id]
        yield {"nik": w.nik if unmask else mask_nik(w.nik), "name": w.name, **row}


def statements(session: Session, sponsor: str | None = None, *, by: Actor) -> list[Row]:
    by.require("bill.read")
    by.require_unscoped("statement")
    sponsor_id = sponsors.get_sponsor(session, sponsor).id if sponsor else None
    return [dict(zip(STATEMENT_COLUMNS, (*row[:4], *(int(v) for v in row[4:])), strict=True))
            for row in repo.statements(session, sponsor_id)]

"""Billing for the Kabupaten Bekasi demo: bills month by month up to today, each sponsor paying its way.

The story is derived from today's date and each agreement's start month, so it holds on any date:

- **Kadin** (one bill a year) pays every bill in full a few days before its due date. One of its
  workers dies (JKM) on the 10th of the agreement's fifth month; the months already paid after the
  death month are refunded or credited as the agreement's ``after_death`` says.
- **The regency** (APBD, monthly bills) pays a few days before each due date, except that its
  third month is paid five weeks late (arrears within the window: continuity is restored, but an
  event in that month between the due date and the payment is not covered), and its eleventh
  month is still outstanding (before that month is due, its latest month is): so one month is
  always owed, and a later run never pays, after the fact, a month an earlier run showed unpaid.
- **The CSR company** (half-yearly bills) pays its first bill partially: a round transfer a little
  below the total, which settles whole worker-months oldest first; the rest of that bill stays
  unpaid and what is left of the transfer (less than a worker-month) is the sponsor's credit. It
  pays later bills in full.

Everything goes through the billing services the CLI calls (``issue_bills``, ``pay``,
``record_death``), in date order, month by month: bills on the month's first working day, then
that month's payments and death. A payment is known by its bank reference and a death by its
worker, so running the demo again records nothing twice; bills are idempotent by themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lindung.billing import coverage as coverage_service
from lindung.billing import ends, lists
from lindung.billing import repository as billing_repo
from lindung.billing import service as billing
from lindung.billing.models import Bill, CreditEntry, Payment, Refund
from lindung.enrolment.models import Enrolment
from lindung.kit import lokal
from lindung.kit.privacy import mask_nik
from lindung.rules.catalogues import occupation as find_occupation
from lindung.rules.period import Month
from lindung.sponsors import repository as sponsors_repo
from lindung.sponsors.models import Agreement
from lindung.workers.models import Heir, Worker

KADIN, REGENCY_FARMERS, CSR_FISHERS = "KADIN-2026", "BEKASI-TANI-2026", "CSR-NELAYAN-2026"
_ROUND_TRANSFER = 100_000  # sponsors transfer round amounts: a multiple of Rp100.000
_EVENT_AFTER_DUE = dt.timedelta(days=7)  # the uncovered event: a week after the late month's due date


@dataclass(frozen=True)
class Payer:
    """How a demo sponsor pays its bills (cycles are counted from 0 at the agreement's start)."""

    bank: str  # prefix of its bank references
    days_early: int  # pays this many days before the due date (on the working day at or before it)
    late_cycle: int | None = None  # this cycle is paid late ...
    days_late: int = 0  # ... this many days after its due date
    partial_cycle: int | None = None  # this cycle is paid partially ...
    partial_percent: int = 0  # ... about this share of its total, rounded down to a round transfer
    unpaid_cycle: int | None = None  # this cycle (or the latest due, while it is not due yet) is left unpaid


PAYERS: dict[str, Payer] = {
    KADIN: Payer("BNI", days_early=5),
    REGENCY_FARMERS: Payer("BJB", days_early=3, late_cycle=2, days_late=35, unpaid_cycle=10),
    CSR_FISHERS: Payer("MANDIRI", days_early=2, partial_cycle=0, partial_percent=98),
}
DEATH_AGREEMENT = KADIN
DEATH_MONTHS_AFTER_START = 4  # the worker dies in the agreement's fifth month ...
DEATH_DAY = 10  # ... on the 10th
DEATH_RECORDED_AFTER = dt.timedelta(days=4)  # the family reports it a few days later


@dataclass(frozen=True)
class PlannedPayment:
    reference: str
    payment_code: str
    paid_on: dt.date
    amount: int | None  # None: whatever is outstanding on the bill when it is paid


@dataclass(frozen=True)
class PlannedDeath:
    worker_id: int
    nik: str
    died_on: dt.date
    recorded_on: dt.date


def demo_agreements(session: Session) -> list[Agreement]:
    """The demo's agreements that exist, in the story's order."""
    return [a for code in PAYERS if (a := sponsors_repo.agreement_by_code(session, code)) is not None]


# --- the working-day calendar -------------------------------------------------------------------


def working_day_on_or_before(day: dt.date) -> dt.date:
    while not lokal.is_working_day(day)[0]:
        day -= dt.timedelta(days=1)
    return day


def issue_day(month: Month, today: dt.date) -> dt.date:
    """Bills for ``month`` are issued on its first working day (never after today)."""
    return min(lokal.next_working_day(month.first_day())[0], today)


def death_date(agreement: Agreement) -> dt.date:
    return Month.from_index(agreement.start_month + DEATH_MONTHS_AFTER_START).day(DEATH_DAY)


# --- the plan -----------------------------------------------------------------------------------


def reference_of(payer: Payer, agreement: Agreement, bill: Bill) -> str:
    month = Month.from_index(bill.cycle_start)
    return f"{payer.bank}-{agreement.code}-{month.year:04d}{month.month:02d}" + (
        f"-{bill.seq}" if bill.seq > 1 else "")


def bills_of(session: Session, agreement: Agreement) -> list[Bill]:
    return billing_repo.bills_of(session, agreement.id, ending_after=agreement.start_month - 1)


def cycle_of(agreement: Agreement, month_index: int) -> int:
    """0 for the agreement's first billing cycle, 1 for the next …"""
    return (month_index - agreement.start_month) // agreement.billing_cycle_months


def unpaid_cycle(agreement: Agreement, today: dt.date) -> int | None:
    """The cycle the sponsor has left unpaid on ``today``, if its story has one."""
    payer = PAYERS[agreement.code]
    cycles = billing.cycles_due(agreement, Month.of(today))
    if payer.unpaid_cycle is None or not cycles:
        return None
    return min(payer.unpaid_cycle, cycle_of(agreement, cycles[-1][0]))


def plan_payments(session: Session, agreement: Agreement, today: dt.date) -> list[PlannedPayment]:
    """The payments the agreement's sponsor has made by ``today`` on its bills, as the story says."""
    payer = PAYERS[agreement.code]
    unpaid = unpaid_cycle(agreement, today)
    out: list[PlannedPayment] = []
    for bill in bills_of(session, agreement):
        cycle = cycle_of(agreement, bill.cycle_start)
        if cycle == unpaid:
            continue
        if cycle == payer.late_cycle:
            paid_on = lokal.next_working_day(bill.due_date + dt.timedelta(days=payer.days_late))[0]
            if paid_on > today:
                continue  # not paid yet
        else:
            early = working_day_on_or_before(bill.due_date - dt.timedelta(days=payer.days_early))
            paid_on = min(max(early, bill.issued_on), today)
        amount = None
        if cycle == payer.partial_cycle:
            share = bill.total * payer.partial_percent // 100
            amount = share - share % _ROUND_TRANSFER or None
        out.append(PlannedPayment(reference_of(payer, agreement, bill), bill.payment_code, paid_on, amount))
    return out


def _death_worker(session: Session, agreement: Agreement) -> Worker | None:
    """The agreement's first enrolled worker with an heir (deterministic: lowest enrolment id)."""
    worker_id = session.scalar(
        select(Enrolment.worker_id).where(Enrolment.agreement_id == agreement.id)
        .where(select(Heir.worker_id).where(Heir.worker_id == Enrolment.worker_id).exists())
        .order_by(Enrolment.id).limit(1))
    return session.get(Worker, worker_id) if worker_id is not None else None


def plan_death(session: Session, today: dt.date) -> PlannedDeath | None:
    agreement = sponsors_repo.agreement_by_code(session, DEATH_AGREEMENT)
    if agreement is None or agreement.start_month + DEATH_MONTHS_AFTER_START > agreement.end_month:
        return None
    died_on = death_date(agreement)
    worker = _death_worker(session, agreement)
    if worker is None or died_on > today:
        return None
    return PlannedDeath(worker.id, worker.nik, died_on, min(died_on + DEATH_RECORDED_AFTER, today))


# --- bringing billing up to date ----------------------------------------------------------------


def bring_up_to_date(session: Session, today: dt.date, *, by: str) -> dict[str, int]:
    """Issue the demo agreements' bills due up to today's month and record the story's payments
    and death, in date order; returns what was added (all zero when nothing was missing)."""
    added = {"bills": 0, "worker_months": 0, "payments": 0, "deaths": 0}
    agreements = demo_agreements(session)
    if not agreements:
        return added
    ids = [a.id for a in agreements]
    first = min(a.start_month for a in agreements)
    last = min(Month.of(today).index, max(a.end_month for a in agreements))
    death = plan_death(session, today)
    for index in range(first, last + 1):
        month = Month.from_index(index)
        run = billing.issue_bills(session, month, today=issue_day(month, today), by=by, agreement_ids=ids)
        added["bills"] += len(run.bills)
        added["worker_months"] += run.worker_months
        session.expire_all()  # counters were updated in SQL: read the bills afresh
        events: list[tuple[dt.date, str, PlannedPayment | PlannedDeath]] = [
            (p.paid_on, p.reference, p) for a in agreements for p in plan_payments(session, a, today)
            if Month.of(p.paid_on) == month]
        if death is not None and Month.of(death.recorded_on) == month:
            events.append((death.recorded_on, "", death))
        for _day, _key, event in sorted(events, key=lambda e: (e[0], e[1])):
            if isinstance(event, PlannedDeath):
                added["deaths"] += _record_death(session, event, by=by)
            else:
                added["payments"] += _pay(session, event, by=by)
    return added


def _pay(session: Session, plan: PlannedPayment, *, by: str) -> int:
    if billing_repo.payment_by_reference(session, billing.normalize_reference(plan.reference)) is not None:
        return 0
    bill = billing_repo.bill_by_code(session, plan.payment_code)
    assert bill is not None
    session.refresh(bill)
    outstanding = bill.total - bill.settled - bill.cancelled
    amount = outstanding if plan.amount is None else min(plan.amount, outstanding)
    if amount <= 0:
        return 0
    billing.pay(session, code=plan.payment_code, amount=amount, reference=plan.reference, paid_on=plan.paid_on,
                today=plan.paid_on, by=by)
    return 1


def _record_death(session: Session, plan: PlannedDeath, *, by: str) -> int:
    if billing_repo.death_of(session, plan.worker_id) is not None:
        return 0
    ends.record_death(session, plan.nik, died_on=plan.died_on, by=by, today=plan.recorded_on)
    session.expire_all()
    return 1


# --- what the tour shows ------------------------------------------------------------------------


def _bill_view(session: Session, bill: Bill) -> dict[str, Any]:
    payments = billing_repo.payments_for_bill(session, bill.id)
    unpaid = bill.total - bill.settled - bill.cancelled
    state = "paid" if unpaid == 0 else "partial" if bill.settled > 0 else "unpaid"
    start, end = Month.from_index(bill.cycle_start), Month.from_index(bill.cycle_end)
    return {"payment_code": bill.payment_code, "cycle": str(start) if start == end else f"{start}–{end}",
            "first_month": str(start), "last_month": str(end), "seq": bill.seq, "issued_on": bill.issued_on.isoformat(),
            "due_date": bill.due_date.isoformat(), "worker_months": bill.worker_months, "total": bill.total,
            "settled": bill.settled, "cancelled": bill.cancelled, "unpaid": unpaid,
            "unpaid_worker_months": bill.worker_months - bill.settled_months - bill.cancelled_months,
            "state": state,
            "payments": [{"reference": p.reference, "receipt": p.receipt_no, "paid_on": p.paid_on.isoformat(),
                          "amount": p.amount, "late": p.paid_on > bill.due_date} for p in payments]}


def _shown_codes(bills: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A couple of payment codes worth looking at: the latest bill not fully paid, then the latest
    bill paid late, else the latest bill paid."""
    open_ = [b for b in bills if b["state"] != "paid"]
    late = [b for b in bills if any(p["late"] for p in b["payments"])]
    paid = [b for b in bills if b["state"] == "paid"]
    shown = open_[-1:] + (late[-1:] or paid[-1:])
    return shown[:2]


def agreement_billing(session: Session, agreement: Agreement, statement: dict[str, Any]) -> dict[str, Any]:
    bills = [_bill_view(session, b) for b in bills_of(session, agreement)]
    return {
        "code": agreement.code,
        "status": agreement.status,
        "cycle_months": agreement.billing_cycle_months,
        "after_death": agreement.after_death,
        "bills": len(bills),
        "bills_paid": sum(b["state"] == "paid" for b in bills),
        "bills_partial": sum(b["state"] == "partial" for b in bills),
        "bills_unpaid": sum(b["state"] == "unpaid" for b in bills),
        "worker_months": sum(b["worker_months"] for b in bills),
        **{k: int(statement[k]) for k in ("billed", "cancelled", "settled", "received", "payments", "credit",
                                          "refunds", "outstanding")},
        "late_payments": [{"cycle": b["cycle"], "due_date": b["due_date"], "paid_on": p["paid_on"],
                           "receipt": p["receipt"], "payment_code": b["payment_code"]}
                          for b in bills for p in b["payments"] if p["late"]],
        "shown": _shown_codes(bills),
        "bill_list": bills,
    }


def _death_view(session: Session) -> dict[str, Any] | None:
    agreement = sponsors_repo.agreement_by_code(session, DEATH_AGREEMENT)
    worker = _death_worker(session, agreement) if agreement is not None else None
    death = billing_repo.death_of(session, worker.id) if worker is not None else None
    if agreement is None or worker is None or death is None:
        return None
    refunded = session.execute(select(func.coalesce(func.sum(Refund.amount), 0), func.coalesce(
        func.sum(Refund.worker_months), 0)).where(Refund.worker_id == worker.id, Refund.reason == "death")).one()
    credited = session.scalar(select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
        CreditEntry.worker_id == worker.id, CreditEntry.kind == "after_end"))
    at_death = coverage_service.coverage(session, worker.nik, at=death.died_on)
    return {"nik": mask_nik(worker.nik), "name": worker.name, "agreement": agreement.code,
            "died_on": death.died_on.isoformat(), "contribution_months": at_death.history.contribution_months,
            "covered": at_death.protected, "policy": agreement.after_death,
            "refund": int(refunded[0]), "refund_worker_months": int(refunded[1]), "credit": int(credited or 0)}


def _first_worker(session: Session, agreement: Agreement) -> Worker | None:
    worker_id = session.scalar(select(Enrolment.worker_id).where(Enrolment.agreement_id == agreement.id)
                               .order_by(Enrolment.id).limit(1))
    return session.get(Worker, worker_id) if worker_id is not None else None


def _worker_view(session: Session, today: dt.date, late: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One farmer of the regency: coverage today, and at an event in the month paid late."""
    agreement = sponsors_repo.agreement_by_code(session, REGENCY_FARMERS)
    worker = _first_worker(session, agreement) if agreement is not None else None
    if agreement is None or worker is None:
        return None
    now = coverage_service.coverage(session, worker.nik, at=today)
    occ = find_occupation(worker.occupation_code)
    out: dict[str, Any] = {
        "nik": mask_nik(worker.nik), "full_nik_synthetic": worker.nik, "name": worker.name,
        "occupation": {"code": occ.code, "id": occ.label("id"), "en": occ.label("en")},
        "agreement": agreement.code, "at": today.isoformat(), "today": _decision(now),
        "protected_until": now.history.protected_until.isoformat() if now.history.protected_until else None,
        "contribution_months": now.history.contribution_months,
        "membership_start": str(now.history.current.start) if now.history.current else None,
        "arrears": [{"month": str(m), "payable_until": until.isoformat()} for m, until in now.arrears],
        "late_event": None,
    }
    if late:
        x = late[0]
        due, paid = dt.date.fromisoformat(x["due_date"]), dt.date.fromisoformat(x["paid_on"])
        event = min(due + _EVENT_AFTER_DUE, Month.of(due).last_day(), paid - dt.timedelta(days=1))
        if due < event < paid:
            out["late_event"] = _decision(coverage_service.coverage(session, worker.nik, at=event))
    return out


def _decision(c: coverage_service.Coverage) -> dict[str, Any]:
    d = c.decision
    return {"at": c.at.isoformat(), "protected": c.protected, "reason": d.reason.value, "month": str(d.month),
            "paid_on": d.paid_on.isoformat() if d.paid_on else None, "due": d.due.date.isoformat()}


def ending_window(agreements: list[dict[str, Any]], today: dt.date) -> int:
    """Days for ``billing ending --days`` that reach the nearest end of a paid cycle after today
    (rounded up to ten days, at least the list's default 30), so the list shows someone."""
    ends_after = [Month.parse(b["last_month"]).last_day() for a in agreements for b in a["bill_list"]
                  if b["state"] == "paid"]
    upcoming = [d for d in ends_after if d >= today]
    if not upcoming:
        return 30
    days = (min(upcoming) - today).days
    return max(30, -(-days // 10) * 10)


def lapsing_window(worker: dict[str, Any] | None, today: dt.date) -> int:
    """Days for ``billing lapsing --days`` that reach the shown farmer's oldest arrears deadline
    (rounded up to ten days, at least the list's default 30), so the list shows the regency's farmers."""
    arrears = worker["arrears"] if worker else []
    if not arrears:
        return 30
    days = (dt.date.fromisoformat(arrears[0]["payable_until"]) - today).days
    return max(30, -(-days // 10) * 10)


def summary(session: Session, today: dt.date) -> dict[str, Any]:
    """Billing as it stands on ``today``: per agreement, the death, one worker's coverage."""
    statements = {row["agreement"]: row for row in lists.statements(session)}
    agreements = [agreement_billing(session, a, statements[a.code]) for a in demo_agreements(session)]
    late = [x for a in agreements if a["code"] == REGENCY_FARMERS for x in a["late_payments"]]
    receipts = session.scalars(select(Payment.receipt_no).order_by(Payment.id).limit(1)).all()
    worker = _worker_view(session, today, late)
    return {
        "as_of": today.isoformat(),
        "month": str(Month.of(today)),
        "agreements": agreements,
        "death": _death_view(session),
        "worker": worker,
        "first_receipt": receipts[0] if receipts else None,
        "ending_days": ending_window(agreements, today),
        "lapsing_days": lapsing_window(worker, today),
    }

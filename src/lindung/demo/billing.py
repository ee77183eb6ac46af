"""Billing for the Kabupaten Bekasi demo: bills month by month up to today, each sponsor paying its way.

The story is derived from today's date and each agreement's start month, so it holds on any date:

- **Kadin** (one bill a year) pays every bill in full a few days before its due date. One of its
  workers dies (JKM) on the 10th of the agreement's fifth month; their heir's JKM claim is entered,
  approved and paid a few days later (``demo.claims``), and its approval records the death: the months
  already paid after the death month are refunded or credited as the agreement's ``after_death`` says.
- **The regency** (APBD, monthly bills) pays a few days before each due date, except that its
  third month is paid five weeks late (arrears within the window: continuity is restored, but an
  event in that month between the due date and the payment is not covered), and its eleventh
  month is still outstanding (before that month is due, its latest month is): so one month is
  always owed, and a later run never pays, after the fact, a month an earlier run showed unpaid.
- **The CSR company** (half-yearly bills) pays its first bill partially: a round transfer a little
  below the total, which settles whole worker-months oldest first; the rest of that bill stays
  unpaid and what is left of the transfer (less than a worker-month) is the sponsor's credit. It
  pays later bills in full.

Everything goes through the services the CLI calls (billing's ``issue_bills`` and ``pay``, the claims'
steps), as the demo's officer (the supervisor approves the JKM), in date order, month by month: bills on
the month's first working day, then that month's payments and the JKM claim. After the months, the
fisherman's JKK case of three days ago (``demo.claims``). A payment is known by its bank reference and a
claim by its worker, so running the demo again records nothing twice; bills are idempotent by themselves.

What the demo never touches (docs/demo.md, "What is the demo's own"):

- it bills, pays and files its claims only on its own agreements while they hold only the enrolments
  its own imports made (provenance source ``demo``). Once an agreement holds another enrolment (a
  user imported the sample file into it, say), the demo leaves that agreement's billing to the user:
  no bill, payment, death or claim of its story is recorded on it any more;
- it pays only bills its officer issued (the audit log's ``bill.issue`` entries of ``demo.petugas``),
  and only those its story pays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lindung.billing import coverage as coverage_service
from lindung.billing import service as billing
from lindung.billing.schemas import Coverage, PaymentCreate
from lindung.demo import claims, data, reads
from lindung.demo.claims import PlannedDeath
from lindung.demo.data import PAYERS, Payer, Person
from lindung.demo.reads import BillFacts
from lindung.demo.schemas import (
    AgreementBilling,
    ArrearsMonth,
    BillingAdded,
    BillingSummary,
    BillView,
    ClaimsAdded,
    DeathView,
    Decision,
    LatePayment,
    Occupation,
    PaymentView,
    WorkerView,
)
from lindung.kit import lokal
from lindung.kit.auth import Actor
from lindung.kit.errors import NotFound
from lindung.rules.catalogues import occupation as find_occupation
from lindung.rules.period import Month
from lindung.sponsors.models import Agreement


@dataclass(frozen=True)
class PlannedPayment:
    reference: str
    payment_code: str
    paid_on: dt.date
    amount: int | None  # None: whatever is outstanding on the bill when it is paid


# --- whose agreement ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreements:
    """The demo's agreements that exist, in the story's order, with their rosters' facts: ``own`` those
    it still bills (every active enrolment its own), the others hold someone else's enrolments too."""

    found: list[Agreement]
    rosters: dict[str, reads.RosterFacts]

    @property
    def own(self) -> list[Agreement]:
        return [a for a in self.found if not self.rosters[a.code].others]

    def left_to_user(self, code: str) -> bool:
        return bool(self.rosters[code].others)


def demo_agreements(session: Session, *, by: Actor, first: int = 0) -> Agreements:
    """The demo's agreements there are, each with its roster's facts (and its ``first`` rows)."""
    found = [a for code in PAYERS if (a := reads.agreement(session, code)) is not None]
    return Agreements(found, {a.code: reads.roster_facts(session, a.code, by=by, first=first) for a in found})


# --- the working-day calendar -------------------------------------------------------------------


def working_day_on_or_before(day: dt.date) -> dt.date:
    while not lokal.is_working_day(day)[0]:
        day -= dt.timedelta(days=1)
    return day


def issue_day(month: Month, today: dt.date) -> dt.date:
    """Bills for ``month`` are issued on its first working day (never after today)."""
    return min(lokal.next_working_day(month.first_day())[0], today)


# --- the plan -----------------------------------------------------------------------------------


def reference_of(payer: Payer, agreement: str, bill: BillFacts) -> str:
    month = bill.cycle_start
    return f"{payer.bank}-{agreement}-{month.year:04d}{month.month:02d}" + (f"-{bill.seq}" if bill.seq > 1 else "")


def cycle_of(agreement: Agreement, month: Month) -> int:
    """0 for the agreement's first billing cycle, 1 for the next …"""
    return (month.index - agreement.start_month) // agreement.billing_cycle_months


def unpaid_cycle(agreement: Agreement, today: dt.date) -> int | None:
    """The cycle the sponsor has left unpaid on ``today``, if its story has one."""
    payer = PAYERS[agreement.code]
    cycles = billing.cycles_due(agreement, Month.of(today))
    if payer.unpaid_cycle is None or not cycles:
        return None
    return min(payer.unpaid_cycle, cycle_of(agreement, Month.from_index(cycles[-1][0])))


def plan_payments(agreement: Agreement, bills: Iterable[BillFacts], today: dt.date) -> list[PlannedPayment]:
    """The payments the agreement's sponsor has made by ``today`` on ``bills``, as the story says."""
    payer = PAYERS[agreement.code]
    unpaid = unpaid_cycle(agreement, today)
    out: list[PlannedPayment] = []
    for bill in sorted(bills, key=lambda b: (b.cycle_start, b.seq)):
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
            amount = share - share % data.ROUND_TRANSFER or None
        out.append(PlannedPayment(reference_of(payer, agreement.code, bill), bill.payment_code, paid_on, amount))
    return out


def plan_death(agreements: Agreements, people: Mapping[str, Sequence[Person]], today: dt.date) -> PlannedDeath | None:
    agreement = next((a for a in agreements.own if a.code == data.DEATH_AGREEMENT), None)
    person = data.death_person(people)
    if agreement is None or person is None:
        return None
    if agreement.start_month + data.DEATH_MONTHS_AFTER_START > agreement.end_month:
        return None
    died_on = Month.from_index(agreement.start_month + data.DEATH_MONTHS_AFTER_START).day(data.DEATH_DAY)
    if died_on > today or person.spouse is None:
        return None
    return PlannedDeath(person.nik, person.spouse, died_on, *claims.plan_dates(died_on, today))


# --- bringing billing up to date ----------------------------------------------------------------


def bring_up_to_date(session: Session, today: dt.date, *, officer: Actor, supervisor: Actor
                     ) -> tuple[BillingAdded, ClaimsAdded]:
    """Issue the demo's own agreements' bills due up to today's month and record the story's payments
    and JKM claim (which records the death), in date order, as ``officer`` (``supervisor`` reads which
    bills the officer issued and approves the claim); then the JKK case of three days ago. Returns what
    was added (all zero when nothing was missing)."""
    agreements = demo_agreements(session, by=officer)
    own = {a.code: a for a in agreements.own}
    if not own:
        return BillingAdded(), ClaimsAdded()
    mine = reads.bills_issued_by(session, officer.username, by=supervisor)
    known: dict[str, BillFacts] = {b.payment_code: b for a in own.values()
                                   for b in reads.bills_of(session, a, by=officer) if b.payment_code in mine}
    people = data.cohorts(reads.regency_villages(session))
    death = plan_death(agreements, people, today)
    first = min(a.start_month for a in own.values())
    last = min(Month.of(today).index, max(a.end_month for a in own.values()))
    bills = worker_months = payments = deaths = 0
    filed = ClaimsAdded()
    for index in range(first, last + 1):
        month = Month.from_index(index)
        on = issue_day(month, today)
        run = billing.issue_bills(session, month, today=on, by=officer, agreement_ids=[a.id for a in own.values()])
        bills += len(run.bills)
        worker_months += run.worker_months
        for b in run.bills:
            known[b.payment_code] = BillFacts(b.payment_code, b.agreement, b.cycle.start, b.cycle.end, b.seq, on,
                                              b.due_date, b.worker_months, b.total, 0, 0, b.total, b.worker_months, ())
        events: list[tuple[dt.date, str, PlannedPayment | PlannedDeath]] = [
            (p.paid_on, p.reference, p) for code, a in own.items()
            for p in plan_payments(a, (b for b in known.values() if b.agreement == code), today)
            if Month.of(p.paid_on) == month]
        if death is not None and Month.of(death.claimed_on) == month:
            events.append((death.claimed_on, "", death))
        for _day, _key, event in sorted(events, key=lambda e: (e[0], e[1])):
            if isinstance(event, PlannedDeath):
                jkm, died = claims.jkm_claim(session, event, officer=officer, supervisor=supervisor)
                filed, deaths = filed + jkm, deaths + died
            else:
                payments += _pay(session, event, by=officer)
    filed += claims.jkk_case(session, today, own, people, officer=officer)
    return BillingAdded(bills=bills, worker_months=worker_months, payments=payments, deaths=deaths), filed


def _pay(session: Session, plan: PlannedPayment, *, by: Actor) -> int:
    session.expire_all()  # bills' counters move in SQL: read them afresh
    bill = reads.bill(session, plan.payment_code, by=by)
    assert bill is not None
    if billing.normalize_reference(plan.reference) in {p.reference for p in bill.payments}:
        return 0
    amount = bill.unpaid if plan.amount is None else min(plan.amount, bill.unpaid)
    if amount <= 0:
        return 0
    billing.pay(session, PaymentCreate(code=plan.payment_code, amount=amount, reference=plan.reference,
                                       paid_on=plan.paid_on), today=plan.paid_on, by=by)
    return 1


# --- what the tour shows ------------------------------------------------------------------------


def _bill_view(b: BillFacts) -> BillView:
    state = "paid" if b.unpaid == 0 else "partial" if b.settled > 0 else "unpaid"
    return BillView(
        payment_code=b.payment_code, cycle=str(b.cycle_start) if b.cycle_start == b.cycle_end
        else f"{b.cycle_start}–{b.cycle_end}", first_month=str(b.cycle_start), last_month=str(b.cycle_end),
        seq=b.seq, issued_on=b.issued_on, due_date=b.due_date, worker_months=b.worker_months, total=b.total,
        settled=b.settled, cancelled=b.cancelled, unpaid=b.unpaid, unpaid_worker_months=b.unpaid_worker_months,
        state=state, payments=[PaymentView(reference=p.reference, receipt=p.receipt, paid_on=p.paid_on,
                                           amount=p.amount, late=p.paid_on > b.due_date) for p in b.payments])


def _shown_codes(bills: list[BillView]) -> list[BillView]:
    """A couple of payment codes worth looking at: the latest bill not fully paid, then the latest
    bill paid late, else the latest bill paid."""
    open_ = [b for b in bills if b.state != "paid"]
    late = [b for b in bills if any(p.late for p in b.payments)]
    paid = [b for b in bills if b.state == "paid"]
    shown = open_[-1:] + (late[-1:] or paid[-1:])
    return shown[:2]


def agreement_billing(session: Session, agreement: Agreement, statement: Mapping[str, int], *, left: bool,
                      by: Actor) -> AgreementBilling:
    bills = [_bill_view(b) for b in reads.bills_of(session, agreement, by=by)]
    return AgreementBilling(
        code=agreement.code, status=agreement.status, cycle_months=agreement.billing_cycle_months,
        after_death=agreement.after_death, left_to_user=left, bills=len(bills),
        bills_paid=sum(b.state == "paid" for b in bills), bills_partial=sum(b.state == "partial" for b in bills),
        bills_unpaid=sum(b.state == "unpaid" for b in bills), worker_months=sum(b.worker_months for b in bills),
        **statement,
        late_payments=[LatePayment(cycle=b.cycle, due_date=b.due_date, paid_on=p.paid_on, receipt=p.receipt,
                                   payment_code=b.payment_code) for b in bills for p in b.payments if p.late],
        shown=_shown_codes(bills), bill_list=bills)


def _death_view(session: Session, people: Mapping[str, Sequence[Person]], statements: Mapping[str, Mapping[str, int]],
                today: dt.date, *, by: Actor) -> DeathView | None:
    agreement = reads.agreement(session, data.DEATH_AGREEMENT)
    person = data.death_person(people)
    if agreement is None or person is None:
        return None
    try:
        now = coverage_service.coverage(session, person.nik, at=today, by=by)
    except NotFound:
        return None
    died_on = now.worker.died_on
    if died_on is None:
        return None
    at_death = coverage_service.coverage(session, person.nik, at=died_on, by=by)
    money = statements.get(agreement.code, {})
    policy = agreement.after_death
    return DeathView(nik=now.worker.nik, name=now.worker.name, agreement=agreement.code, died_on=died_on,
                     contribution_months=at_death.contribution_months, covered=at_death.protected,
                     policy=policy, refund=money.get("refunds", 0) if policy == "refund" else 0,
                     credit=money.get("credit", 0) if policy == "credit" else 0)


def _decision(c: Coverage) -> Decision:
    d = c.decision
    return Decision(at=c.at, protected=c.protected, reason=d.reason, month=str(d.month), paid_on=d.paid_on,
                    due=d.due.due_date)


def _worker_view(session: Session, people: Mapping[str, Sequence[Person]], today: dt.date,
                 late: list[LatePayment], *, by: Actor) -> WorkerView | None:
    """One farmer of the regency: coverage today, and at an event in the month paid late."""
    person = data.shown_farmer(people)
    found = reads.worker(session, person.nik, by=by) if person is not None else None
    if person is None or found is None or reads.agreement(session, data.REGENCY_FARMERS) is None:
        return None
    now = coverage_service.coverage(session, person.nik, at=today, by=by)
    occ = find_occupation(found.occupation)
    late_event = None
    if late:
        x = late[0]
        event = min(x.due_date + data.EVENT_AFTER_DUE, Month.of(x.due_date).last_day(),
                    x.paid_on - dt.timedelta(days=1))
        if x.due_date < event < x.paid_on:
            late_event = _decision(coverage_service.coverage(session, person.nik, at=event, by=by))
    current = now.current
    return WorkerView(
        nik=found.nik, full_nik_synthetic=person.nik, name=found.name,
        occupation=Occupation(code=occ.code, id=occ.label("id"), en=occ.label("en")),
        agreement=data.REGENCY_FARMERS, at=today, today=_decision(now), protected_until=now.protected_until,
        contribution_months=now.contribution_months, membership_start=str(current.start) if current else None,
        arrears=[ArrearsMonth(month=str(a.month), payable_until=a.payable_until) for a in now.arrears],
        late_event=late_event)


def ending_window(agreements: list[AgreementBilling], today: dt.date) -> int:
    """Days for ``billing ending --days`` that reach the nearest end of a paid cycle after today
    (rounded up to ten days, at least the list's default 30), so the list shows someone."""
    ends_after = [Month.parse(b.last_month).last_day() for a in agreements for b in a.bill_list if b.state == "paid"]
    upcoming = [d for d in ends_after if d >= today]
    if not upcoming:
        return 30
    days = (min(upcoming) - today).days
    return max(30, -(-days // 10) * 10)


def lapsing_window(worker: WorkerView | None, today: dt.date) -> int:
    """Days for ``billing lapsing --days`` that reach the shown farmer's oldest arrears deadline
    (rounded up to ten days, at least the list's default 30), so the list shows the regency's farmers."""
    if worker is None or not worker.arrears:
        return 30
    days = (worker.arrears[0].payable_until - today).days
    return max(30, -(-days // 10) * 10)


def summary(session: Session, today: dt.date, found: Agreements, *, by: Actor) -> BillingSummary:
    """Billing as it stands on ``today``: per demo agreement (``found``), the death, one worker's coverage."""
    statements = reads.statements(session, by=by)
    agreements = [agreement_billing(session, a, statements[a.code], left=found.left_to_user(a.code), by=by)
                  for a in found.found]
    late = [x for a in agreements if a.code == data.REGENCY_FARMERS for x in a.late_payments]
    people = data.cohorts(reads.regency_villages(session))
    worker = _worker_view(session, people, today, late, by=by)
    receipts = sorted((p.paid_on, p.receipt) for a in agreements for b in a.bill_list for p in b.payments)
    return BillingSummary(
        as_of=today, month=str(Month.of(today)), agreements=agreements,
        death=_death_view(session, people, statements, today, by=by), worker=worker,
        first_receipt=receipts[0][1] if receipts else None, ending_days=ending_window(agreements, today),
        lapsing_days=lapsing_window(worker, today))

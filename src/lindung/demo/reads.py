"""What the demo reads, through the domains' services, in the shape it needs.

Every read of the demo goes through here, so that a domain service that changes its result (a dict
becoming a schema) is followed in one place:

- an agreement's bills: ``billing.service.bill_status`` of each payment code its cycles can have
  (``billing.service.payment_code`` of cycle and sequence, until one is not found);
- which bills the demo's officer issued: the audit log's ``bill.issue`` entries (``audit.service.entries``);
- whether an agreement holds enrolments the demo did not make: its roster (``enrolment.roster``), whose
  rows name their source (the demo's imports are ``demo``);
- a worker as ``worker show`` has them (``workers.service.view``), masked;
- a claim as ``claim show`` has it (``claims.service.show``), an accident as ``accident show``.

The region list, the registry's size and a worker's claims have no read service: those come from the
regions', workers' and claims' repositories (reads only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.billing import service as billing
from lindung.billing.lists import statements as billing_statements
from lindung.claims import repository as claims_repo
from lindung.claims import service as claims
from lindung.claims.schemas import AccidentView, ClaimView
from lindung.demo.data import COHORT_SOURCE, REGENCY
from lindung.enrolment.roster import roster
from lindung.kit.auth import Actor
from lindung.kit.errors import NotFound
from lindung.regions import repository as regions_repo
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import Agreement
from lindung.workers import repository as workers_repo
from lindung.workers import service as workers

AUDIT_BILLS_MAX = 10_000
"""How many ``bill.issue`` entries of the demo's officer are read at most (a demo year has 14)."""


@dataclass(frozen=True, slots=True)
class PaymentFacts:
    reference: str
    receipt: str
    paid_on: dt.date
    amount: int


@dataclass(frozen=True, slots=True)
class BillFacts:
    """A bill as ``billing show`` has it."""

    payment_code: str
    agreement: str
    cycle_start: Month
    cycle_end: Month
    seq: int
    issued_on: dt.date
    due_date: dt.date
    worker_months: int
    total: int
    settled: int
    cancelled: int
    unpaid: int
    unpaid_worker_months: int
    payments: tuple[PaymentFacts, ...]


def agreement(session: Session, code: str) -> Agreement | None:
    """The agreement with that code, or None."""
    try:
        return sponsors.get_agreement(session, code)
    except NotFound:
        return None


def bill(session: Session, code: str, *, by: Actor) -> BillFacts | None:
    """The bill with that payment code as it stands now, or None."""
    try:
        found = billing.bill_status(session, code, by=by)
    except billing.BillNotFound:
        return None
    return BillFacts(
        payment_code=found.payment_code, agreement=found.agreement, cycle_start=found.cycle.start,
        cycle_end=found.cycle.end, seq=found.seq, issued_on=found.issued_on, due_date=found.due_date,
        worker_months=found.worker_months, total=found.total, settled=found.settled, cancelled=found.cancelled,
        unpaid=found.unpaid, unpaid_worker_months=found.unpaid_worker_months,
        payments=tuple(PaymentFacts(p.reference, p.receipt, p.paid_on, p.amount) for p in found.payments))


def bills_of(session: Session, found: Agreement, *, by: Actor) -> list[BillFacts]:
    """Every bill of the agreement, by cycle and sequence (supplementary bills after the first)."""
    out: list[BillFacts] = []
    for first, _last in billing.cycles_due(found, Month.from_index(found.end_month)):
        seq = 1
        while (b := bill(session, billing.payment_code(found.id, Month.from_index(first), seq), by=by)) is not None:
            out.append(b)
            seq += 1
    return out


def bills_issued_by(session: Session, username: str, *, by: Actor) -> set[str]:
    """Payment codes of the bills ``username`` issued (the audit log's ``bill.issue`` entries; ``by``
    reads the log)."""
    entries = audit.entries(session, by=by, actor=username, action="bill.issue", limit=AUDIT_BILLS_MAX)
    return {str(e.data["bill"]) for e in entries if e.action == "bill.issue" and e.data and "bill" in e.data}


@dataclass(frozen=True, slots=True)
class RosterFacts:
    """An agreement's active enrolments: how many the demo did not make, and its first rows."""

    others: int
    first: tuple[dict[str, str], ...]


def roster_facts(session: Session, code: str, *, by: Actor, first: int = 2) -> RosterFacts:
    """Of the agreement's active enrolments (its roster, in desa and name order): how many come from
    anything but the demo's own imports, and the first ``first`` rows (NIK masked)."""
    rows: Iterator[dict[str, object]] = roster(session, code, by=by, status="active")
    others = 0
    head: list[dict[str, str]] = []
    for row in rows:
        if row["source"] != COHORT_SOURCE:
            others += 1
        if len(head) < first:
            head.append({k: str(v) for k, v in row.items()})
    return RosterFacts(others, tuple(head))


@dataclass(frozen=True, slots=True)
class WorkerFacts:
    nik: str
    """Masked."""
    name: str
    occupation: str


def worker(session: Session, nik: str, *, by: Actor) -> WorkerFacts | None:
    """The worker with that NIK as ``worker show`` has them (masked), or None when not registered."""
    try:
        found = workers.view(session, nik, unmask=False, by=by)
    except NotFound:
        return None
    return WorkerFacts(found.nik, found.name, found.occupation.code)


def registered(session: Session, nik: str) -> bool:
    """Whether a worker has that NIK (a valid one)."""
    try:
        workers.get(session, nik)
    except NotFound:
        return False
    return True


def statements(session: Session, *, by: Actor) -> dict[str, dict[str, int]]:
    """Per agreement code: billed, cancelled, settled, received, payments, credit, refunds, outstanding."""
    keys = ("billed", "cancelled", "settled", "received", "payments", "credit", "refunds", "outstanding")
    return {row.agreement: {k: int(getattr(row, k)) for k in keys} for row in billing_statements(session, by=by)}


def claim(session: Session, number: str, *, by: Actor, today: dt.date) -> ClaimView | None:
    """The claim with that number as ``claim show`` has it, or None."""
    try:
        return claims.show(session, number, by=by, today=today)
    except NotFound:
        return None


def accident(session: Session, accident_id: int, *, by: Actor, today: dt.date) -> AccidentView | None:
    """The accident as ``accident show`` has it, or None."""
    try:
        return claims.show_accident(session, accident_id, by=by, today=today)
    except NotFound:
        return None


# --- reads without a read service ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    number: str
    type: str
    status: str
    entered_by: str


def claims_of(session: Session, nik: str) -> tuple[ClaimFacts, ...]:
    """The claims of the worker with that NIK, oldest first (none when no worker has it): number, type,
    status and who entered it. No claims service lists one worker's claims: the claims' repository."""
    try:
        found = workers.get(session, nik)
    except NotFound:
        return ()
    rows = claims_repo.claims_of_worker(session, found.id)
    names = claims_repo.usernames(session, [c.entered_by_id for c in rows])
    return tuple(ClaimFacts(c.number, c.type, c.status, names.get(c.entered_by_id, "")) for c in rows)


# --- reference data without a read service ---------------------------------------------------------


def regency_villages(session: Session) -> tuple[str, ...]:
    """The regency's desa codes, in code order."""
    return tuple(r.code for r in regions_repo.villages_under(session, REGENCY))


def registry_size(session: Session) -> int:
    """How many workers the registry holds."""
    return workers_repo.count(session)


@dataclass(frozen=True, slots=True)
class RegionFacts:
    by_level: dict[int, int]
    """Regions of the Kemendagri list per level (1 province … 4 desa)."""
    regency_name: str | None
    kecamatan: list[tuple[str, str]]
    """(code, name) of the regency's kecamatan."""
    desa: int


def region_facts(session: Session) -> RegionFacts:
    regency = regions_repo.get(session, REGENCY)
    return RegionFacts(regions_repo.count_by_level(session), regency.name if regency is not None else None,
                       [(r.code, r.name) for r in regions_repo.children(session, REGENCY)],
                       len(regions_repo.villages_under(session, REGENCY)))


def region_names(session: Session) -> list[tuple[str, str, int, str]]:
    """(code, name, level, kind) of every kabupaten/kota, kecamatan and desa (``regions.names.DesaNames``)."""
    return regions_repo.name_rows(session)


def regency_desa(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the regency's desa, in code order."""
    return [(r.code, r.name) for r in regions_repo.villages_under(session, REGENCY)]

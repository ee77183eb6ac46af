"""The demo's two claims, through the claims services (``claims.service``) as its officer and supervisor.

- **A paid JKM.** The Kadin worker of the story (``data.death_person``) dies of illness on the 10th of
  the agreement's fifth month, a month Kadin paid in January. A few days later (``DEATH_RECORDED_AFTER``,
  on the next working day) the heir the cohort's file names, the spouse, brings the claim: the officer
  enters it with the heir's bank account, receives every document the catalogue requires (each a small
  PNG made in memory) and submits and verifies it; the supervisor approves it (maker-checker), which
  records the death through billing (``billing.ends.record_death``: the enrolment ends, what Kadin paid
  for the months after is refunded, as its agreement says); the officer pays it the next working day
  with a bank reference. This is the story's only death: billing's month-by-month run
  (``demo.billing``) makes the claim on its day, in date order with the bills and payments.
- **A JKK case in progress.** The CSR cohort's first fisherman with a wife (``data.accident_person``)
  has an accident at sea three days before today, while he is protected; his family reports it (stage
  I) the next morning, within the 48 hours; two days after the accident the officer enters an STMB
  claim for the first six months and submits it with part of its documents (``data.STMB_RECEIVED``):
  it waits for the rest and for a decision.

What is the demo's own (docs/demo.md): the demo files a claim for one of its two workers only while that
worker has no claim at all (neither its own, from an earlier run, nor a user's), only on an agreement it
still bills (every enrolment its own), and makes each claim whole in one go: it never takes up a claim
again, so what a user does with the demo's claims afterwards (a document more, a decision) stays theirs.
A death recorded by someone else on another day than the story's leaves the JKM out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from PIL import Image
from sqlalchemy.orm import Session

from lindung.billing import coverage as coverage_service
from lindung.claims import service as claims
from lindung.claims.schemas import AccidentReport, Account, ClaimRequest, ClaimView
from lindung.demo import data, reads
from lindung.demo.data import Person
from lindung.demo.schemas import ClaimsAdded, Occupation, StoryAccident, StoryClaim, StoryClaims
from lindung.kit import clock, lokal
from lindung.kit.auth import Actor
from lindung.kit.errors import NotFound
from lindung.rules.catalogues import occupation as find_occupation

DOCUMENT_SIZE = (32, 32)


@dataclass(frozen=True)
class PlannedDeath:
    """The story's death: the worker, the day they die, the day the heir's JKM claim is entered,
    verified and approved (which records the death), and the day it is paid."""

    nik: str
    heir: str
    died_on: dt.date
    claimed_on: dt.date
    paid_on: dt.date


def plan_dates(died_on: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """(claimed on, paid on): the heir claims on the working day on or after ``DEATH_RECORDED_AFTER``,
    the claim is paid the working day after; neither after today."""
    claimed_on = min(lokal.next_working_day(died_on + data.DEATH_RECORDED_AFTER)[0], today)
    return claimed_on, min(lokal.next_working_day(claimed_on + data.JKM_PAID_AFTER)[0], today)


def document(number: str, code: str) -> bytes:
    """A document's file: a small PNG of one colour, made from the claim's number and the document's
    code (so every document is a distinct file, the same on every run)."""
    red, green, blue = hashlib.sha256(f"{number}:{code}".encode()).digest()[:3]
    out = io.BytesIO()
    Image.new("RGB", DOCUMENT_SIZE, (red, green, blue)).save(out, format="PNG")
    return out.getvalue()


def _at(day: dt.date, hour: int) -> dt.datetime:
    """A step's time: that day at ``hour`` on the branch's clock (the story's steps happen on its days),
    never later than now."""
    return min(dt.datetime.combine(day, dt.time(hour), clock.zone()), clock.now())


def _attach(session: Session, view: ClaimView, codes: Collection[str] | None, *, by: Actor, today: dt.date
            ) -> tuple[ClaimView, int]:
    """The required documents not received yet (only ``codes`` of them, when given), one file each."""
    added = 0
    for d in view.documents:
        if d.required and not d.received and (codes is None or d.code in codes):
            view = claims.attach(session, view.number, d.code, document(view.number, d.code), f"{d.code}.png",
                                 by=by, today=today, now=_at(today, 10))
            added += 1
    return view, added


def _has_claims(session: Session, nik: str) -> bool:
    return bool(reads.claims_of(session, nik))


# --- the JKM, paid --------------------------------------------------------------------------------


def jkm_claim(session: Session, plan: PlannedDeath, *, officer: Actor, supervisor: Actor) -> tuple[ClaimsAdded, int]:
    """The heir's JKM from entry to payment, unless the worker has a claim already, or a death on
    another day; (what was added, deaths recorded: 1 when the approval recorded the death)."""
    if _has_claims(session, plan.nik):
        return ClaimsAdded(), 0
    died_on = coverage_service.coverage(session, plan.nik, at=plan.claimed_on, by=officer).worker.died_on
    if died_on is not None and died_on != plan.died_on:
        return ClaimsAdded(), 0
    day = plan.claimed_on
    view = claims.new_claim(session, ClaimRequest(
        nik=plan.nik, type="jkm", event_date=plan.died_on,
        account=Account(bank=data.JKM_BANK, number=data.JKM_ACCOUNT, holder=plan.heir)), by=officer, today=day,
        now=_at(day, 9))
    if not view.eligible:  # never in the story (the month was paid in January): left as the rules decided
        return ClaimsAdded(claims=1), 0
    view, documents = _attach(session, view, None, by=officer, today=day)
    claims.submit(session, view.number, by=officer, today=day, now=_at(day, 11))
    claims.verify(session, view.number, by=officer, today=day, now=_at(day, 13))
    claims.approve(session, view.number, by=supervisor, today=day, now=_at(day, 15))
    claims.pay(session, view.number, f"{data.JKM_BANK}-{view.number}", plan.paid_on, by=officer,
               today=plan.paid_on, now=_at(plan.paid_on, 10))
    session.expire_all()  # the death moved the bills' counters in SQL: read them afresh
    return ClaimsAdded(claims=1, documents=documents, payments=1), int(died_on is None)


# --- the JKK case, in progress --------------------------------------------------------------------


def accident_day(today: dt.date) -> dt.date:
    return today - data.ACCIDENT_DAYS_AGO


def jkk_case(session: Session, today: dt.date, own: Collection[str], people: Mapping[str, Sequence[Person]], *,
             officer: Actor) -> ClaimsAdded:
    """The fisherman's accident three days ago, reported by his family, and his STMB claim submitted
    with part of its documents: when his agreement is one the demo bills (``own``), he has no claim
    yet, and he was protected that day."""
    person = data.accident_person(people)
    if data.ACCIDENT_AGREEMENT not in own or person is None or _has_claims(session, person.nik):
        return ClaimsAdded()
    occurred_on = accident_day(today)
    try:
        if not coverage_service.coverage(session, person.nik, at=occurred_on, by=officer).protected:
            return ClaimsAdded()
    except NotFound:
        return ClaimsAdded()
    reported_at = dt.datetime.combine(occurred_on, data.ACCIDENT_TIME, clock.zone()) + data.ACCIDENT_REPORTED_AFTER
    accident = claims.report_accident(session, AccidentReport(
        nik=person.nik, occurred_on=occurred_on, occurred_time=data.ACCIDENT_TIME, place=data.ACCIDENT_PLACE,
        what=data.ACCIDENT_WHAT, reporter="family", reported_by=f"{person.spouse} (istri)",
        reported_at=reported_at), by=officer, now=reported_at)
    day = min(occurred_on + data.STMB_CLAIMED_AFTER, today)
    view = claims.new_claim(session, ClaimRequest(
        nik=person.nik, type="jkk-stmb", event_date=occurred_on, accident=accident.id, months=data.STMB_MONTHS,
        account=Account(bank=data.STMB_BANK, number=data.STMB_ACCOUNT, holder=person.name)), by=officer, today=day,
        now=_at(day, 9))
    view, documents = _attach(session, view, data.STMB_RECEIVED, by=officer, today=day)
    claims.submit(session, view.number, by=officer, today=day, now=_at(day, 11))
    return ClaimsAdded(accidents=1, claims=1, documents=documents)


# --- what the tour shows --------------------------------------------------------------------------


def _story_claim(session: Session, nik: str, claim_type: str, today: dt.date, *, by: Actor) -> StoryClaim | None:
    """The worker's first claim of that type the demo's officer entered, as ``claim show`` has it."""
    number = next((c.number for c in reads.claims_of(session, nik)
                   if c.type == claim_type and c.entered_by == data.OFFICER), None)
    view = reads.claim(session, number, by=by, today=today) if number else None
    if view is None:
        return None
    worker = reads.worker(session, nik, by=by)
    occ = find_occupation(worker.occupation) if worker else None
    accident = reads.accident(session, view.accident, by=by, today=today) if view.accident else None
    paid = view.payment
    return StoryClaim(
        number=view.number, type=view.type, status=view.status, nik=view.nik, name=view.name,
        occupation=Occupation(code=occ.code, id=occ.label("id"), en=occ.label("en")) if occ else None,
        agreement=view.agreement, event_date=view.event_date, total=view.total,
        months=view.inputs.get("months"), payee=view.payee.name, relationship=view.payee.relationship,
        account_bank=view.payee.account_bank, entered_by=view.entered_by, approved_by=view.approved_by,
        paid_amount=paid.amount if paid else None, paid_on=paid.paid_on if paid else None,
        reference=paid.reference if paid else None,
        documents_required=sum(d.required for d in view.documents),
        documents_missing=[d.code for d in view.documents if d.required and not d.received],
        due_on=view.due_on, overdue=view.overdue,
        accident=StoryAccident(
            id=accident.id, occurred_on=accident.occurred_on, place=accident.place, reporter=accident.reporter,
            reported_by=accident.reported_by, reported_at=accident.reported_at,
            hours_to_report=int((clock.local(accident.reported_at)
                                 - _occurred_at(accident.occurred_on, accident.occurred_time)).total_seconds() // 3600),
            deadline_hours=accident.deadline_hours, late=accident.late) if accident else None)


def _occurred_at(day: dt.date, time: dt.time | None) -> dt.datetime:
    return dt.datetime.combine(day, time or dt.time(), clock.zone())


def summary(session: Session, today: dt.date, people: Mapping[str, Sequence[Person]], *, by: Actor) -> StoryClaims:
    """The demo's two claims as the database has them now (None where the story has none yet)."""
    dead, fisherman = data.death_person(people), data.accident_person(people)
    return StoryClaims(
        jkm=_story_claim(session, dead.nik, "jkm", today, by=by) if dead else None,
        jkk=_story_claim(session, fisherman.nik, "jkk-stmb", today, by=by) if fisherman else None)

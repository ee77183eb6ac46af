"""Ends: an agreement ending, a worker leaving, a worker dying. No further bills after any of them.

- **Death** (``record_death``): the date is recorded once; every active enrolment of the worker
  ends with the death month (one that had not started is cancelled). The death month itself stays
  billed: the worker was covered in it.
- **Leaving** (``leave``): the worker's enrolment under one agreement ends with a given month.
- **Agreement ending** (``end_agreement``): the agreement becomes ``ended`` (the registry's life
  cycle) and every active enrolment is cut at the given month.

In every case the live ledger lines after the cut are voided: unpaid ones are simply no longer
owed; paid ones become, per agreement, a refund to the sponsor or a credit on the agreement, as the
agreement's ``after_death`` policy says (the agreement's one refund policy, named for its main
use). So a live line always lies inside an enrolment span, which is what lets the ledger's unique
index never meet a second enrolment of the same worker-month, and coverage read a worker's months
from its enrolments.

Each cut is recorded in ``enrolment_ends`` with the span before and after, and gives back to the
agreement what it no longer uses: the committed cost of the months cut off (the enrolment keeps the
cost of the months it still covers), and, when the worker died or left (or the enrolment is
cancelled), its place in the quota, so that the sponsor can enrol a replacement within the same
quota and budget. An agreement ending keeps its places (the workers were its members to the end).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.billing import repository as repo
from lindung.billing.models import CreditEntry, EnrolmentEnd, Refund, WorkerDeath
from lindung.billing.schemas import AgreementEnd, AgreementEnded, EndResult, Settlement
from lindung.enrolment import repository as enrolment_repo
from lindung.enrolment.models import Enrolment
from lindung.enrolment.service import kept_cost
from lindung.kit.auth import Actor
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, InvalidInput
from lindung.kit.privacy import mask_nik
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import Agreement
from lindung.summary import cells
from lindung.summary.cells import Touched
from lindung.workers import service as workers


class DeathAlreadyRecorded(Conflict):
    code = "billing.death_recorded"


class NothingToEnd(Conflict):
    code = "billing.nothing_to_end"


def _cut(session: Session, enrolment: Enrolment, last_month: int, reason: str, *, by: str, on: dt.date) -> bool:
    """End ``enrolment`` with ``last_month`` (cancel it when it had not started); True if cancelled."""
    cancelled = enrolment.first_month > last_month
    place = 0 if repo.place_freed(session, enrolment.id) else 1  # a second cut never frees it twice
    repo.add_end(session, EnrolmentEnd(enrolment_id=enrolment.id, reason=reason,
                                       previous_last_month=enrolment.last_month,
                                       last_month=enrolment.last_month if cancelled else last_month,
                                       cancelled=cancelled, effective_on=on, recorded_by=by, recorded_at=utcnow()))
    agreement = session.get(Agreement, enrolment.agreement_id)
    assert agreement is not None
    before = enrolment.committed_cost
    if cancelled:
        enrolment.status, enrolment.cancelled_by, enrolment.cancelled_at = "cancelled", by, utcnow()
        enrolment_repo.release(session, agreement.id, workers=place, cost=before)
    else:
        enrolment.last_month = last_month
        enrolment.committed_cost = kept_cost(agreement, enrolment.first_month, last_month, enrolment.sector)
        enrolment_repo.release(session, agreement.id, workers=0 if reason == "agreement_ended" else place,
                               cost=before - enrolment.committed_cost)
    session.expire(agreement, ["enrolled_count", "committed_cost"])
    return cancelled


def record_death(session: Session, nik: str, *, died_on: dt.date, by: Actor, today: dt.date) -> EndResult:
    by.require("enrolment.end")
    who = by.username
    if died_on > today:
        raise InvalidInput("died_on", died_on.isoformat(), reason="date_future")
    worker = workers.get(session, nik, today=today, scope=by.scope)
    if died_on < worker.birth_date:
        raise InvalidInput("died_on", died_on.isoformat(), reason="died_before_birth",
                           born=worker.birth_date.isoformat(), nik=mask_nik(worker.nik))
    enrolment_repo.lock_for_end(session, worker.id)
    known = repo.death_of(session, worker.id)
    if known is not None:
        raise DeathAlreadyRecorded(nik=mask_nik(worker.nik), died_on=known.died_on.isoformat())
    repo.add_death(session, WorkerDeath(worker_id=worker.id, died_on=died_on, recorded_by=who, recorded_at=utcnow()))
    month = Month.of(died_on)
    horizon = repo.last_enrolled_month(session, worker.id)
    ended = cancelled = 0
    with cells.tracking(session, Touched.worker(worker.id)):
        for e in repo.active_enrolments(session, worker.id):
            if e.last_month > month.index:
                if _cut(session, e, month.index, "death", by=who, on=died_on):
                    cancelled += 1
                else:
                    ended += 1
        lines = repo.worker_lines_after(session, worker.id, month.index, horizon)
        settlements = _settle_voided(session, lines, "death", worker_id=worker.id, by=who, today=today)
    session.flush()
    audit.record(session, actor=by, action="worker.death", subject_type="worker", subject_id=worker.id,
                 data={"died_on": died_on.isoformat()})
    return EndResult(nik=mask_nik(worker.nik), reason="death", last_month=month, died_on=died_on,
                     enrolments_ended=ended, enrolments_cancelled=cancelled, settlements=settlements)


def leave(session: Session, nik: str, agreement_code: str, *, last_month: Month, by: Actor,
          today: dt.date) -> EndResult:
    by.require("enrolment.end")
    who = by.username
    agreement = sponsors.get_agreement(session, agreement_code, scope=by.scope)
    worker = workers.get(session, nik, today=today, scope=by.scope)
    enrolment_repo.lock_for_end(session, worker.id)
    enrolments = [e for e in repo.active_enrolments(session, worker.id, agreement_id=agreement.id)
                  if e.last_month > last_month.index]
    if not enrolments:
        raise NothingToEnd(nik=mask_nik(worker.nik), agreement=agreement.code, month=str(last_month))
    ended = cancelled = 0
    lines: list[repo.LiveLine] = []
    with cells.tracking(session, Touched.worker(worker.id)):
        for e in enrolments:
            lines += repo.worker_lines_after(session, worker.id, last_month.index, e.last_month, enrolment_id=e.id)
            if _cut(session, e, last_month.index, "left", by=who, on=today):
                cancelled += 1
            else:
                ended += 1
        settlements = _settle_voided(session, lines, "left", worker_id=worker.id, by=who, today=today)
    session.flush()
    audit.record(session, actor=by, action="enrolment.leave", subject_type="worker", subject_id=worker.id,
                 data={"agreement": agreement.code, "last_month": str(last_month)})
    return EndResult(nik=mask_nik(worker.nik), reason="left", last_month=last_month, enrolments_ended=ended,
                     enrolments_cancelled=cancelled, settlements=settlements)


def _settle_voided(session: Session, lines: list[repo.LiveLine], reason: str, *, worker_id: int | None, by: str,
                   today: dt.date) -> list[Settlement]:
    """Void ``lines``; per agreement, the paid ones become a refund or a credit as the agreement's
    policy says."""
    per: dict[int, list[repo.LiveLine]] = defaultdict(list)
    for line in lines:
        per[line.agreement_id].append(line)
    out: list[Settlement] = []
    for agreement_id, group in sorted(per.items()):
        agreement = session.get(Agreement, agreement_id)
        assert agreement is not None
        repo.void_lines(session, group, reason)
        unpaid = [x for x in group if x.status == "due"]
        paid = [x for x in group if x.status == "paid"]
        paid_amount = sum(x.amount for x in paid)
        policy = agreement.after_death if paid_amount else "none"
        if paid_amount and policy == "refund":
            repo.add_refund(session, Refund(
                agreement_id=agreement_id, worker_id=worker_id, reason=reason,
                first_month=min(x.month for x in paid), last_month=max(x.month for x in paid),
                worker_months=len(paid), amount=paid_amount, created_on=today, created_by=by, created_at=utcnow()))
        elif paid_amount:
            repo.add_credit(session, CreditEntry(agreement_id=agreement_id, amount=paid_amount, kind="after_end",
                                                 worker_id=worker_id, entered_on=today, created_at=utcnow()))
        out.append(Settlement.of(agreement.code, policy, voided=len(group), voided_unpaid=sum(x.amount for x in unpaid),
                                 paid=len(paid), paid_amount=paid_amount))
    return out


def end_agreement(session: Session, code: str, *, last_month: Month, by: Actor, today: dt.date) -> AgreementEnd:
    """End the agreement after ``last_month``: no further bills; later months voided and settled."""
    by.require("enrolment.end")
    who = by.username
    found = sponsors.get_agreement(session, code, scope=by.scope)
    start, end = Month.from_index(found.start_month), Month.from_index(found.end_month)
    if not start - 1 <= last_month <= end:
        raise InvalidInput("last_month", str(last_month), reason="month_outside", start=str(start - 1), end=str(end))
    agreement = sponsors.end(session, found.code)
    lines = [repo.LiveLine(m, w, bill.id, agreement.id, st, a)  # read while the spans still reach them
             for bill in repo.bills_of(session, agreement.id, ending_after=last_month.index)
             for m, w, st, a in repo.bill_lines_after(session, bill, last_month.index)]
    with cells.tracking(session, Touched.agreement(agreement.id, last_month.index)):
        _release_after(session, agreement, last_month.index)
        ended, cancelled = repo.end_agreement_enrolments(session, agreement.id, last_month.index, by=who, on=today,
                                                         at=utcnow())
        settled = _settle_voided(session, lines, "agreement_ended", worker_id=None, by=who, today=today)
    session.expire_all()
    audit.record(session, actor=by, action="agreement.end", subject_type="agreement", subject_id=agreement.id,
                 data={"variant": "billed", "last_month": str(last_month), "enrolments": ended + cancelled})
    settlement = settled[0] if settled else Settlement.of(agreement.code, "none")
    return AgreementEnd(agreement=agreement.code, last_month=last_month, enrolments_ended=ended,
                        enrolments_cancelled=cancelled, settlement=settlement)


def close_agreement(session: Session, code: str, *, last_month: Month | None, by: Actor,
                    today: dt.date) -> AgreementEnded:
    """End an agreement, the one way whichever it is (``POST /api/v1/agreements/{code}/end``).

    Without ``last_month``, an approved or active agreement nobody is enrolled in ends at once
    (``sponsors.end_unused``, as ``lindung agreement end``); one that covers workers is refused
    (``agreement.end_has_enrolments``): ending it ends their coverage, so the last month covered must be
    said. With ``last_month``, it ends after that month through ``end_agreement`` (as ``lindung billing
    end-agreement``): its enrolments are cut, the bills after it voided and what was paid for them
    settled, which needs ``enrolment.end`` as well."""
    by.require("agreement.draft")
    if last_month is None:
        return AgreementEnded(agreement=sponsors.end_unused(session, code, by=by), billing=None)
    billed = end_agreement(session, code, last_month=last_month, by=by, today=today)
    return AgreementEnded(agreement=sponsors.describe(sponsors.get_agreement(session, billed.agreement)),
                          billing=billed)


def _release_after(session: Session, agreement: Agreement, last_month: int) -> None:
    """Before the agreement's enrolments are cut at ``last_month``: each keeps the cost of the months
    it still covers (one UPDATE per cohort: first month and sector), the cancelled ones free their
    place and cost, and the agreement's counters give back the difference."""
    groups = repo.cut_cohorts(session, agreement.id, last_month)
    released = places = 0
    for first, sector, count, holding, cost in groups:
        if first > last_month:
            places += holding
            released += cost
            continue
        kept = kept_cost(agreement, first, last_month, sector)
        repo.set_committed_cost(session, agreement.id, last_month, first, sector, kept)
        released += cost - kept * count
    enrolment_repo.release(session, agreement.id, workers=places, cost=released)

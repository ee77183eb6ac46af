"""The public checks' queries: each is the same statement whether or not what it looks for exists."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from lindung.billing.models import WorkerDeath
from lindung.claims.models import Claim, ClaimPayment, ClaimStep
from lindung.workers.models import Worker


class Person(NamedTuple):
    id: int
    name: str
    birth_date: dt.date
    died_on: dt.date | None


class ClaimFacts(NamedTuple):
    id: int
    status: str
    payee_nik: str | None


def person(session: Session, nik: str) -> Person | None:
    """The worker with ``nik``, with the date of their death if recorded (one indexed lookup)."""
    row = session.execute(
        select(Worker.id, Worker.name, Worker.birth_date, WorkerDeath.died_on)
        .outerjoin(WorkerDeath, WorkerDeath.worker_id == Worker.id).where(Worker.nik == nik)).first()
    return None if row is None else Person(int(row[0]), str(row[1]), row[2], row[3])


def claim(session: Session, number: str) -> ClaimFacts | None:
    row = session.execute(select(Claim.id, Claim.status, Claim.payee_nik).where(Claim.number == number)).first()
    return None if row is None else ClaimFacts(int(row[0]), str(row[1]), row[2])


def last_step_at(session: Session, claim_id: int, status: str) -> dt.datetime | None:
    """When the claim last reached ``status`` (None for a claim id that names nothing)."""
    found: dt.datetime | None = session.scalars(
        select(ClaimStep.at).where(ClaimStep.claim_id == claim_id, ClaimStep.status == status)
        .order_by(ClaimStep.id.desc()).limit(1)).first()
    return found


def paid_on(session: Session, claim_id: int) -> dt.date | None:
    found: dt.date | None = session.scalars(select(ClaimPayment.paid_on).where(ClaimPayment.claim_id == claim_id)
                                            ).first()
    return found

"""A worker's claims, for the worker's page: what was claimed, when, and where it stands (the claim's
own page says the rest). A module of its own, so that the claims service it reads beside stays as the
claims' pages need it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from lindung.claims import repository as repo
from lindung.kit.auth import Actor
from lindung.kit.schemas import Schema
from lindung.workers import service as workers


class WorkerClaim(Schema):
    """One claim of a worker: its number (the claim's page is ``/klaim/{number}``), type, status,
    event day and the total claimed."""

    number: str
    type: str
    status: str
    event_date: dt.date
    claim_total: int


def claims_of_worker(session: Session, ref: str, *, by: Actor) -> list[WorkerClaim]:
    """The claims of the worker a ref names, newest first (``claim.read``). A sponsor's staff see only
    the claims filed under their sponsor, of a worker their sponsor enrolled (any other ref: not
    found, as in ``workers.get_by_ref``)."""
    by.require("claim.read")
    worker = workers.get_by_ref(session, ref, scope=by.scope)
    own = by.scope.sponsor_id
    found = [c for c in repo.claims_of_worker(session, worker.id) if own is None or c.sponsor_id == own]
    return [WorkerClaim(number=c.number, type=c.type, status=c.status, event_date=c.event_date, claim_total=c.total)
            for c in reversed(found)]

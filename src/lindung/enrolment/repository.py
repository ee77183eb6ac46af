"""SQL for enrolments, and the counters on the agreement row that keep quota and budget.

Locking order for every use case that enrols (PostgreSQL; on SQLite the whole write transaction is
serialised by ``BEGIN IMMEDIATE``): the agreement row, then the ``enrolments`` table (``ROW
EXCLUSIVE`` for one enrolment, ``SHARE ROW EXCLUSIVE`` for the bulk import), then worker rows, and
the overlap check only after all of them (``enrolment.models`` says why this is safe).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select, text, update
from sqlalchemy.orm import Session

from lindung.audit.models import Provenance
from lindung.enrolment.models import Enrolment
from lindung.rules.period import Month
from lindung.sponsors.models import Agreement
from lindung.sponsors.service import OPEN_STATUSES


def lock_for_enrolment(session: Session) -> None:
    """Before a one-at-a-time enrolment checks overlaps: wait for any bulk import in progress to
    commit, and keep any from starting until this transaction ends (PostgreSQL).

    ``ROW EXCLUSIVE`` is what the INSERT would take anyway; taking it before the check is the point:
    it conflicts with the import's ``SHARE ROW EXCLUSIVE`` and not with other single enrolments.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE enrolments IN ROW EXCLUSIVE MODE"))


def lock_for_end(session: Session, worker_id: int) -> None:
    """Before a worker's enrolments are cut (death, leaving), in the order enrolling takes them: the
    agreement rows of the worker's active enrolments (their counters change), the ``enrolments``
    table, the worker's row (PostgreSQL; SQLite serialises writers). An enrolment of this worker
    that commits meanwhile is caught by the second pass, taken once the worker's row is held: no
    other can follow it."""
    if session.get_bind().dialect.name == "sqlite":
        return

    def agreements() -> None:
        ids = select(Enrolment.agreement_id).where(Enrolment.worker_id == worker_id, Enrolment.status == "active")
        session.execute(select(Agreement.id).where(Agreement.id.in_(ids)).order_by(Agreement.id).with_for_update())

    agreements()
    lock_for_enrolment(session)
    session.execute(text("SELECT id FROM workers WHERE id = :w FOR UPDATE"), {"w": worker_id})
    agreements()


def lock_for_bulk_enrolment(session: Session) -> None:
    """Before the bulk import checks overlaps: be the only writer of enrolments until this
    transaction ends (PostgreSQL). Readers (bill runs, coverage) are not blocked; single
    enrolments and other imports wait."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE enrolments IN SHARE ROW EXCLUSIVE MODE"))


def overlapping(session: Session, worker_id: int, first_month: int, last_month: int
                ) -> list[tuple[Enrolment, str]]:
    """Active enrolments of the worker that share a month with [first_month, last_month]."""
    rows = session.execute(
        select(Enrolment, Agreement.code).join(Agreement, Agreement.id == Enrolment.agreement_id)
        .where(Enrolment.worker_id == worker_id, Enrolment.status == "active",
               Enrolment.first_month <= last_month, Enrolment.last_month >= first_month)
        .order_by(Enrolment.first_month, Enrolment.id)).all()
    return [(e, code) for e, code in rows]


def reserve(session: Session, agreement_id: int, *, workers: int, cost: int) -> bool:
    """Add ``workers`` and ``cost`` to the agreement's counters if they stay within quota and budget
    and the agreement is open; False (and nothing changed) otherwise.

    One conditional UPDATE: on PostgreSQL it takes the row lock and re-checks the condition after
    any concurrent enrolment commits, so two racing transactions can never both take the last place.
    """
    result = session.execute(
        update(Agreement)
        .where(Agreement.id == agreement_id, Agreement.status.in_(OPEN_STATUSES),
               Agreement.enrolled_count + workers <= Agreement.quota,
               Agreement.committed_cost + cost <= Agreement.budget)
        .values(enrolled_count=Agreement.enrolled_count + workers,
                committed_cost=Agreement.committed_cost + cost)
        .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0) == 1)


def release(session: Session, agreement_id: int, *, workers: int, cost: int) -> None:
    """Give back places and committed rupiah when enrolments are cut short or cancelled (the CHECKs
    on the agreement keep both counters from going below zero)."""
    if workers or cost:
        session.execute(
            update(Agreement).where(Agreement.id == agreement_id)
            .values(enrolled_count=Agreement.enrolled_count - workers,
                    committed_cost=Agreement.committed_cost - cost)
            .execution_options(synchronize_session=False))


def counters(session: Session, agreement_id: int) -> tuple[str, int, int, int, int]:
    """(status, enrolled, quota, committed, budget) as committed or as this transaction sees them."""
    row = session.execute(
        select(Agreement.status, Agreement.enrolled_count, Agreement.quota, Agreement.committed_cost,
               Agreement.budget).where(Agreement.id == agreement_id)
        .execution_options(populate_existing=True)).one()
    return str(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4])


def totals(session: Session, agreement_id: int) -> tuple[int, int]:
    """(places taken, committed cost) recomputed from the enrolment rows: what the agreement's
    counters must equal.

    A place is an active enrolment not cut short by the worker's death or leaving (those free their
    place for a replacement; an agreement ending keeps them); the cost is what the active
    enrolments commit for the months they keep. ``enrolment_ends`` is billing's table, read by name.
    """
    holds_place = text("NOT EXISTS (SELECT 1 FROM enrolment_ends x WHERE x.enrolment_id = enrolments.id "
                 "AND (x.reason = 'death' OR x.reason = 'left'))")
    active = and_(Enrolment.agreement_id == agreement_id, Enrolment.status == "active")
    places = session.scalar(select(func.count()).select_from(Enrolment).where(active, holds_place))
    cost = session.scalar(select(func.coalesce(func.sum(Enrolment.committed_cost), 0)).where(active))
    return int(places or 0), int(cost or 0)


def describe_for_worker(session: Session, worker_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Enrolment, Agreement.code, Provenance).join(Agreement, Agreement.id == Enrolment.agreement_id)
        .join(Provenance, Provenance.id == Enrolment.provenance_id)
        .where(Enrolment.worker_id == worker_id).order_by(Enrolment.first_month, Enrolment.id)).all()
    return [{"agreement": code, "from": str(Month.from_index(e.first_month)),
             "to": str(Month.from_index(e.last_month)), "status": e.status,
             "committed_cost": e.committed_cost,
             "enrolled": {"by": origin.actor, "at": origin.at.isoformat(), "source": origin.source}}
            for e, code, origin in rows]

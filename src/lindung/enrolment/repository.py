"""SQL for enrolments, and the counters on the agreement row that keep quota and budget.

Locking order for every use case that enrols (PostgreSQL; on SQLite the whole write transaction is
serialised by ``BEGIN IMMEDIATE``): the agreement row, then the ``enrolments`` table (``ROW
EXCLUSIVE`` for one enrolment, ``SHARE ROW EXCLUSIVE`` for the bulk import), then worker rows, and
the overlap check only after all of them (``enrolment.models`` says why this is safe).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, and_, case, func, select, text, update
from sqlalchemy.orm import Session, defer

from lindung.audit.models import Provenance
from lindung.enrolment.models import Enrolment, ImportProposal
from lindung.kit.auth import EVERYTHING, Scope
from lindung.kit.paging import Paged, Window, fetch
from lindung.regions.models import Region
from lindung.sponsors.models import OPEN_STATUSES, Agreement
from lindung.workers.models import Worker

IMPORT_SOURCE = "import:"
"""How an import's provenance names its file (``import:kadin.xlsx``)."""


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


# ------------------------------------------------------------------------------------ the imports made

HistoryRow = tuple[int, dt.datetime, str, str, str, int, int, int]


def _import_history_query(agreement_id: int | None, scope: Scope, import_id: int | None = None
                          ) -> Select[*tuple[Any, ...]]:
    active = Enrolment.status == "active"
    query: Select[*tuple[Any, ...]] = (
        select(Provenance.id, Provenance.at, Provenance.actor, Provenance.source, Agreement.code,
               func.sum(case((active, 1), else_=0)), func.sum(case((active, 0), else_=1)),
               func.sum(case((active, Enrolment.committed_cost), else_=0)))
        .join(Enrolment, Enrolment.provenance_id == Provenance.id)
        .join(Agreement, Agreement.id == Enrolment.agreement_id)
        .where(Provenance.source.startswith(IMPORT_SOURCE, autoescape=True))
        .group_by(Provenance.id, Provenance.at, Provenance.actor, Provenance.source, Agreement.code)
        .order_by(Provenance.id.desc(), Agreement.code))
    if agreement_id is not None:
        query = query.where(Enrolment.agreement_id == agreement_id)
    if import_id is not None:
        query = query.where(Provenance.id == import_id)
    if scope.sponsor_id is not None:
        query = query.where(Agreement.sponsor_id == scope.sponsor_id)
    return query


def _history_row(row: Any) -> HistoryRow:
    pid, at, by, source, code, n_active, n_cancelled, cost = row
    return (int(pid), at, str(by), str(source), str(code), int(n_active), int(n_cancelled), int(cost))


def import_history(session: Session, agreement_id: int | None, limit: int, scope: Scope = EVERYTHING
                   ) -> list[HistoryRow]:
    """(import id, when, who, source, agreement code, active, cancelled, active committed cost) of the
    newest ``limit`` imports, of one agreement or all (of ``scope``'s sponsor only, for its staff)."""
    return [_history_row(row) for row in session.execute(_import_history_query(agreement_id, scope).limit(limit))]


def import_history_page(session: Session, agreement_id: int | None, window: Window, scope: Scope = EVERYTHING
                        ) -> Paged[HistoryRow]:
    """``import_history``, a page of it cut in SQL (newest import first, then agreement code)."""
    return fetch(session, _import_history_query(agreement_id, scope), window).map(_history_row)


def import_record(session: Session, import_id: int, scope: Scope = EVERYTHING) -> list[HistoryRow]:
    """``import_history``'s rows of one import (one per agreement it enrolled into; none when it is not
    an import, or not ``scope``'s)."""
    return [_history_row(row) for row in session.execute(_import_history_query(None, scope, import_id))]


def import_source(session: Session, import_id: int) -> str | None:
    """The source of provenance ``import_id`` when it is an import's (``import:FILE``), else None."""
    found = session.execute(select(Provenance.source).where(Provenance.id == import_id)).first()
    source = str(found[0] or "") if found is not None else ""
    return source if source.startswith(IMPORT_SOURCE) else None


def import_agreement_codes(session: Session, import_id: int) -> list[str]:
    """The agreements the import's active enrolments are in, by code."""
    return [str(c) for (c,) in session.execute(
        select(Agreement.code).distinct().join(Enrolment, Enrolment.agreement_id == Agreement.id)
        .where(Enrolment.provenance_id == import_id, Enrolment.status == "active").order_by(Agreement.code))]


def import_built_on(session: Session, import_id: int) -> tuple[int, int]:
    """(active enrolments of the import that were billed, that were cut short). ``contribution_lines``
    and ``enrolment_ends`` are billing's tables, read by name."""
    params = {"p": import_id}
    mine = "SELECT id FROM enrolments WHERE provenance_id = :p AND status = 'active'"
    billed = session.execute(text(
        f"SELECT COUNT(DISTINCT enrolment_id) FROM contribution_lines WHERE enrolment_id IN ({mine})"),
        params).scalar_one()
    cut = session.execute(text(f"SELECT COUNT(*) FROM enrolment_ends WHERE enrolment_id IN ({mine})"),
                          params).scalar_one()
    return int(billed), int(cut)


def cancel_import(session: Session, import_id: int, *, by: str, at: dt.datetime) -> list[tuple[int, int, int]]:
    """Cancel the import's active enrolments; returns (agreement id, enrolments, committed cost) of
    what was cancelled, per agreement (the caller gives them back to the agreement)."""
    per_agreement = session.execute(
        select(Enrolment.agreement_id, func.count(), func.coalesce(func.sum(Enrolment.committed_cost), 0))
        .where(Enrolment.provenance_id == import_id, Enrolment.status == "active")
        .group_by(Enrolment.agreement_id).order_by(Enrolment.agreement_id)).all()
    session.execute(
        update(Enrolment).where(Enrolment.provenance_id == import_id, Enrolment.status == "active")
        .values(status="cancelled", cancelled_by=by, cancelled_at=at)
        .execution_options(synchronize_session=False))
    return [(int(a), int(n), int(cost)) for a, n, cost in per_agreement]


# ------------------------------------------------------------------------------------------- roster

RosterRow = tuple[str, str, str, str | None, str, str | None, str, str, int, int, str, int, bool,
                  dt.datetime | None, str | None, str | None]
"""(nik, name, sex, phone, desa code, desa name, occupation, sector, first month, last month, status,
committed cost, needs review, enrolled at, enrolled by, source)."""


# --- import proposals ---------------------------------------------------------------------------


def waiting_proposals(session: Session, agreement_id: int, digest: str) -> list[ImportProposal]:
    """The proposals of the file whose SHA-256 is ``digest`` waiting for the agreement, oldest first."""
    return list(session.scalars(
        select(ImportProposal).where(ImportProposal.agreement_id == agreement_id, ImportProposal.sha256 == digest,
                                     ImportProposal.status == "proposed").order_by(ImportProposal.id)))


def proposal(session: Session, proposal_id: int, *, for_update: bool = False) -> ImportProposal | None:
    query = select(ImportProposal).where(ImportProposal.id == proposal_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def _proposals_query(scope: Scope, agreement_id: int | None, status: str | None) -> Select[*tuple[Any, ...]]:
    query: Select[*tuple[Any, ...]] = (
        select(ImportProposal, Agreement.code).join(Agreement, Agreement.id == ImportProposal.agreement_id)
        .options(defer(ImportProposal.content))  # a list does not read the files
        .order_by(ImportProposal.id.desc()))
    if status is not None:
        query = query.where(ImportProposal.status == status)
    if agreement_id is not None:
        query = query.where(ImportProposal.agreement_id == agreement_id)
    if scope.sponsor_id is not None:
        query = query.where(Agreement.sponsor_id == scope.sponsor_id)
    return query


def proposals(session: Session, scope: Scope, *, agreement_id: int | None, status: str | None, limit: int
              ) -> list[tuple[ImportProposal, str]]:
    """(proposal, its agreement's code), newest first, without the files (of ``scope``'s sponsor only,
    for its staff)."""
    return [(p, str(code)) for p, code in session.execute(_proposals_query(scope, agreement_id, status).limit(limit))]


def proposals_page(session: Session, scope: Scope, *, agreement_id: int | None, status: str | None, window: Window
                   ) -> Paged[tuple[ImportProposal, str]]:
    """``proposals``, a page of them cut in SQL."""
    return fetch(session, _proposals_query(scope, agreement_id, status), window).map(lambda r: (r[0], str(r[1])))


def _roster_query(agreement_id: int, status: str | None) -> Select[*tuple[Any, ...]]:
    query = (
        select(Worker.nik, Worker.name, Worker.sex, Worker.phone, Worker.domicile_code, Region.name,
               Enrolment.occupation_code, Enrolment.sector, Enrolment.first_month, Enrolment.last_month,
               Enrolment.status, Enrolment.committed_cost, Worker.needs_review, Provenance.at, Provenance.actor,
               Provenance.source)
        .join(Worker, Worker.id == Enrolment.worker_id)
        .outerjoin(Region, Region.code == Worker.domicile_code)
        .outerjoin(Provenance, Provenance.id == Enrolment.provenance_id)
        .where(Enrolment.agreement_id == agreement_id)
        .order_by(Worker.domicile_code, Worker.name, Enrolment.id))
    return query.where(Enrolment.status == status) if status is not None else query


def roster_count(session: Session, agreement_id: int, status: str | None) -> int:
    """How many enrolments of the agreement (``status`` None: all) ``roster_rows`` yields."""
    query = _roster_query(agreement_id, status).order_by(None).subquery()
    return int(session.execute(select(func.count()).select_from(query)).scalar_one())


def roster_page(session: Session, agreement_id: int, status: str | None, window: Window) -> Paged[RosterRow]:
    """One page of the agreement's enrolments with their workers, in enrolment order (its id: unique, and
    read from the index on enrolments in the order it holds them, so a page never sorts the whole
    agreement), and how many there are: two queries, whatever the page. The count reads the enrolments
    alone (each has its worker: a foreign key; the outer joins add no row)."""
    count = select(func.count()).select_from(Enrolment).where(Enrolment.agreement_id == agreement_id)
    if status is not None:
        count = count.where(Enrolment.status == status)
    total = int(session.execute(count).scalar_one())
    query = _roster_query(agreement_id, status).order_by(None).order_by(Enrolment.id)
    rows = [tuple(row) for row in session.execute(query.limit(window.limit).offset(window.offset))]
    return Paged(rows, total, window)


def roster_rows(session: Session, agreement_id: int, status: str | None, *, batch: int) -> Iterator[RosterRow]:
    """The agreement's enrolments with their workers, in desa, name order, ``batch`` rows at a time."""
    for row in session.execute(_roster_query(agreement_id, status), execution_options={"yield_per": batch}):
        yield tuple(row)

"""SQL for workers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, bindparam, exists, func, literal, or_, select, text
from sqlalchemy.orm import Session, selectinload

from lindung.kit import db as kitdb
from lindung.kit.auth import EVERYTHING, Scope
from lindung.workers.models import Occupation, Worker

# Enrolments and agreements are read by name here: the registry sits below enrolment and sponsors'
# agreements in the layers and imports neither (enrolment imports the registry).
_ENROLLED_WITH_SPONSOR = text(
    "EXISTS (SELECT 1 FROM enrolments se JOIN agreements sa ON sa.id = se.agreement_id "
    "WHERE se.worker_id = workers.id AND sa.sponsor_id = :scope_sponsor)")


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    """The workers ``scope`` reaches: every one, or those a sponsor ever enrolled (any enrolment of
    theirs, active or not: a sponsor keeps seeing whom it paid for). A region's viewer sees no worker
    at all (``worker.read`` is not theirs): aggregates only."""
    if scope.sponsor_id is not None:
        return _ENROLLED_WITH_SPONSOR.bindparams(scope_sponsor=scope.sponsor_id)  # type: ignore[return-value]
    if scope.region_code is not None:
        return literal(False)
    return literal(True)


def visible(session: Session, worker_id: int, scope: Scope) -> bool:
    """Whether ``scope`` reaches the worker."""
    if scope.unlimited:
        return True
    return session.scalar(select(literal(1)).select_from(Worker).where(Worker.id == worker_id, _in_scope(scope))) \
        is not None


class EnrolmentRow(NamedTuple):
    agreement: str
    first_month: int
    last_month: int
    status: str
    committed_cost: int
    actor: str
    at: dt.datetime
    source: str | None


def enrolments_of(session: Session, worker_id: int, scope: Scope = EVERYTHING) -> list[EnrolmentRow]:
    """The worker's enrolments, oldest first (a sponsor's staff: their sponsor's only), with who
    enrolled each, when and from what (months as ``Month`` indexes)."""
    sql = ("SELECT a.code, e.first_month, e.last_month, e.status, e.committed_cost, p.actor, p.at, p.source "
           "FROM enrolments e JOIN agreements a ON a.id = e.agreement_id JOIN provenances p ON p.id = e.provenance_id "
           "WHERE e.worker_id = :w" + (" AND a.sponsor_id = :s" if scope.sponsor_id is not None else "")
           + " ORDER BY e.first_month, e.id")
    params: dict[str, object] = {"w": worker_id}
    if scope.sponsor_id is not None:
        params["s"] = scope.sponsor_id
    rows = session.execute(text(sql).columns(at=kitdb.UtcDateTime()), params)
    return [EnrolmentRow(str(code), int(first), int(last), str(status), int(cost), str(actor), at,
                         None if source is None else str(source))
            for code, first, last, status, cost, actor, at, source in rows]


def by_nik(session: Session, nik: str) -> Worker | None:
    return session.scalars(
        select(Worker).where(Worker.nik == nik).options(selectinload(Worker.heirs))).one_or_none()


def by_id(session: Session, worker_id: int) -> Worker | None:
    return session.get(Worker, worker_id, options=[selectinload(Worker.heirs)])


def serial_neighbours(session: Session, nik: str) -> list[Worker]:
    """Workers whose NIK differs from ``nik`` only in the serial (the last four digits): the same
    kecamatan, birth date and sex. One range of the NIK index."""
    return list(session.scalars(
        select(Worker).where(Worker.nik.between(nik[:12] + "0000", nik[:12] + "9999"), Worker.nik != nik)
        .order_by(Worker.nik)))


# PostgreSQL advisory lock of the registry, in the two-key space (which never meets the one-key
# space of the NIK prefixes below): "LIND" and 1.
_REGISTRY_LOCK = {"a": 0x4C494E44, "b": 1}


def lock_serial_range(session: Session, nik: str) -> None:
    """Hold the NIK's kecamatan, birth date and sex (its first 12 digits) until the end of the
    transaction, so that two officers registering one person under two serials at the same moment
    do not both pass ``serial_neighbours``: the second waits, then sees the first (PostgreSQL: a
    transaction-level advisory lock keyed by those 12 digits). Before it, the registry is held shared,
    so that a registration waits for a bulk import in progress and then sees the workers it registered
    (``lock_registry_for_import``). On SQLite the write transaction (``BEGIN IMMEDIATE``) already
    excludes every other writer."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:a, :b)"), _REGISTRY_LOCK)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(nik[:12])})


def lock_registry_for_import(session: Session) -> None:
    """A bulk import compares its rows with the registry as it was when it began, and registers
    workers nobody else sees until it commits: hold the registry until the end of its transaction, so
    that ``worker add`` waits for it (and then finds its workers, or their serial variants) instead of
    registering one of its people a second time, and the import waits for registrations in progress
    (PostgreSQL; on SQLite the write transaction already excludes every other writer). Taken first,
    before the agreement and ``enrolments`` locks: a registration holds no other lock an import needs."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), _REGISTRY_LOCK)


def lock(session: Session, worker_id: int) -> None:
    """Hold the worker's row until the end of the transaction (PostgreSQL ``FOR UPDATE``).

    On SQLite the write transaction (``BEGIN IMMEDIATE``) already excludes every other writer.
    """
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(Worker.id).where(Worker.id == worker_id).with_for_update())


def occupation(session: Session, code: str) -> Occupation | None:
    return session.get(Occupation, code)


def occupations(session: Session) -> list[Occupation]:
    return list(session.scalars(select(Occupation).order_by(Occupation.code)))


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Worker)) or 0)


def sample(session: Session, limit: int) -> list[Worker]:
    return list(session.scalars(select(Worker).order_by(Worker.id).limit(limit)))


def died_on(session: Session, worker_id: int) -> dt.date | None:
    """The recorded date of the worker's death, if any (``worker_deaths`` belongs to billing, which
    records it; read here by name so that the registry does not import billing)."""
    value = session.execute(text("SELECT died_on FROM worker_deaths WHERE worker_id = :w"),
                            {"w": worker_id}).scalar()
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))  # SQLite hands a text() column back as text


def find(session: Session, *, words: Sequence[str] = (), nik_digits: str = "", region_code: str = "",
         agreement_id: int | None = None, needs_review: bool = False, limit: int = 50, offset: int = 0,
         scope: Scope = EVERYTHING) -> tuple[list[Worker], int]:
    """Workers whose name holds every one of ``words`` (case-insensitive), whose NIK ends with
    ``nik_digits``, who live in ``region_code`` (any level) and, with ``agreement_id``, are enrolled
    in it (active), and, with ``needs_review``, are flagged for review: each condition given must
    hold; by name. Returns (``limit`` of them from the ``offset``-th, how many
    match). A scan of the registry: an officer's search, not a bulk path. ``enrolments`` is read by
    name (the registry does not import enrolment)."""
    conditions: list[ColumnElement[bool]] = []
    # autoescape: a % or _ in what the officer typed matches only itself.
    for word in words:
        conditions.append(kitdb.lower(session, Worker.name).contains(word.lower(), autoescape=True))
    if nik_digits:
        conditions.append(Worker.nik.endswith(nik_digits, autoescape=True))
    where = and_(*conditions, _narrowed(region_code, agreement_id, needs_review), _in_scope(scope))
    total = int(session.scalar(select(func.count()).select_from(Worker).where(where)) or 0)
    found = list(session.scalars(select(Worker).where(where).order_by(Worker.name, Worker.id)
                                  .limit(limit).offset(offset)))
    return found, total


def _narrowed(region_code: str, agreement_id: int | None, needs_review: bool) -> ColumnElement[bool]:
    """The conditions of ``find`` besides the name and the NIK."""
    conditions: list[ColumnElement[bool]] = []
    if region_code:
        conditions.append(or_(Worker.domicile_code == region_code,
                              Worker.domicile_code.startswith(f"{region_code}.", autoescape=True)))
    if agreement_id is not None:
        conditions.append(exists(
            select(literal(1)).select_from(text("enrolments e"))
            .where(text("e.worker_id = workers.id AND e.agreement_id = :aid AND e.status = 'active'")
                   .bindparams(aid=agreement_id))))
    if needs_review:
        conditions.append(Worker.needs_review.is_(True))
    return and_(*conditions) if conditions else literal(True)


def names_within(session: Session, *, region_code: str = "", agreement_id: int | None = None,
                 needs_review: bool = False, at_most: int, scope: Scope = EVERYTHING) -> list[tuple[int, str]]:
    """(id, name) of up to ``at_most`` workers of a region and/or an agreement (``find``'s other
    conditions), for comparing names in Python."""
    return [(int(i), str(n)) for i, n in session.execute(
        select(Worker.id, Worker.name).where(_narrowed(region_code, agreement_id, needs_review), _in_scope(scope))
        .order_by(Worker.id).limit(at_most))]


def by_ids(session: Session, ids: Sequence[int]) -> list[Worker]:
    """The workers with these ids, by name."""
    if not ids:
        return []
    return list(session.scalars(select(Worker).where(Worker.id.in_(ids)).order_by(Worker.name, Worker.id)))


def active_enrolments(session: Session, worker_ids: Sequence[int],
                      scope: Scope = EVERYTHING) -> dict[int, list[tuple[str, int, int]]]:
    """worker id -> (agreement code, first month, last month) of each active enrolment (of ``scope``'s
    sponsor only, for a sponsor's staff), in order."""
    out: dict[int, list[tuple[str, int, int]]] = {}
    if not worker_ids:
        return out
    own = " AND a.sponsor_id = :s" if scope.sponsor_id is not None else ""
    rows = session.execute(text(
        "SELECT e.worker_id, a.code, e.first_month, e.last_month FROM enrolments e "
        f"JOIN agreements a ON a.id = e.agreement_id WHERE e.status = 'active' AND e.worker_id IN :ids{own} "
        "ORDER BY e.worker_id, e.first_month, a.code").bindparams(bindparam("ids", expanding=True)),
        {"ids": list(worker_ids), **({"s": scope.sponsor_id} if own else {})})
    for worker_id, code, first, last in rows:
        out.setdefault(int(worker_id), []).append((str(code), int(first), int(last)))
    return out

"""SQL for workers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from lindung.workers.models import Occupation, Worker


def by_nik(session: Session, nik: str) -> Worker | None:
    return session.scalars(
        select(Worker).where(Worker.nik == nik).options(selectinload(Worker.heirs))).one_or_none()


def lock(session: Session, worker_id: int) -> None:
    """Hold the worker's row until the end of the transaction (PostgreSQL ``FOR UPDATE``).

    On SQLite the write transaction (``BEGIN IMMEDIATE``) already excludes every other writer.
    """
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(Worker.id).where(Worker.id == worker_id).with_for_update())


def occupation(session: Session, code: str) -> Occupation | None:
    return session.get(Occupation, code)


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

"""SQL for workers."""

from __future__ import annotations

from sqlalchemy import func, select
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

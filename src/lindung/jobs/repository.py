"""SQL for jobs."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lindung.jobs.models import Job
from lindung.kit.paging import Paged, Window, fetch


def get(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def by_key(session: Session, created_by_id: int | None, key: str) -> Job | None:
    """The job ``created_by_id`` started with the idempotency ``key``."""
    query = select(Job).where(Job.idempotency_key == key)
    query = query.where(Job.created_by_id.is_(None) if created_by_id is None else Job.created_by_id == created_by_id)
    found: Job | None = session.scalars(query).one_or_none()
    return found


def newest(session: Session, window: Window, *, created_by_id: int | None = None, kind: str | None = None
           ) -> Paged[Job]:
    query = select(Job).order_by(Job.id.desc())
    if created_by_id is not None:
        query = query.where(Job.created_by_id == created_by_id)
    if kind is not None:
        query = query.where(Job.kind == kind)
    return fetch(session, query, window)


def set_progress(session: Session, job_id: int, done: int, total: int | None) -> None:
    session.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(done=done, total=total))

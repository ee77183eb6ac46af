"""SQL for jobs."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lindung.jobs.models import Job


def get(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def newest(session: Session, limit: int, *, created_by_id: int | None = None) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if created_by_id is not None:
        query = query.where(Job.created_by_id == created_by_id)
    return list(session.scalars(query))


def set_progress(session: Session, job_id: int, done: int, total: int | None) -> None:
    session.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(done=done, total=total))

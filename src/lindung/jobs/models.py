"""A job: one run of long work, its parameters, progress and outcome."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base, UtcDateTime

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(Base):
    """``params`` and ``result`` are JSON values (never personal data: a file is named, not copied);
    ``error_code``/``error_context`` the message a failed job ended with. ``host`` and ``pid`` say
    which process runs it, so that a job whose process died is told apart from one still running.
    ``idempotency_key`` and ``fingerprint``: a request that may be sent again (``jobs.service.start``)."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        CheckConstraint("done >= 0", name="done"),
        Index("ix_jobs_created_at", "created_at"),
        Index("uq_jobs_idempotency", "created_by_id", "idempotency_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    host: Mapped[str | None] = mapped_column(String(64))
    pid: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    """The ``Idempotency-Key`` its starter sent (an upload over HTTP): the same key again is this job."""
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    """The SHA-256 of what was sent with the key (the file): the same key with another file is refused."""

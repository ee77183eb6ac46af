"""Enrolments: worker × agreement × month span, with the cost committed when it was accepted.

Invariant: a worker is never covered twice for the same month. The service checks it under a lock
on the worker row; on PostgreSQL an exclusion constraint (btree_gist, created by the migration, not
declared here) makes two overlapping active spans impossible:
``EXCLUDE USING gist (worker_id WITH =, int4range(first_month, last_month, '[]') WITH &&)
WHERE (status = 'active')``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lindung.kit.db import Base, UtcDateTime
from lindung.sponsors.models import Agreement
from lindung.workers.models import Worker

ENROLMENT_STATUSES = ("active", "cancelled")
SECTORS = ("transport", "other")


class Enrolment(Base):
    """``first_month``/``last_month`` are ``Month.index`` integers (inclusive). ``sector`` and
    ``occupation_code`` are the worker's at acceptance; ``committed_cost`` is the contribution of the
    whole span from the price table then in force, kept as it was."""

    __tablename__ = "enrolments"
    __table_args__ = (
        CheckConstraint("first_month <= last_month", name="span"),
        CheckConstraint("committed_cost >= 0", name="committed_cost"),
        CheckConstraint("status IN ('active', 'cancelled')", name="status"),
        CheckConstraint("sector IN ('transport', 'other')", name="sector"),
        Index("ix_enrolments_worker_id_first_month", "worker_id", "first_month"),
        Index("ix_enrolments_agreement_id_status", "agreement_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(Integer, ForeignKey("workers.id"))
    agreement_id: Mapped[int] = mapped_column(Integer, ForeignKey("agreements.id"))
    first_month: Mapped[int] = mapped_column(Integer)
    last_month: Mapped[int] = mapped_column(Integer)
    occupation_code: Mapped[str] = mapped_column(String(32), ForeignKey("occupations.code"))
    sector: Mapped[str] = mapped_column(String(16))
    committed_cost: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="active")
    enrolled_by: Mapped[str] = mapped_column(String(100))
    enrolled_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    source: Mapped[str | None] = mapped_column(String(100))
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    worker: Mapped[Worker] = relationship()
    agreement: Mapped[Agreement] = relationship()

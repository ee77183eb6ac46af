"""The audit log, and the provenance of registry rows. Both name people by the name they gave, and
subjects by id, never by NIK."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base, UtcDateTime


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject_type_subject_id", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)


class Provenance(Base):
    """Who wrote a set of registry rows, when, and from what: one per registration, enrolment or
    bulk import. Workers and enrolments name theirs by ``provenance_id`` instead of each carrying the
    same person, time and source: a bulk import wrote those three values once per worker and once
    per enrolment, which made up a third of the bytes it wrote (see ``workers.models.Worker``)."""

    __tablename__ = "provenances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    source: Mapped[str | None] = mapped_column(String(100))

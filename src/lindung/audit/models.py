"""The audit log, and the provenance of registry rows. Both name people by user (id, and the
username beside it, which is how rows from before users existed name them), and subjects by id,
never by NIK."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base, UtcDateTime


class AuditEntry(Base):
    """Who did what, when, to which subject. ``data`` holds the entry's facts as values (codes,
    numbers, field names: never personal data), rendered in the reader's language from the message
    ``audit.detail.<action>``; ``detail`` is the English text entries had before 7 December 2026,
    shown as it was written."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject_type_subject_id", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, object] | None] = mapped_column(JSON)


class Provenance(Base):
    """Who wrote a set of registry rows, when, and from what: one per registration, enrolment or
    bulk import. Workers and enrolments name theirs by ``provenance_id`` instead of each carrying the
    same person, time and source: a bulk import wrote those three values once per worker and once
    per enrolment, which made up a third of the bytes it wrote (see ``workers.models.Worker``)."""

    __tablename__ = "provenances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    source: Mapped[str | None] = mapped_column(String(100))

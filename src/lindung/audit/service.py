"""Writing the audit log. Subjects are named by id; personal data never goes into ``detail``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lindung.audit.models import AuditEntry
from lindung.kit.db import utcnow


def record(session: Session, *, actor: str, action: str, subject_type: str, subject_id: int,
           detail: str | None = None) -> AuditEntry:
    entry = AuditEntry(at=utcnow(), actor=actor, action=action, subject_type=subject_type,
                       subject_id=subject_id, detail=detail)
    session.add(entry)
    session.flush()
    return entry


def entries_for(session: Session, subject_type: str, subject_id: int) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
        .order_by(AuditEntry.id)))

"""SQL for the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from lindung.audit.models import AuditEntry
from lindung.kit.paging import Paged, Window, fetch


def for_subject(session: Session, subject_type: str, subject_id: int) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
        .order_by(AuditEntry.id)))


def subject_query(subject_type: str, subject_id: int) -> Select[AuditEntry]:
    """Every entry about one subject, newest first (for ``kit.paging.fetch``)."""
    return (select(AuditEntry).where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
            .order_by(AuditEntry.id.desc()))


def _matching(*, actor: str | None, action: str | None, after: dt.datetime | None, before: dt.datetime | None,
              subject: tuple[str, int] | None) -> Select[Any]:
    """The entries that match, newest first (by id: unique, and in the order they were written);
    ``actor`` compared in lower case (usernames are, and names recorded before users existed may not be)."""
    query = select(AuditEntry)
    if actor:
        query = query.where(func.lower(AuditEntry.actor) == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if after is not None:
        query = query.where(AuditEntry.at >= after)
    if before is not None:
        query = query.where(AuditEntry.at < before)
    if subject is not None:
        query = query.where(AuditEntry.subject_type == subject[0], AuditEntry.subject_id == subject[1])
    return query.order_by(AuditEntry.id.desc())


def search(session: Session, *, actor: str | None, action: str | None, after: dt.datetime | None,
           before: dt.datetime | None, subject: tuple[str, int] | None, limit: int) -> list[AuditEntry]:
    """The newest ``limit`` entries that match."""
    query = _matching(actor=actor, action=action, after=after, before=before, subject=subject)
    return list(session.scalars(query.limit(limit)))


def page(session: Session, *, actor: str | None, action: str | None, after: dt.datetime | None,
         before: dt.datetime | None, subject: tuple[str, int] | None, window: Window) -> Paged[AuditEntry]:
    """One page of the entries that match, newest first, and how many match (cut in SQL)."""
    found: Paged[AuditEntry] = fetch(session, _matching(actor=actor, action=action, after=after, before=before,
                                                        subject=subject), window)
    return found

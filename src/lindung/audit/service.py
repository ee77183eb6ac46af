"""Writing the audit log. Subjects are named by id; personal data never goes into ``detail``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from lindung.audit.models import AuditEntry, Provenance
from lindung.kit import clock
from lindung.kit.db import utcnow
from lindung.kit.errors import InvalidInput

PERSON_MAX = 100
"""The longest name of a person who acts (an officer, a supervisor): the audit log's column."""


def normalize_person(text: str, field: str = "by") -> str:
    """The name of whoever acts (``--by``, LINDUNG_USER, the login name) as recorded: runs of spaces
    made one; empty or longer than ``PERSON_MAX`` is refused, naming ``field``."""
    person = " ".join(str(text).split())
    if not person or len(person) > PERSON_MAX:
        raise InvalidInput(field, text, reason="person")
    return person


def same_person(a: str, b: str) -> bool:
    """Whether two recorded names are one person for maker-checker ("Ani.Petugas" is ani.petugas)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def record(session: Session, *, actor: str, action: str, subject_type: str, subject_id: int,
           detail: str | None = None) -> AuditEntry:
    entry = AuditEntry(at=utcnow(), actor=normalize_person(actor), action=action, subject_type=subject_type,
                       subject_id=subject_id, detail=detail)
    session.add(entry)
    session.flush()
    return entry


def provenance(session: Session, *, actor: str, source: str | None = None,
               at: dt.datetime | None = None) -> Provenance:
    """A new provenance row (flushed: its id names the rows written under it)."""
    row = Provenance(actor=normalize_person(actor), at=at or utcnow(), source=source)
    session.add(row)
    session.flush()
    return row


def entries_for(session: Session, subject_type: str, subject_id: int) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
        .order_by(AuditEntry.id)))


def entries(session: Session, *, actor: str | None = None, action: str | None = None,
            since: dt.date | None = None, until: dt.date | None = None,
            subject: tuple[str, int] | None = None, limit: int = 100) -> list[AuditEntry]:
    """The newest ``limit`` entries that match: ``action`` is a prefix ("worker." for every worker
    action), ``since``/``until`` whole days of the branch's zone (``kit.clock``), ``subject`` a (type, id) pair."""
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    # The calendar's first and last days leave nothing out (and have no instant before or after them
    # in every zone: 1 January of year 1 in WIB began in year 0 in UTC).
    if since is not None and since > dt.date.min:
        query = query.where(AuditEntry.at >= clock.day_start(since))
    if until is not None and until < dt.date.max:
        query = query.where(AuditEntry.at < clock.day_start(until + dt.timedelta(days=1)))
    if subject is not None:
        query = query.where(AuditEntry.subject_type == subject[0], AuditEntry.subject_id == subject[1])
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))

"""The imports made: their history, and taking one back before it was billed.

An import is one ``provenances`` row (who, when, ``import:FILE``) named by every worker it created and
every enrolment it made. ``history`` lists them with what they still hold. ``undo`` takes one back —
the sponsor's file went into the wrong agreement, or the wrong file was sent — by cancelling its
active enrolments and giving their places and committed rupiah back to the agreement, in one
transaction. Only while nothing has been built on them: none of its enrolments may have a
contribution line (billed, hence owed or paid) or have been cut short already; otherwise the
enrolments are ended one by one through billing (``billing leave``), which settles the money. The
workers it registered stay in the registry (they are real people, with valid NIKs); re-importing
the right file later finds them registered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import case, func, select, text, update
from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.audit.models import Provenance
from lindung.enrolment import repository as enrolments
from lindung.enrolment.models import Enrolment
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, NotFound
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import Agreement

IMPORT_SOURCE = "import:"


class ImportNotUndoable(Conflict):
    code = "import.undo_billed"


@dataclass(frozen=True, slots=True)
class ImportRecord:
    id: int
    at: dt.datetime
    by: str
    file: str
    agreement: str
    active: int
    cancelled: int
    committed_cost: int

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat(timespec="seconds")}


def history(session: Session, agreement_code: str | None = None, *, limit: int = 100) -> list[ImportRecord]:
    """The newest ``limit`` imports (of one agreement, or all), with their enrolments now."""
    active = Enrolment.status == "active"
    query = (
        select(Provenance.id, Provenance.at, Provenance.actor, Provenance.source, Agreement.code,
               func.sum(case((active, 1), else_=0)), func.sum(case((active, 0), else_=1)),
               func.sum(case((active, Enrolment.committed_cost), else_=0)))
        .join(Enrolment, Enrolment.provenance_id == Provenance.id)
        .join(Agreement, Agreement.id == Enrolment.agreement_id)
        .where(Provenance.source.startswith(IMPORT_SOURCE, autoescape=True))
        .group_by(Provenance.id, Provenance.at, Provenance.actor, Provenance.source, Agreement.code)
        .order_by(Provenance.id.desc()).limit(limit))
    if agreement_code is not None:
        query = query.where(Enrolment.agreement_id == sponsors.get_agreement(session, agreement_code).id)
    return [ImportRecord(int(pid), at, str(by), str(source)[len(IMPORT_SOURCE):], str(code), int(n_active),
                         int(n_cancelled), int(cost))
            for pid, at, by, source, code, n_active, n_cancelled, cost in session.execute(query)]


@dataclass(frozen=True, slots=True)
class UndoResult:
    import_id: int
    file: str
    agreement: str
    cancelled: int
    released_cost: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def undo(session: Session, import_id: int, *, by: str) -> UndoResult:
    """Cancel the active enrolments of import ``import_id`` (see the module); flushes."""
    by = sponsors.normalize_person(by)
    found = session.execute(text("SELECT source FROM provenances WHERE id = :p"), {"p": import_id}).first()
    if found is None or not str(found[0] or "").startswith(IMPORT_SOURCE):
        raise NotFound("import.not_found", value=import_id)
    file = str(found[0])[len(IMPORT_SOURCE):]
    params = {"p": import_id}
    codes = [str(c) for (c,) in session.execute(text(
        "SELECT DISTINCT a.code FROM enrolments e JOIN agreements a ON a.id = e.agreement_id "
        "WHERE e.provenance_id = :p AND e.status = 'active' ORDER BY a.code"), params)]
    if not codes:
        raise ImportNotUndoable("import.undo_nothing", value=import_id, file=file)
    # The same locks as an import, agreement rows in code order: a bill run locks the agreement rows
    # too, so it either billed before (and the check below sees its lines) or waits for this to commit.
    for code in codes:
        sponsors.get_agreement(session, code, for_update=True)
    enrolments.lock_for_bulk_enrolment(session)
    mine = "SELECT id FROM enrolments WHERE provenance_id = :p AND status = 'active'"
    billed = session.execute(text(
        f"SELECT COUNT(DISTINCT enrolment_id) FROM contribution_lines WHERE enrolment_id IN ({mine})"),
        params).scalar_one()
    cut = session.execute(text(f"SELECT COUNT(*) FROM enrolment_ends WHERE enrolment_id IN ({mine})"),
                          params).scalar_one()
    if billed or cut:
        raise ImportNotUndoable("import.undo_billed", value=import_id, file=file, billed=int(billed), cut=int(cut))
    per_agreement = session.execute(text(
        "SELECT agreement_id, COUNT(*), COALESCE(SUM(committed_cost), 0) FROM enrolments "
        "WHERE provenance_id = :p AND status = 'active' GROUP BY agreement_id ORDER BY agreement_id"), params).all()
    session.execute(
        update(Enrolment).where(Enrolment.provenance_id == import_id, Enrolment.status == "active")
        .values(status="cancelled", cancelled_by=by, cancelled_at=utcnow())
        .execution_options(synchronize_session=False))
    cancelled = released = 0
    for agreement_id, n, cost in per_agreement:
        enrolments.release(session, int(agreement_id), workers=int(n), cost=int(cost))
        cancelled += int(n)
        released += int(cost)
        audit.record(session, actor=by, action="enrolment.import_undo", subject_type="agreement",
                     subject_id=int(agreement_id), detail=f"import {import_id} ({file}): cancelled {int(n)}")
    session.flush()
    return UndoResult(import_id, file, ", ".join(codes), cancelled, released)

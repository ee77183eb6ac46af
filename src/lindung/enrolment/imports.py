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

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.enrolment import repository as enrolments
from lindung.enrolment.repository import IMPORT_SOURCE
from lindung.enrolment.schemas import ImportRecord, UndoResult
from lindung.kit.auth import Actor
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, NotFound
from lindung.kit.paging import Paged, Window
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import OPEN_STATUSES
from lindung.sponsors.schemas import AgreementRead
from lindung.summary import cells
from lindung.summary.cells import Touched


class ImportNotUndoable(Conflict):
    code = "import.undo_billed"


def open_agreements(session: Session, *, by: Actor) -> list[AgreementRead]:
    """The agreements ``by`` may send a file into now: approved or active, by code (a sponsor's staff:
    their sponsor's); for a user who may check, propose or import files."""
    by.require_any("import.propose", "import.run")
    return sponsors.list_agreements(session, by=by, statuses=OPEN_STATUSES)


def history(session: Session, agreement_code: str | None = None, *, by: Actor, limit: int = 100) -> list[ImportRecord]:
    """The newest ``limit`` imports (of one agreement, or all; a sponsor's staff: their sponsor's),
    with their enrolments now."""
    by.require("import.read")
    return [_record(row) for row in enrolments.import_history(session, _agreement_id(session, agreement_code, by),
                                                               limit, by.scope)]


def history_page(session: Session, agreement_code: str | None = None, *, by: Actor, window: Window
                 ) -> Paged[ImportRecord]:
    """``history``, a page of it (newest first), cut in SQL."""
    by.require("import.read")
    return enrolments.import_history_page(session, _agreement_id(session, agreement_code, by), window,
                                          by.scope).map(_record)


def show(session: Session, import_id: int, *, by: Actor) -> ImportRecord:
    """One import with its enrolments now (a sponsor's staff: their sponsor's only; another's is not
    found). An import that enrolled into several agreements names them all, comma-separated, with
    their enrolments added up."""
    by.require("import.read")
    rows = [_record(row) for row in enrolments.import_record(session, import_id, by.scope)]
    if not rows:
        raise NotFound("import.not_found", value=import_id)
    first = rows[0]
    return first.model_copy(update={"agreement": ", ".join(r.agreement for r in rows),
                                    "active": sum(r.active for r in rows),
                                    "cancelled": sum(r.cancelled for r in rows),
                                    "committed_cost": sum(r.committed_cost for r in rows)})


def _agreement_id(session: Session, agreement_code: str | None, by: Actor) -> int | None:
    return (sponsors.get_agreement(session, agreement_code, scope=by.scope).id
            if agreement_code is not None else None)


def _record(row: enrolments.HistoryRow) -> ImportRecord:
    pid, at, who, source, code, active, cancelled, cost = row
    return ImportRecord(id=pid, at=at, by=who, file=source[len(IMPORT_SOURCE):], agreement=code, active=active,
                        cancelled=cancelled, committed_cost=cost)


def undo(session: Session, import_id: int, *, by: Actor) -> UndoResult:
    """Cancel the active enrolments of import ``import_id`` (see the module); flushes."""
    by.require("import.run")
    source = enrolments.import_source(session, import_id)
    if source is None:
        raise NotFound("import.not_found", value=import_id)
    file = source[len(IMPORT_SOURCE):]
    codes = enrolments.import_agreement_codes(session, import_id)
    if not codes:
        raise ImportNotUndoable("import.undo_nothing", value=import_id, file=file)
    # The same locks as an import, agreement rows in code order: a bill run locks the agreement rows
    # too, so it either billed before (and the check below sees its lines) or waits for this to commit.
    for code in codes:
        sponsors.get_agreement(session, code, for_update=True, scope=by.scope)
    enrolments.lock_for_bulk_enrolment(session)
    billed, cut = enrolments.import_built_on(session, import_id)
    if billed or cut:
        raise ImportNotUndoable("import.undo_billed", value=import_id, file=file, billed=billed, cut=cut)
    cancelled = released = 0
    with cells.tracking(session, Touched.provenance(import_id)):
        for agreement_id, n, cost in enrolments.cancel_import(session, import_id, by=by.username, at=utcnow()):
            enrolments.release(session, agreement_id, workers=n, cost=cost)
            cancelled += n
            released += cost
            audit.record(session, actor=by, action="enrolment.import_undo", subject_type="agreement",
                         subject_id=agreement_id, data={"import": import_id, "file": file, "cancelled": n})
    session.flush()
    return UndoResult(import_id=import_id, file=file, agreement=", ".join(codes), cancelled=cancelled,
                      released_cost=released)

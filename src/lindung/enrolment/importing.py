"""The import use cases as a door calls them: import a file now, check it, propose it, approve a
proposal or check what approving it would do now.

Each takes the file as an ``Upload`` (or a proposal's number), the agreement, who acts and the
branch's day, and gives an ``ImportSummary``; the refused rows go to ``on_errors`` (row, column,
value, message code, detail: the door renders and writes them), progress to ``on_progress``. Unlike
the one-transaction services, each runs on an engine in the transactions it needs and commits them:

- a check runs the whole import and rolls it back, then records who checked what
  (``enrolment.import_check``) in a transaction of its own;
- a proposal refuses a file waiting already, checks it as above (without the check's entry: the
  proposal's own says it) and keeps it in a transaction of its own;
- an approval imports the kept file in the transaction that marks the proposal approved; its check
  runs that and rolls it back, then records the check.

So whatever fails leaves nothing of the step under way, and the step can be run again. These are
what an import job carries out (``enrolment.jobs``); the CLI runs the job in the foreground.
"""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import Engine

from lindung.enrolment import proposals
from lindung.enrolment.importer import ErrorSink, Progress, import_workers, record_check
from lindung.enrolment.schemas import ImportSummary, Upload
from lindung.kit.auth import Actor
from lindung.kit.db import session_scope


def import_file(engine: Engine, upload: Upload, agreement: str, *, by: Actor, today: dt.date,
                sheet: str | None = None, on_progress: Progress | None = None, on_errors: ErrorSink | None = None,
                phases: dict[str, float] | None = None) -> ImportSummary:
    """Import the file now (``import.run``), committed. ``phases`` (a benchmark's) gets the seconds of
    each phase, the commit's too."""
    with session_scope(engine) as session:
        summary = import_workers(session, upload, agreement, by=by, today=today, sheet=sheet,
                                 on_progress=on_progress, on_errors=on_errors, phases=phases)
        committing = time.perf_counter()
    if phases is not None:
        phases["commit"] = time.perf_counter() - committing
    return summary


def check_file(engine: Engine, upload: Upload, agreement: str, *, by: Actor, today: dt.date,
               sheet: str | None = None, on_progress: Progress | None = None,
               on_errors: ErrorSink | None = None) -> ImportSummary:
    """What importing the file would do now (``import.propose`` or ``import.run``): the whole import
    against the registry as it is, rolled back; then the check's audit entry, committed."""
    with session_scope(engine, dry_run=True) as session:
        summary = import_workers(session, upload, agreement, by=by, today=today, sheet=sheet, purpose="check",
                                 on_progress=on_progress, on_errors=on_errors)
    with session_scope(engine) as session:
        record_check(session, summary, by=by)
    return summary


def propose_file(engine: Engine, upload: Upload, agreement: str, *, by: Actor, today: dt.date,
                 sheet: str | None = None, on_progress: Progress | None = None,
                 on_errors: ErrorSink | None = None) -> ImportSummary:
    """Check the file and keep it for another person to approve (``import.propose``); the summary
    names the proposal kept (``proposal_id``). A file with no row to read is not kept: its check is
    recorded, as a check's is. The same file waiting already for the agreement is refused first
    (``ProposalWaiting``), before it is checked again."""
    by.require("import.propose")
    kept = Upload(upload.name, upload.read_bytes())  # what is checked is what is kept, byte for byte
    with session_scope(engine, dry_run=True) as session:
        proposals.refuse_waiting_twin(session, agreement, proposals.digest(kept.read_bytes()), sheet, by=by)
    with session_scope(engine, dry_run=True) as session:
        summary = import_workers(session, kept, agreement, by=by, today=today, sheet=sheet, purpose="check",
                                 on_progress=on_progress, on_errors=on_errors)
    with session_scope(engine) as session:
        if not summary.read:
            record_check(session, summary, by=by)
            return summary
        proposal = proposals.propose(session, kept, summary, by=by, sheet=sheet)
    return summary.model_copy(update={"proposal_id": proposal.id})


def approve_proposal(engine: Engine, proposal_id: int, *, by: Actor, today: dt.date,
                     on_progress: Progress | None = None, on_errors: ErrorSink | None = None) -> ImportSummary:
    """Import the file a proposal keeps (``import.approve``, not its proposer), committed with the
    proposal marked approved."""
    with session_scope(engine) as session:
        _view, summary = proposals.approve(session, proposal_id, by=by, today=today, on_errors=on_errors,
                                           on_progress=on_progress)
    return summary


def check_approval(engine: Engine, proposal_id: int, *, by: Actor, today: dt.date,
                   on_progress: Progress | None = None, on_errors: ErrorSink | None = None) -> ImportSummary:
    """What approving the proposal would do now (``import.approve``): the registry, quota and budget
    may have changed since it was checked. The approval is run and rolled back (the proposal stays
    waiting); then the check's audit entry, committed."""
    with session_scope(engine, dry_run=True) as session:
        _view, approved = proposals.approve(session, proposal_id, by=by, today=today, on_errors=on_errors,
                                            on_progress=on_progress)
    summary = approved.model_copy(update={"dry_run": True, "import_id": None})
    with session_scope(engine) as session:
        record_check(session, summary, by=by)
    return summary

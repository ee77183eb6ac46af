"""An import as a job (``lindung.jobs``): what the CLI runs in the foreground, with its progress bar
fed from the job's progress, and a server will run in the background.

``start`` records the job, queued, in the caller's unit of work: its parameters (``ImportJob``: the
mode, the agreement, the file's name, the sheet, the proposal's number; never the file's content nor
any personal data). It refuses at once, writing nothing, a user whose role may not do what the job
would do, and an agreement or a proposal the user cannot reach. ``run`` then carries it out
(``enrolment.importing``) and records how it ended: done with the import's summary as its result, or
failed with the error's message code, nothing of the failed step imported.

The file itself is handed to ``run`` (an ``Upload``): a door keeps it until the job has run (the CLI
holds the open file; a server spools the upload to disk). An approval's file is the one its proposal
keeps.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lindung.enrolment import importing, proposals
from lindung.enrolment.importer import ErrorSink
from lindung.enrolment.schemas import ImportJob, ImportSummary, Upload
from lindung.jobs import service as jobs
from lindung.jobs.schemas import JobRead
from lindung.jobs.service import JobContext, Progress
from lindung.kit.auth import Actor
from lindung.kit.db import get_engine
from lindung.kit.errors import NotFound
from lindung.kit.paging import Paged, Window
from lindung.sponsors import service as sponsors

KIND = "import"


def permissions(job: ImportJob) -> tuple[str, ...]:
    """What a user needs to run ``job`` (any one of them)."""
    if job.mode == "import":
        return ("import.run",)
    if job.mode == "propose":
        return ("import.propose",)
    if job.mode == "approve" or job.proposal is not None:  # an approval, or its check
        return ("import.approve",)
    return ("import.propose", "import.run")


def start(session: Session, job: ImportJob, *, by: Actor, idempotency_key: str | None = None,
          fingerprint: str | None = None) -> JobRead:
    """Record an import job, queued (flushes): its agreement's code as the agreement has it, the
    file's name without folders; for an approval or its check, the proposal's agreement, file and
    sheet. An approval by its proposer, or of a proposal decided already, is refused here, before any
    job is recorded. With an ``idempotency_key``, see ``start_once``."""
    return start_once(session, job, by=by, idempotency_key=idempotency_key, fingerprint=fingerprint)[0]


def start_once(session: Session, job: ImportJob, *, by: Actor, idempotency_key: str | None = None,
               fingerprint: str | None = None) -> tuple[JobRead, bool]:
    """``start``, and whether this call recorded the job: with an ``idempotency_key`` (a client's,
    with ``fingerprint`` the SHA-256 of its file), the job ``by`` started with that key already is
    given back, not started again (``jobs.service.start_once``)."""
    by.require_any(*permissions(job))
    if job.proposal is not None:
        proposal = (proposals.approvable(session, job.proposal, by=by) if job.mode == "approve"
                    else proposals.show(session, job.proposal, by=by))
        job = job.model_copy(update={"agreement": proposal.agreement, "file": proposal.file, "sheet": proposal.sheet})
    else:
        assert job.agreement is not None and job.file is not None  # ImportJob holds it
        agreement = sponsors.get_agreement(session, job.agreement, scope=by.scope)
        job = job.model_copy(update={"agreement": agreement.code, "file": Upload(job.file, b"").file_name})
    return jobs.start_once(session, kind=KIND, params=job.model_dump(mode="json"), by=by,
                           idempotency_key=idempotency_key, fingerprint=fingerprint)


def show(session: Session, job_id: int, *, by: Actor) -> JobRead:
    """Import job ``job_id`` as it stands (``import.read``): its starter's, or any for a user without
    scope; another user's, or a job of another kind, is not found."""
    by.require("import.read")
    job = jobs.get(session, job_id, by=by)
    if job.kind != KIND:
        raise NotFound("job.not_found", value=job_id)
    return job


def newest(session: Session, *, by: Actor, window: Window) -> Paged[JobRead]:
    """The newest import jobs, a page of them (``import.read``; a scoped user's own only)."""
    by.require("import.read")
    return jobs.newest(session, by=by, window=window, kind=KIND)


def run(job_id: int, upload: Upload | None, *, by: Actor, today: dt.date, on_progress: Progress | None = None,
        on_errors: ErrorSink | None = None, engine: Engine | None = None,
        phases: dict[str, float] | None = None) -> ImportSummary:
    """Carry out import job ``job_id`` (``start``) with the file ``upload`` (None for an approval or
    its check: the proposal keeps the file); returns the summary, which the job row keeps as its
    result. ``on_progress`` gets (rows read, rough total or None) as the job's progress moves;
    ``on_errors`` the refused rows. ``engine``: the configured database's by default. ``phases`` (a
    benchmark's) gets the seconds of each phase of a direct import."""

    def work(context: JobContext) -> ImportSummary:
        job = ImportJob.model_validate(context.params)

        def progress(done: int, total: int) -> None:
            context.progress(done, total or None)

        who = context.actor
        if job.proposal is not None:
            if job.mode == "approve":
                return importing.approve_proposal(context.engine, job.proposal, by=who, today=today,
                                                  on_progress=progress, on_errors=on_errors)
            return importing.check_approval(context.engine, job.proposal, by=who, today=today,
                                            on_progress=progress, on_errors=on_errors)
        if upload is None:
            raise ValueError("the import of a file needs the file")
        assert job.agreement is not None  # ImportJob holds it
        if job.mode == "import":
            return importing.import_file(context.engine, upload, job.agreement, by=who, today=today, sheet=job.sheet,
                                         on_progress=progress, on_errors=on_errors, phases=phases)
        if job.mode == "propose":
            return importing.propose_file(context.engine, upload, job.agreement, by=who, today=today,
                                          sheet=job.sheet, on_progress=progress, on_errors=on_errors)
        return importing.check_file(context.engine, upload, job.agreement, by=who, today=today, sheet=job.sheet,
                                    on_progress=progress, on_errors=on_errors)

    result = jobs.run(engine or get_engine(), job_id, work, by=by, on_progress=on_progress)
    assert isinstance(result, ImportSummary)
    return result

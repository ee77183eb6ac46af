"""The bill run as a job (``lindung bill``; the server will run the same one in the background).

``start`` checks who asks (``bill.issue``) and what (an agreement that is open), then records the job
with its parameters (``BillRunRequest``: month, agreement or all, issue date, batch size). ``run``
carries it out through ``lindung.jobs.service``: the agreements to look at are read once, then billed
``batch`` at a time, each batch in its own unit of work (``billing.service.issue_bills``), and the job's
progress is the agreements done of the agreements there are. A run stopped half-way (a failure, an
interruption) keeps the batches it finished; the same run started again issues only what is missing,
since a bill run never bills a worker-month twice (``issue_bills``). The job's result is the
``BillRun`` of every batch together.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lindung.billing import service
from lindung.billing.schemas import BillRun, BillRunRequest
from lindung.jobs import service as jobs
from lindung.jobs.schemas import JobRead
from lindung.kit.auth import Actor
from lindung.kit.db import get_engine, session_scope

KIND = "bill_run"


def start(session: Session, request: BillRunRequest, *, by: Actor) -> JobRead:
    """A bill run, queued as a job (flushes; the caller's unit of work commits). Refused before
    anything is written when ``by`` may not issue bills, or the agreement asked for is unknown or not
    open."""
    by.require("bill.issue")
    if request.agreement is not None:
        service.billable_agreement_ids(session, request.month, request.agreement, scope=by.scope)
    return jobs.start(session, kind=KIND, params=request.model_dump(mode="json"), by=by)


def run(job_id: int, *, by: Actor, engine: Engine | None = None, on_progress: jobs.Progress | None = None) -> BillRun:
    """Carry out the bill run ``job_id`` (see ``start``) on ``engine`` (default: the configured
    database) and return what it issued; ``on_progress(done, total)`` hears of every batch."""
    result = jobs.run(engine or get_engine(), job_id, _bill_run, by=by, on_progress=on_progress)
    assert isinstance(result, BillRun)
    return result


def _bill_run(context: jobs.JobContext) -> BillRun:
    request = BillRunRequest.model_validate(context.params)
    with session_scope(context.engine, readonly=True) as session:
        ids = service.billable_agreement_ids(session, request.month, request.agreement, scope=context.actor.scope)
    total = len(ids)
    context.progress(0, total)
    done = 0
    out = BillRun.of(request.month, [])
    for chunk in batches(ids, request.batch):
        with session_scope(context.engine) as session:
            out = out.merge(service.issue_bills(session, request.month, today=request.issue_date, by=context.actor,
                                                agreement_ids=chunk))
        done += len(chunk)
        context.progress(done, total)
    return out


def batches(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]

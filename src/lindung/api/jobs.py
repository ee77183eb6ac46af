"""Long work over HTTP: an endpoint records a job (queued), commits, hands the work to the server's
``JobRunner`` and answers **202 Accepted** with the job and its address (``Location:
/api/v1/jobs/{id}``); the client reads ``GET /api/v1/jobs/{id}`` until its status is ``done`` (the
result: an import's summary, a bill run's totals) or ``failed`` (the error's message code).

The runner is a small pool of threads in the server's process (two by default, ``LINDUNG_JOB_WORKERS``):
the work is database-bound and opens its own units of work (``lindung.jobs.service.run``), so that a
request never waits for it and its progress is visible to the job's reader as it goes. A job left
queued or running when the server stops is shown as such (``interrupted`` once its process is gone)
and is started again by sending the request again.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import ReadSession, RowId
from lindung.api.paging import Page, PageWindow
from lindung.jobs import service as jobs
from lindung.jobs.schemas import JobRead
from lindung.kit.errors import LindungError
from lindung.kit.privacy import mask_niks_in_text

log = logging.getLogger("lindung.api.jobs")


class JobRunner:
    """Runs jobs' work in background threads and keeps no result: the job's row does."""

    def __init__(self, workers: int | None = None) -> None:
        count = workers or int(os.environ.get("LINDUNG_JOB_WORKERS", "2") or 2)
        self._pool = ThreadPoolExecutor(max_workers=max(1, count), thread_name_prefix="lindung-job")
        self._running: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, job_id: int, work: Callable[[], object]) -> None:
        future = self._pool.submit(self._run, job_id, work)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._running.discard(future)

    @staticmethod
    def _run(job_id: int, work: Callable[[], object]) -> None:
        try:
            work()
        except LindungError:
            pass  # said in the job's row (its message code), as the CLI says it on the terminal
        except Exception as exc:  # recorded in the job's row as an internal error; logged here
            log.error("job %s failed: %s", job_id, mask_niks_in_text(repr(exc)))

    def idle(self) -> bool:
        """True when no job of this runner is queued or running (tests wait for it)."""
        with self._lock:
            return not self._running

    def shutdown(self) -> None:
        """Wait for the running work; drop the queued (their rows stay queued: started again by hand)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.job_runner
    return runner


Runner = Annotated[JobRunner, Depends(_runner)]


def accepted(session: Session, runner: JobRunner, job: JobRead, work: Callable[[], object]) -> JSONResponse:
    """Commit the request's unit of work (the job's row with it), hand ``work`` to the runner, and answer
    202 with the job and its address."""
    session.commit()
    runner.submit(job.id, work)
    return JSONResponse(job.model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/api/v1/jobs/{job.id}"})


JOB_ACCEPTED = {202: {"model": JobRead, "description": "Started as a job: read it at the Location address"}}
"""The ``responses`` of an endpoint that answers with ``accepted``."""

router = APIRouter(tags=["jobs"])


@router.get("/jobs", dependencies=[requires()], summary="The newest jobs (a sponsor's staff: their own)")
def list_jobs(session: ReadSession, by: CurrentUser, window: PageWindow) -> Page[JobRead]:
    return Page[JobRead].of(jobs.newest(session, by=by, window=window))


@router.get("/jobs/{job_id}", dependencies=[requires()], summary="A job: its status, progress and result")
def show_job(job_id: RowId, session: ReadSession, by: CurrentUser) -> JobRead:
    return jobs.get(session, job_id, by=by)

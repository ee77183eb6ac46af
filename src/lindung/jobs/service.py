"""Running long work as a job: the CLI runs one in the foreground, the server will run the same one in
the background; either way it leaves a ``jobs`` row that says who started what, how far it got and
how it ended.

``start`` records the job (queued), in the caller's unit of work. ``run`` then carries it out: it
marks the job running (in a transaction of its own, so that others see it), hands the work a
``JobContext`` through which it reports progress, and records the result or the error when the work
ends. The work opens its own units of work (one for an import; one per batch of a bill run): a job
interrupted half-way keeps what its finished transactions committed and nothing of the one that was
running, as before jobs existed, and is run again by starting it again.

Progress is kept in this process as it comes (``JobContext.progress``: the CLI's progress bar reads
it, the server's job page will) and written to the row at most once a second on PostgreSQL, from a
connection of its own. On SQLite it is written when the job ends only: the work holds the database's
only write lock (an import runs in one transaction), and a second writer would wait for it.

Nothing here changes the process (no ``gc.disable``, no signal handlers): jobs run beside the requests
of a server.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lindung.jobs import repository
from lindung.jobs.models import Job
from lindung.jobs.schemas import JobRead
from lindung.kit.auth import Actor
from lindung.kit.db import session_scope, utcnow
from lindung.kit.errors import InvalidInput, LindungError, NotFound
from lindung.kit.paging import Paged, Window

PROGRESS_EVERY_SECONDS = 1.0
"""How often a running job's progress is written to its row (PostgreSQL)."""

_HOST = socket.gethostname()[:64]
_live: dict[int, tuple[int, int | None]] = {}
"""Progress of the jobs this process runs: job id -> (done, total)."""
_live_lock = threading.Lock()

Progress = Callable[[int, int | None], None]


@dataclass
class JobContext:
    """What a job's work gets: who runs it, its parameters, the engine to open its units of work on,
    and where to say how far it is."""

    job_id: int
    params: dict[str, Any]
    engine: Engine
    actor: Actor
    on_progress: Progress | None = None
    _written: float = field(default=0.0, repr=False)

    def progress(self, done: int, total: int | None = None) -> None:
        """``done`` of ``total`` (None: not known yet) units of the work are finished."""
        with _live_lock:
            _live[self.job_id] = (done, total)
        if self.on_progress is not None:
            self.on_progress(done, total)
        now = time.monotonic()
        if self.engine.dialect.name != "sqlite" and now - self._written >= PROGRESS_EVERY_SECONDS:
            self._written = now
            with session_scope(self.engine) as session:
                repository.set_progress(session, self.job_id, done, total)


Work = Callable[[JobContext], BaseModel]


def start(session: Session, *, kind: str, params: dict[str, Any], by: Actor, idempotency_key: str | None = None,
          fingerprint: str | None = None) -> JobRead:
    """A new job (queued) of ``kind`` with ``params`` (JSON values), started by ``by``; flushes. The use
    case the job carries out checks ``by``'s permission when it runs. With an ``idempotency_key``, the
    job ``by`` started with that key already, if any (``start_once``)."""
    return start_once(session, kind=kind, params=params, by=by, idempotency_key=idempotency_key,
                      fingerprint=fingerprint)[0]


def start_once(session: Session, *, kind: str, params: dict[str, Any], by: Actor, idempotency_key: str | None = None,
               fingerprint: str | None = None) -> tuple[JobRead, bool]:
    """(the job, True when this call made it). Without a key, a new job. With one (a client's
    ``Idempotency-Key``, unique per user), the job ``by`` started with it already, if any, whatever
    its status now: the first answer again, not a second run. When that job was started for another
    request (another kind, parameters or ``fingerprint``, the SHA-256 of an upload), InvalidInput
    ``invalid.idempotency_key_reused``: a client's bug, never a retry; nothing is started.

    Two requests with one key at once: the unique index (user, key) lets one insert win; the other's
    insert fails (on PostgreSQL after waiting for the winner's commit; SQLite writers take turns) and
    it reads the winner's job. The insert runs in a savepoint, so the caller's transaction goes on."""
    clean = _json(params)
    if idempotency_key is not None:
        found = repository.by_key(session, by.user_id, idempotency_key)
        if found is not None:
            return _repeated(found, idempotency_key, kind, clean, fingerprint), False
    job = Job(kind=kind, params=clean, status="queued", done=0, total=None, created_by=by.username,
              created_by_id=by.user_id, created_at=utcnow(), idempotency_key=idempotency_key, fingerprint=fingerprint)
    if idempotency_key is None:
        session.add(job)
        session.flush()
        return _read(job), True
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:
        found = repository.by_key(session, by.user_id, idempotency_key)
        if found is None:
            raise
        return _repeated(found, idempotency_key, kind, clean, fingerprint), False
    return _read(job), True


def _repeated(job: Job, key: str, kind: str, params: dict[str, Any], fingerprint: str | None) -> JobRead:
    if job.kind != kind or job.params != params or job.fingerprint != fingerprint:
        raise InvalidInput("idempotency_key", key, reason="idempotency_key_reused", job=job.id)
    return _read(job)


def run(engine: Engine, job_id: int, work: Work, *, by: Actor, on_progress: Progress | None = None) -> BaseModel:
    """Carry out job ``job_id`` with ``work`` and record how it ended; returns the work's result. A
    ``LindungError`` (bad input, a conflict) is recorded with its message code and raised again, as any
    other exception is (recorded as an interruption or a bug)."""
    with session_scope(engine) as session:
        job = repository.get(session, job_id)
        if job is None:
            raise NotFound("job.not_found", value=job_id)
        job.status, job.started_at, job.host, job.pid = "running", utcnow(), _HOST, os.getpid()
        params = dict(job.params)
    context = JobContext(job_id, params, engine, by, on_progress)
    try:
        result = work(context)
    except LindungError as error:
        _finish(engine, job_id, error_code=error.code, error_context=_json(error.context))
        raise
    except KeyboardInterrupt:
        _finish(engine, job_id, error_code="job.interrupted", error_context={})
        raise
    except BaseException as error:
        _finish(engine, job_id, error_code="internal_error.job", error_context={"type": type(error).__name__})
        raise
    _finish(engine, job_id, result=result.model_dump(mode="json"))
    return result


def _finish(engine: Engine, job_id: int, *, result: dict[str, Any] | None = None, error_code: str | None = None,
            error_context: dict[str, Any] | None = None) -> None:
    with _live_lock:
        done, total = _live.pop(job_id, (None, None))
    with session_scope(engine) as session:
        job = repository.get(session, job_id)
        if job is None:  # pragma: no cover - the row was there when the job started
            return
        job.status = "failed" if error_code is not None else "done"
        job.finished_at = utcnow()
        job.result, job.error_code, job.error_context = result, error_code, error_context
        if done is not None:
            job.done, job.total = done, total


def _json(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` as JSON values (dates and the like as text)."""
    out: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def _read(job: Job) -> JobRead:
    status, done, total = job.status, job.done, job.total
    if status == "running":
        with _live_lock:
            live = _live.get(job.id)
        if live is not None:
            done, total = live
        elif job.host == _HOST and job.pid is not None and not _alive(job.pid):
            status = "interrupted"
    return JobRead(id=job.id, kind=job.kind, params=job.params, status=status, done=done, total=total,
                   created_by=job.created_by, created_at=job.created_at, started_at=job.started_at,
                   finished_at=job.finished_at, result=job.result, error_code=job.error_code,
                   error_context=job.error_context)


def get(session: Session, job_id: int, *, by: Actor) -> JobRead:
    """A job as it stands (with the live progress of one this process runs). A scoped user sees only
    the jobs they started."""
    job = repository.get(session, job_id)
    if job is None or (not by.scope.unlimited and job.created_by_id != by.user_id):
        raise NotFound("job.not_found", value=job_id)
    return _read(job)


def newest(session: Session, *, by: Actor, window: Window | None = None, kind: str | None = None) -> Paged[JobRead]:
    """The newest jobs (of ``kind`` only, when given), a page of them (a scoped user's own only)."""
    own = None if by.scope.unlimited else by.user_id
    return repository.newest(session, window or Window(), created_by_id=own, kind=kind).map(_read)

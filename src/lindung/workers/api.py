"""Workers over HTTP (``/api/v1/workers``, ``/api/v1/agreements/{code}/enrolments``): the services of
``lindung worker add|update|show|find``, ``lindung enrol`` and ``lindung audit --worker``, the same
schemas as their ``--json``.

No NIK in a URL: a worker is addressed by their opaque ref (``workers.refs``); a NIK travels only in a
body (register, look up, enrol). NIKs are masked except through ``POST /workers/{ref}/unmask``
(``worker.read_nik``), which needs a reason and is written to the audit log. A sponsor's staff reach
only the workers their sponsor enrolled (any other ref: 404, as a ref of nobody); a regional viewer
none (403: no NIK, no name).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession, ReadSession
from lindung.api.paging import Page, PageWindow
from lindung.audit.schemas import AuditRead
from lindung.enrolment import service as enrolment
from lindung.enrolment.schemas import Enrolled
from lindung.kit import clock
from lindung.kit.paging import Paged
from lindung.kit.schemas import MonthText, Schema
from lindung.workers import service as workers
from lindung.workers.refs import REF_MAX_LENGTH
from lindung.workers.schemas import (
    NikLookup,
    Unmasking,
    WorkerCreate,
    WorkerFound,
    WorkerRead,
    WorkerRegistration,
    WorkerUpdate,
    WorkerUpdated,
)

router = APIRouter(tags=["workers"])

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
"""Text of a query or a path: no control characters (PostgreSQL takes no NUL in a text)."""
Ref = Annotated[str, Path(max_length=REF_MAX_LENGTH, description="The worker's opaque id (never the NIK)")]


class WorkerPage(Page[WorkerFound]):
    """One page of a worker search, by name; ``alike``: no name holds the words as typed, these are
    names that may be the same person's written otherwise (within the region or agreement asked)."""

    alike: bool
    alike_partial: bool


class EnrolmentRequest(Schema):
    """One registered worker to enrol: their NIK, and the first month (default: the agreement's
    start policy)."""

    nik: str
    first: MonthText | None = None


@router.post("/workers", status_code=201, dependencies=[requires("worker.write")],
             summary="Register a worker (the NIK decides who they are)")
def register(body: WorkerRegistration, session: DbSession, by: CurrentUser) -> WorkerRead:
    data = WorkerCreate(**dict(body), source="api")
    return workers.register(session, data, by=by, today=clock.today())


@router.get("/workers", dependencies=[requires("worker.read")],
            summary="Search workers by name, last NIK digits, region, agreement (NIKs masked)")
def search(session: ReadSession, by: CurrentUser, window: PageWindow,
           q: Annotated[str, Query(max_length=200, pattern=NO_CONTROL,
                                   description="Words of the name, or 4–16 last NIK digits")] = "",
           region: Annotated[str | None, Query(max_length=200, pattern=NO_CONTROL,
                                               description="A region's code or a desa's name")] = None,
           agreement: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL,
                                                  description="Active in this agreement")] = None,
           needs_review: bool = False) -> WorkerPage:
    found = workers.find(session, q, by=by, region=region, agreement=agreement, needs_review=needs_review,
                         window=window)
    page = Page[WorkerFound].of(Paged(found.workers, found.total, window))
    return WorkerPage(**dict(page), alike=found.alike, alike_partial=found.alike_partial)


@router.post("/workers/lookup", dependencies=[requires("worker.read")],
             summary="The worker with this NIK (masked), with their ref")
def lookup(body: NikLookup, session: ReadSession, by: CurrentUser) -> WorkerRead:
    return workers.view(session, body.nik, unmask=False, by=by, today=clock.today())


@router.get("/workers/{ref}", dependencies=[requires("worker.read")],
            summary="A worker (masked): heirs, enrolments, who registered them")
def show(ref: Ref, session: ReadSession, by: CurrentUser) -> WorkerRead:
    return workers.view_by_ref(session, ref, by=by, today=clock.today())


@router.patch("/workers/{ref}", dependencies=[requires("worker.write")],
              summary="Correct or update a worker (not the NIK); the fields that changed")
def update(ref: Ref, body: WorkerUpdate, session: DbSession, by: CurrentUser) -> WorkerUpdated:
    return workers.update_by_ref(session, ref, body, by=by, today=clock.today())


@router.post("/workers/{ref}/unmask", dependencies=[requires("worker.read", "worker.read_nik")],
             summary="A worker with the full NIK: the reason goes to the audit log")
def unmask(ref: Ref, body: Unmasking, session: DbSession, by: CurrentUser) -> WorkerRead:
    return workers.unmask(session, ref, body.reason, by=by, today=clock.today())


@router.get("/workers/{ref}/history", dependencies=[requires("audit.read")],
            summary="The audit log's entries about a worker, newest first")
def history(ref: Ref, session: ReadSession, by: CurrentUser, window: PageWindow) -> Page[AuditRead]:
    return Page[AuditRead].of(workers.history(session, ref, by=by, window=window))


@router.post("/agreements/{code}/enrolments", status_code=201, dependencies=[requires("worker.write")],
             summary="Enrol one registered worker in an agreement: the span, its cost, the agreement's use")
def enrol(code: Annotated[str, Path(max_length=64, pattern=NO_CONTROL)], body: EnrolmentRequest, session: DbSession,
          by: CurrentUser) -> Enrolled:
    return enrolment.enrol(session, body.nik, code, by=by, today=clock.today(), first=body.first, source="api")

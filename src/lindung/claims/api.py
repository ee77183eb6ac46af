"""Claims and work accidents over HTTP (``/api/v1/claims``, ``/api/v1/accidents``): the same services
as ``lindung claim …`` and ``lindung accident …``, the same schemas as their ``--json``.

No NIK in a URL: a claim is addressed by its number, an accident by its id; a new claim or report
carries the worker's NIK in its body.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession, Lang, RowId
from lindung.api.limits import UPLOAD_LIMIT
from lindung.claims import documents as store
from lindung.claims import service
from lindung.claims.letter import render_letter
from lindung.claims.schemas import (
    AccidentOutcome,
    AccidentReport,
    AccidentView,
    Account,
    ClaimRequest,
    ClaimRow,
    ClaimTypeTotal,
    ClaimView,
)
from lindung.kit import clock
from lindung.kit.schemas import Schema

router = APIRouter(tags=["claims"])
PAGE_MAX = 500


class Page(Schema):
    """One page of a list: ``items``, the ``total`` matching, and where this page starts."""

    items: list[ClaimRow]
    total: int
    offset: int
    limit: int


class Rejection(Schema):
    reason: str
    note: str | None = None


class Payment(Schema):
    reference: str
    paid_on: dt.date


# --- claims ---------------------------------------------------------------------------------------


@router.get("/claims", dependencies=[requires("claim.read")], summary="Claims, newest first")
def list_claims(session: DbSession, by: CurrentUser, status: str | None = None, sponsor: str | None = None,
                overdue: bool = False, limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 100,
                offset: Annotated[int, Query(ge=0)] = 0) -> Page:
    rows = service.list_claims(session, by=by, today=clock.today(), status=status, sponsor=sponsor,
                               overdue=overdue)
    return Page(items=rows[offset:offset + limit], total=len(rows), offset=offset, limit=limit)


@router.get("/claims/statement", dependencies=[requires("claim.read")],
            summary="A sponsor's workers' claims by type (no medical details)")
def statement(session: DbSession, by: CurrentUser, sponsor: str | None = None) -> list[ClaimTypeTotal]:
    return service.statement(session, sponsor, by=by)


@router.post("/claims", status_code=201, dependencies=[requires("claim.enter")], summary="Enter a claim")
def new_claim(request: ClaimRequest, session: DbSession, by: CurrentUser) -> ClaimView:
    return service.new_claim(session, request, by=by, today=clock.today())


@router.get("/claims/{number}", dependencies=[requires("claim.read")], summary="A claim")
def show(number: str, session: DbSession, by: CurrentUser) -> ClaimView:
    return service.show(session, number, by=by, today=clock.today())


@router.post("/claims/{number}/documents", dependencies=[requires("claim.enter")], max_body_size=UPLOAD_LIMIT,
             summary="Receive a document (PDF, JPEG or PNG, at most 10 MB)")
def attach(number: str, code: Annotated[str, Form()], file: Annotated[UploadFile, File()], session: DbSession,
           by: CurrentUser) -> ClaimView:
    # never more than the limit and one byte into memory: the store refuses what is over the limit
    data = file.file.read(store.MAX_BYTES + 1)
    return service.attach(session, number, code.strip().lower(), data, file.filename or "document", by=by,
                          today=clock.today())


@router.post("/claims/{number}/account", dependencies=[requires("claim.enter")],
             summary="Give or correct the payee's account (before approval)")
def account(number: str, body: Account, session: DbSession, by: CurrentUser) -> ClaimView:
    return service.set_account(session, number, body, by=by, today=clock.today())


@router.post("/claims/{number}/submit", dependencies=[requires("claim.enter")], summary="Submit a draft")
def submit(number: str, session: DbSession, by: CurrentUser) -> ClaimView:
    return service.submit(session, number, by=by, today=clock.today())


@router.post("/claims/{number}/verify", dependencies=[requires("claim.enter")],
             summary="Verify: every required document received")
def verify(number: str, session: DbSession, by: CurrentUser) -> ClaimView:
    return service.verify(session, number, by=by, today=clock.today())


@router.post("/claims/{number}/approve", dependencies=[requires("claim.approve")],
             summary="Approve (not whoever entered or verified it)")
def approve(number: str, session: DbSession, by: CurrentUser) -> ClaimView:
    return service.approve(session, number, by=by, today=clock.today())


@router.post("/claims/{number}/reject", dependencies=[requires("claim.enter")],
             summary="Reject with a coded reason")
def reject(number: str, body: Rejection, session: DbSession, by: CurrentUser) -> ClaimView:
    return service.reject(session, number, body.reason, body.note, by=by, today=clock.today())


@router.post("/claims/{number}/pay", dependencies=[requires("claim.pay")],
             summary="Record the payment (once, of the decided total)")
def pay(number: str, body: Payment, session: DbSession, by: CurrentUser) -> ClaimView:
    return service.pay(session, number, body.reference, body.paid_on, by=by, today=clock.today())


@router.get("/claims/{number}/letter", dependencies=[requires("claim.read")], response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "The decision letter"}},
            summary="The decision letter (PDF), in the reader's language")
def letter(number: str, session: DbSession, by: CurrentUser, lang: Lang) -> Response:
    view = service.claim_for_letter(session, number, by=by, today=clock.today())
    return Response(render_letter(view, lang=lang, today=clock.today()), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{view.number}.pdf"'})


# --- accidents ------------------------------------------------------------------------------------


@router.post("/accidents", status_code=201, dependencies=[requires("claim.enter")],
             summary="Report a work accident (stage I)")
def report_accident(report: AccidentReport, session: DbSession, by: CurrentUser) -> AccidentView:
    return service.report_accident(session, report, by=by)


@router.get("/accidents/{accident_id}", dependencies=[requires("claim.read")], summary="A work accident")
def show_accident(accident_id: RowId, session: DbSession, by: CurrentUser) -> AccidentView:
    return service.show_accident(session, accident_id, by=by, today=clock.today())


@router.post("/accidents/{accident_id}/outcome", dependencies=[requires("claim.enter")],
             summary="The stage II outcome")
def outcome(accident_id: RowId, body: AccidentOutcome, session: DbSession, by: CurrentUser) -> AccidentView:
    return service.record_outcome(session, accident_id, body, by=by, today=clock.today())

"""Bulk imports and their proposals over HTTP (``/api/v1/agreements/{code}/imports``,
``/api/v1/imports``, ``/api/v1/proposals``): the services of ``lindung import …``, the schemas of its
``--json``.

An upload (multipart ``file``, ``mode`` check | import | propose, ``sheet``) is spooled to the
server's disk and carried out as a job in the background (202 and the job's address); its error
report and refused rows are kept by the server (``enrolment.reports``) and downloaded after the job.
An ``Idempotency-Key`` header makes the upload safe to send again: the same key from the same user
answers with the first job, never a second import.
"""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Header, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession, Lang, ReadSession
from lindung.api.jobs import JOB_ACCEPTED, Runner, accepted
from lindung.api.limits import UPLOAD_LIMIT
from lindung.api.paging import Page, PageWindow
from lindung.enrolment import imports, proposals, reports
from lindung.enrolment import jobs as import_jobs
from lindung.enrolment import template as templates
from lindung.enrolment.schemas import ImportJob, ImportRecord, ProposalView, UndoResult
from lindung.jobs.schemas import JobRead
from lindung.kit import clock
from lindung.kit.numbers import ID_MAX

router = APIRouter(tags=["imports"])

AgreementCode = Annotated[str, Path(min_length=1, max_length=32, description="The agreement's code")]
AgreementFilter = Annotated[str | None, Query(min_length=1, max_length=32, description="Only this agreement")]
Id = Annotated[int, Path(ge=1, le=ID_MAX)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200,
    description="Send the same upload again with the same key (a retry): the first job is answered again")]
UploadMode = Literal["check", "import", "propose"]
ACCEPTED: dict[int | str, dict[str, Any]] = {status: dict(said) for status, said in JOB_ACCEPTED.items()}
CSV = {"text/csv": {"schema": {"type": "string"}}}
XLSX = {reports.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}


def _job_answer(job: JobRead) -> JSONResponse:
    """The answer an upload already started gives again: 202 with its job, as the first time."""
    return JSONResponse(job.model_dump(mode="json"), status_code=202, headers={"Location": f"/api/v1/jobs/{job.id}"})


# --- uploads and their files --------------------------------------------------------------------------


@router.post("/agreements/{code}/imports", dependencies=[requires("import.propose")], max_body_size=UPLOAD_LIMIT,
             status_code=202, response_class=JSONResponse, responses=ACCEPTED,
             summary="Upload a sponsor's file (CSV or XLSX) to check, import or propose, as a job")
def upload(code: AgreementCode, file: Annotated[UploadFile, File(description="The sponsor's CSV or XLSX")],
           mode: Annotated[UploadMode, Form(description="check: run and roll back; import: enrol now "
                                                        "(import.run); propose: check and keep for approval")],
           request: Request, session: DbSession, by: CurrentUser, runner: Runner, lang: Lang,
           sheet: Annotated[str | None, Form(max_length=100, description="The worksheet to read")] = None,
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    engine = request.app.state.engine
    spooled = reports.spool(file.file, file.filename or "file", engine)
    try:
        job, first = import_jobs.start_once(
            session, ImportJob(mode=mode, agreement=code, file=spooled.name, sheet=sheet or None), by=by,
            idempotency_key=idempotency_key, fingerprint=spooled.sha256 if idempotency_key else None)
        if not first:
            spooled.remove()
            return _job_answer(job)
        today = clock.today()
        return accepted(session, runner, job, lambda: reports.run_and_keep(job, spooled, by=by, today=today,
                                                                           lang=lang, engine=engine))
    except BaseException:
        spooled.remove()
        raise


@router.get("/imports/jobs/{job_id}/errors", dependencies=[requires("import.read")], response_class=FileResponse,
            responses={200: {"content": CSV, "description": "The error report: row, column, value, reason"}},
            summary="An import job's error report (CSV), once the job has ended")
def errors_file(job_id: Id, request: Request, session: ReadSession, by: CurrentUser) -> FileResponse:
    kept = reports.report_file(session, job_id, "errors", by=by, engine=request.app.state.engine)
    return FileResponse(kept.path, media_type=kept.media_type, filename=kept.name)


@router.get("/imports/jobs/{job_id}/refused", dependencies=[requires("import.read")], response_class=FileResponse,
            responses={200: {"content": {**XLSX, **CSV},
                             "description": "The refused rows as sent, with their reasons (XLSX for a workbook)"}},
            summary="An import job's refused rows, to correct and send again")
def refused_file(job_id: Id, request: Request, session: ReadSession, by: CurrentUser) -> FileResponse:
    kept = reports.report_file(session, job_id, "refused", by=by, engine=request.app.state.engine)
    return FileResponse(kept.path, media_type=kept.media_type, filename=kept.name)


# --- imports made ---------------------------------------------------------------------------------------


@router.get("/imports/template", dependencies=[requires("import.read")], response_class=Response,
            responses={200: {"content": {**XLSX, **CSV}, "description": "The template to fill in"}},
            summary="The spreadsheet a sponsor fills in (XLSX with drop-downs, or a CSV header)")
def template(session: ReadSession, by: CurrentUser, lang: Lang, agreement: AgreementFilter = None,
             format: Annotated[Literal["xlsx", "csv"], Query(description="xlsx or csv")] = "xlsx") -> Response:
    content = io.BytesIO()
    if format == "csv":
        info = templates.write_template_csv(session, content, by=by, agreement_code=agreement)
        media_type = "text/csv; charset=utf-8"
    else:
        info = templates.write_template(session, content, by=by, agreement_code=agreement, lang=lang)
        media_type = reports.XLSX_TYPE
    return Response(content.getvalue(), media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{info.file}"'})


@router.get("/imports", dependencies=[requires("import.read")], summary="The imports made, newest first")
def history(session: ReadSession, by: CurrentUser, window: PageWindow,
            agreement: AgreementFilter = None) -> Page[ImportRecord]:
    return Page[ImportRecord].of(imports.history_page(session, agreement, by=by, window=window))


@router.get("/imports/{import_id}", dependencies=[requires("import.read")],
            summary="An import: its file, who made it, and its enrolments now")
def show_import(import_id: Id, session: ReadSession, by: CurrentUser) -> ImportRecord:
    return imports.show(session, import_id, by=by)


@router.post("/imports/{import_id}/undo", dependencies=[requires("import.run")],
             summary="Take back an import not yet billed: its enrolments cancelled, quota and budget given back")
def undo(import_id: Id, session: DbSession, by: CurrentUser) -> UndoResult:
    return imports.undo(session, import_id, by=by)


# --- proposals ------------------------------------------------------------------------------------------


@router.get("/proposals", dependencies=[requires("import.read")], summary="Import proposals, newest first")
def list_proposals(session: ReadSession, by: CurrentUser, window: PageWindow, agreement: AgreementFilter = None,
                   status: Annotated[Literal["proposed", "approved", "rejected"] | None,
                                     Query(description="Only these (every status when absent)")] = None
                   ) -> Page[ProposalView]:
    return Page[ProposalView].of(proposals.listing_page(session, by=by, agreement_code=agreement, status=status,
                                                        window=window))


@router.get("/proposals/{proposal_id}", dependencies=[requires("import.read")], summary="An import proposal")
def show_proposal(proposal_id: Id, session: ReadSession, by: CurrentUser) -> ProposalView:
    return proposals.show(session, proposal_id, by=by)


@router.post("/proposals/{proposal_id}/approve", dependencies=[requires("import.approve")], status_code=202,
             response_class=JSONResponse, responses=ACCEPTED,
             summary="Approve a proposal (not its proposer): its file imported now, as a job")
def approve(proposal_id: Id, request: Request, session: DbSession, by: CurrentUser, runner: Runner, lang: Lang,
            check: Annotated[bool, Query(description="Only check what approving would do now")] = False
            ) -> JSONResponse:
    engine = request.app.state.engine
    job = import_jobs.start(session, ImportJob(mode="check" if check else "approve", proposal=proposal_id), by=by)
    today = clock.today()
    return accepted(session, runner, job,
                    lambda: reports.run_and_keep(job, None, by=by, today=today, lang=lang, engine=engine))


@router.post("/proposals/{proposal_id}/reject", dependencies=[requires("import.propose")],
             summary="Reject a proposal (or withdraw one's own)")
def reject(proposal_id: Id, session: DbSession, by: CurrentUser) -> ProposalView:
    return proposals.reject(session, proposal_id, by=by)

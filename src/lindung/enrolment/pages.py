"""The web pages of bulk enrolment (``/impor``): a sponsor's file uploaded and carried out as a job, its
live progress, its summary and the files to correct and send again; the imports made; the proposals
and their approval by a second person.

Each handler reads a form or a query, calls the services the API calls (``enrolment/api.py``) as the
signed-in person, and renders a template of ``web/templates/enrolment/``:

- ``POST /impor`` spools the upload (refusing an empty one, or one over ``LINDUNG_MAX_UPLOAD_BYTES``,
  next to the file's field), records the job with the form's own idempotency key (a double click, a
  reload of the answer: the same job, never a second import), commits, hands the work to the server's
  job runner and sends the browser to the job's page (303);
- ``/impor/{job}`` shows the job; while it runs its state is a fragment that htmx asks for again every
  second (``/impor/{job}/kemajuan``), answered without the trigger once the job has ended; without
  JavaScript, a link reloads the page;
- ``/impor/{job}/galat`` and ``/ditolak`` are the error report and the refused rows the job kept.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.datastructures import UploadFile

from lindung.api import limits
from lindung.api.deps import DbSession, ReadSession
from lindung.enrolment import imports, proposals, reports
from lindung.enrolment import jobs as import_jobs
from lindung.enrolment.refused_rows import is_xlsx
from lindung.enrolment.schemas import ImportJob
from lindung.jobs.schemas import JobRead
from lindung.kit import clock
from lindung.kit.errors import InvalidInput, LindungError
from lindung.kit.numbers import ID_MAX
from lindung.kit.paging import Window
from lindung.sponsors import service as sponsors
from lindung.web.context import Page, SignedIn
from lindung.web.forms import FormValues, Offset, field_errors

router = APIRouter()

Id = Annotated[int, Path(ge=1, le=ID_MAX)]
PAGE_ROWS = 25
RECENT_IMPORTS = 10
FORM_MARGIN = 1024 * 1024
"""What a form may carry besides its file (its fields, the multipart's boundaries)."""
MODES = ("import", "propose", "check")
STATUSES = ("proposed", "approved", "rejected")
RUNNING = ("queued", "running")


async def _sent_file(request: Request) -> UploadFile | None:
    """The form's file (``berkas``), None when none was chosen (a browser sends an empty part)."""
    form = await request.form()
    sent = form.get("berkas")
    return sent if isinstance(sent, UploadFile) and sent.filename else None


SentFile = Annotated[UploadFile | None, Depends(_sent_file)]


# --- the imports: the upload form, the jobs, the imports made ------------------------------------------


def _modes(page: Page) -> list[tuple[str, str]]:
    """What the person may do with a file: import it now, propose it, or check it only."""
    allowed = {"import": page.can("import.run"), "propose": page.can("import.propose"),
               "check": page.can("import.run") or page.can("import.propose")}
    return [(mode, page.t(f"page.imports.mode.{mode}")) for mode in MODES if allowed[mode]]


def _index_context(page: Page, session: Any, values: dict[str, str], errors: dict[str, str], *,
                   offset: int = 0, uploads: bool = True) -> dict[str, Any]:
    """The imports page: the upload form (with ``values`` and ``errors``), the person's uploads (a page
    of them from ``offset``; left out when the form is shown again) and the newest imports made."""
    modes = _modes(page)
    shown = dict(values)
    shown.setdefault("mode", modes[0][0] if modes else "")
    shown.setdefault("kunci", secrets.token_urlsafe(18))  # this form's own: sent twice, one job
    agreements = imports.open_agreements(session, by=page.actor) if modes else []
    return {"modes": modes, "values": shown, "errors": errors,
            "agreements": [(a.code, f"{a.code} · {a.sponsor.name}") for a in agreements],
            "uploads": (import_jobs.newest(session, by=page.actor, window=Window(PAGE_ROWS, offset))
                        if modes and uploads else None),
            "made": imports.history_page(session, by=page.actor, window=Window(RECENT_IMPORTS, 0)),
            "limit_mb": max(limits.UPLOAD_LIMIT // (1024 * 1024), 1)}


@router.get("/impor", response_class=HTMLResponse)
def index(page: SignedIn, session: ReadSession, offset: Offset = 0) -> Response:
    page.actor.require("import.read")
    return page.render("enrolment/index.html", **_index_context(page, session, {}, {}, offset=offset))


@router.post("/impor", response_class=HTMLResponse, max_body_size=limits.UPLOAD_LIMIT + FORM_MARGIN)
def upload(request: Request, page: SignedIn, session: DbSession, values: FormValues, sent: SentFile) -> Response:
    """Start an import job for the file sent (see the module)."""
    page.actor.require_any("import.propose", "import.run")
    values = {k: v for k, v in values.items() if k in ("agreement", "mode", "sheet", "kunci")}

    def refused(errors: dict[str, str]) -> Exception:
        return page.refused("enrolment/index.html", **_index_context(page, session, values, errors, uploads=False))

    errors: dict[str, str] = {}
    if not values.get("agreement"):
        errors["agreement"] = page.t("page.imports.upload.no_agreement")
    if sent is None:
        errors["berkas"] = page.t("page.imports.upload.no_file")
    mode = values.get("mode", "")
    if mode not in MODES:
        errors["mode"] = page.t("page.imports.upload.no_mode")
    if errors:
        raise refused(errors)
    assert sent is not None
    engine = request.app.state.engine
    try:
        spooled = reports.spool(sent.file, sent.filename or "file", engine, limit=limits.UPLOAD_LIMIT,
                                refuse_empty=True)
    except InvalidInput as exc:
        raise refused({"berkas": exc.message(page.lang)}) from None
    try:
        job = ImportJob.model_validate({"mode": mode, "agreement": values["agreement"], "file": spooled.name,
                                        "sheet": values.get("sheet") or None})
        key = values.get("kunci") or None
        try:
            started, first = import_jobs.start_once(session, job, by=page.actor, idempotency_key=key,
                                                    fingerprint=spooled.sha256 if key else None)
        except InvalidInput as exc:
            if exc.code != "invalid.idempotency_key_reused":
                raise
            # The key of a form sent before (the browser's back button, then another file): a new job.
            started, first = import_jobs.start_once(session, job, by=page.actor)
    except LindungError as exc:
        spooled.remove()
        said = exc.message(page.lang)
        raise refused({"agreement": said} if exc.code == "agreement.not_found" else field_errors(exc, page.lang)
                      ) from None
    except BaseException:
        spooled.remove()
        raise
    if not first:  # the same form sent again: its job, not a second one
        spooled.remove()
        return page.redirect(f"/impor/{started.id}")
    session.commit()  # the job's row, before its work can look for it
    today, lang, by = clock.today(), page.lang, page.actor
    request.app.state.job_runner.submit(
        started.id, lambda: reports.run_and_keep(started, spooled, by=by, today=today, lang=lang, engine=engine))
    return page.redirect(f"/impor/{started.id}", said="page.imports.upload.started")


@router.get("/impor/riwayat", response_class=HTMLResponse)
def history(page: SignedIn, session: ReadSession, offset: Offset = 0) -> Response:
    made = imports.history_page(session, by=page.actor, window=Window(PAGE_ROWS, offset))
    return page.render("enrolment/history.html", made=made)


# --- proposals ------------------------------------------------------------------------------------------


@router.get("/impor/usulan", response_class=HTMLResponse)
def proposal_list(page: SignedIn, session: ReadSession, offset: Offset = 0, status: str = "proposed") -> Response:
    wanted = status if status in STATUSES else None
    listed = proposals.listing_page(session, by=page.actor, status=wanted, window=Window(PAGE_ROWS, offset))
    return page.render("enrolment/proposals.html", listed=listed, chosen=wanted or "all",
                       statuses=[(s, page.t(f"import.proposal_status.{s}")) for s in STATUSES]
                       + [("all", page.t("page.imports.proposals.every"))])


def _proposal_context(page: Page, session: Any, proposal_id: int, errors: dict[str, str]) -> dict[str, Any]:
    """A proposal, and what the person may do with it (the service checks again): approve it when they
    may approve and did not propose it; reject it when they may approve, or withdraw their own."""
    proposal = proposals.show(session, proposal_id, by=page.actor)
    mine = proposal.proposed_by == page.actor.username
    waiting = proposal.status == "proposed"
    return {"proposal": proposal, "mine": mine, "errors": errors,
            "may_approve": waiting and page.can("import.approve") and not mine,
            "may_reject": waiting and (page.can("import.approve") or (mine and page.can("import.propose")))}


def _refused_decision(page: Page, session: Any, proposal_id: int, exc: LindungError) -> Exception:
    """The proposal shown again with why it could not be decided (409: its proposer, decided already)."""
    if exc.http_status == 404:
        return exc
    status = exc.http_status if exc.http_status in (403, 409) else 422
    return page.refused("enrolment/proposal.html", status=status,
                        **_proposal_context(page, session, proposal_id, {"_": exc.message(page.lang)}))


@router.get("/impor/usulan/{proposal_id}", response_class=HTMLResponse)
def proposal(proposal_id: Id, page: SignedIn, session: ReadSession) -> Response:
    return page.render("enrolment/proposal.html", **_proposal_context(page, session, proposal_id, {}))


@router.post("/impor/usulan/{proposal_id}/setujui", response_class=HTMLResponse)
def approve(proposal_id: Id, request: Request, page: SignedIn, session: DbSession) -> Response:
    """Approve a proposal (not its proposer): its file imported now, as a job."""
    try:
        job = import_jobs.start(session, ImportJob(mode="approve", proposal=proposal_id), by=page.actor)
    except LindungError as exc:
        raise _refused_decision(page, session, proposal_id, exc) from None
    session.commit()  # the job's row, before its work can look for it
    engine, today, lang, by = request.app.state.engine, clock.today(), page.lang, page.actor
    request.app.state.job_runner.submit(
        job.id, lambda: reports.run_and_keep(job, None, by=by, today=today, lang=lang, engine=engine))
    return page.redirect(f"/impor/{job.id}", said="page.imports.proposal.approving")


@router.post("/impor/usulan/{proposal_id}/tolak", response_class=HTMLResponse)
def reject(proposal_id: Id, page: SignedIn, session: DbSession) -> Response:
    """Reject a proposal (an approver) or withdraw it (its proposer)."""
    try:
        proposals.reject(session, proposal_id, by=page.actor)
    except LindungError as exc:
        raise _refused_decision(page, session, proposal_id, exc) from None
    return page.redirect(f"/impor/usulan/{proposal_id}", said="page.imports.proposal.rejected")


# --- one job: its progress, its summary, its files ------------------------------------------------------


def _job_context(page: Page, session: Any, job: JobRead) -> dict[str, Any]:
    """What the job's page and its fragment show: the job, its failure said, the agreement's use after
    it, and the refused rows' format."""
    failure = None
    if job.error_code is not None:
        failure = page.t(job.error_code, **(job.error_context or {}))
    use = None
    result = job.result or {}
    if job.status == "done" and result.get("import_id") and page.can("agreement.read"):
        use = sponsors.show_agreement(session, str(job.params.get("agreement")), by=page.actor)
    file = str(job.params.get("file") or "")
    return {"job": job, "result": result, "failure": failure, "agreement": use,
            "running": job.status in RUNNING, "refused_format": "XLSX" if is_xlsx(file) else "CSV"}


@router.get("/impor/{job_id}", response_class=HTMLResponse)
def job_page(job_id: Id, page: SignedIn, session: ReadSession) -> Response:
    job = import_jobs.show(session, job_id, by=page.actor)
    return page.render("enrolment/job.html", **_job_context(page, session, job))


@router.get("/impor/{job_id}/kemajuan", response_class=HTMLResponse)
def job_progress(job_id: Id, page: SignedIn, session: ReadSession) -> Response:
    """The job's state alone (htmx asks for it every second while the job runs)."""
    job = import_jobs.show(session, job_id, by=page.actor)
    response = page.render("enrolment/_job_state.html", **_job_context(page, session, job))
    response.headers["Cache-Control"] = "no-store"
    return response


def _kept(request: Request, page: Page, session: Any, job_id: int, which: reports.Which) -> FileResponse:
    kept = reports.report_file(session, job_id, which, by=page.actor, engine=request.app.state.engine)
    return FileResponse(kept.path, media_type=kept.media_type, filename=kept.name,
                        headers={"Cache-Control": "no-store"})


@router.get("/impor/{job_id}/galat")
def errors_file(job_id: Id, request: Request, page: SignedIn, session: ReadSession) -> FileResponse:
    """The job's error report (CSV: row, column, value, reason)."""
    return _kept(request, page, session, job_id, "errors")


@router.get("/impor/{job_id}/ditolak")
def refused_file(job_id: Id, request: Request, page: SignedIn, session: ReadSession) -> FileResponse:
    """The refused rows as sent, with their reasons, to correct and send again (XLSX for a workbook)."""
    return _kept(request, page, session, job_id, "refused")

"""The web pages of claims (issue 21): handlers that read a form or a query, call one service as the
signed-in person, and render a template of ``web/templates/claims/``.

- ``/klaim``: the claims, newest first, filtered by status, type and service level, a page at a time;
- ``/klaim/baru``: a new claim of one type, its worker (by NIK, or ``?pekerja=<ref>`` from a worker's
  page), the event, the claimant and account, and the type's documents checklist with a file for each;
- ``/klaim/{number}``: the claim (eligibility, every component with its arithmetic and legal basis,
  documents, history) and the steps the reader may take; ``/klaim/{number}/surat``: the decision letter;
- ``/klaim/kecelakaan``: work accidents, reporting one (stage I), one accident with its claims.

A step refused by the service (the maker approving, a second payment, documents missing) shows the claim
again with the reason, answered with the error's status; the request's unit of work is rolled back first.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from lindung.api.deps import DbSession, ReadSession, RowId
from lindung.api.limits import UPLOAD_LIMIT
from lindung.claims import documents as store
from lindung.claims import service
from lindung.claims.catalogue import catalogue
from lindung.claims.letter import amount_in_words, relationship_label, render_letter
from lindung.claims.schemas import (
    AccidentReport,
    AccidentView,
    Account,
    ChildInput,
    Claimant,
    ClaimRequest,
    ClaimView,
)
from lindung.kit import clock
from lindung.kit.errors import InvalidInput, LindungError, NotFound
from lindung.kit.i18n import component_label, t
from lindung.kit.paging import Window
from lindung.rules.catalogues import relationships
from lindung.web.context import Page, SignedIn
from lindung.web.forms import FormValues, Offset, day, field_errors, whole
from lindung.workers import service as workers

router = APIRouter()

PAGE_SIZE = 25
LEVELS = ("belum", "tk", "sd", "smp", "sma", "pt")
CHILD_ROWS = 2
"""Children a death or total disability claim names on the form (the law pays at most two)."""
CARE = ("transport", "medical", "home_care", "prosthesis", "dentures", "hearing_aid", "glasses")
MODES = ("land", "sea", "air")
REPORTERS = ("family", "worker", "sponsor", "other")
CLAIMANTS = ("self", "facility", "guardian")
DEATHS = ("jkm", "jkk-death")
WITH_CHILDREN = ("jkm", "jkk-death", "jkk-disability-total")
FIELD_OF = {"payee_account": "account_number", "transport_mode": "mode", "claim_type": "jenis",
            "claimant_nik": "claimant_nik", "relationship": "claimant_relationship", "child": "anak1_nama",
            "reporter_name": "reported_by", "accident_place": "place", "accident_what": "what",
            "reject_reason": "reason", "reject_note": "note", "bank_reference": "reference"}
"""A service's field name → the form's field (where it differs)."""
SAID_OTHERWISE = {"claims.no_account": "page.claims.error.no_account",
                  "invalid.claim_percent_needed": "page.claims.error.percent_needed",
                  "invalid.claim_accident_needed": "page.claims.error.accident_needed",
                  "invalid.claim_one_child": "page.claims.error.one_child",
                  "invalid.claim_claimant_both": "page.claims.error.claimant_both",
                  "invalid.accident": "page.claims.error.accident"}
"""Messages that name a command-line option, said as the page asks it instead."""


# --- small helpers --------------------------------------------------------------------------------


def _errors(exc: Exception, lang: str) -> dict[str, str]:
    if isinstance(exc, LindungError) and exc.code in SAID_OTHERWISE:
        field = str(exc.context.get("field", "_")) if isinstance(exc, InvalidInput) else "_"
        return {FIELD_OF.get(field, field): t(SAID_OTHERWISE[exc.code], lang, **exc.context)}
    if isinstance(exc, NotFound) and exc.code == "worker.not_found":
        return {"nik": exc.message(lang)}
    if isinstance(exc, InvalidInput) and exc.context.get("field_name"):  # a date: its field's own name
        name = str(exc.context["field_name"])
        return {FIELD_OF.get(name, name): exc.message(lang)}
    found = field_errors(exc, lang)
    return {FIELD_OF.get(k, k): v for k, v in found.items()}


def _decimal(text: str | None, field: str) -> Decimal | None:
    raw = (text or "").strip().rstrip("%").strip().replace(",", ".")
    if not raw:
        return None
    try:
        return Decimal(raw) if re.fullmatch(r"\d{1,3}(\.\d{1,2})?", raw) else _bad(field, text)
    except InvalidOperation:
        return _bad(field, text)


def _bad(field: str, value: str | None) -> Decimal:
    raise InvalidInput(field, value or "")


def _number(text: str | None, field: str) -> int | None:
    return whole(text, field)


def _type_label(code: str, lang: str) -> str:
    return t(f"claims.type.{code}", lang)


def _uploads(form: Any) -> dict[str, UploadFile]:
    return {key: value for key, value in form.multi_items() if isinstance(value, UploadFile)}


async def uploaded_files(request: Request) -> dict[str, UploadFile]:
    """The form's files (``dok_<code>`` on the intake form, ``file`` on a claim's page) that were given:
    a file input left empty sends a part without a name, which counts as none."""
    form = await request.form()
    return {k: f for k, f in _uploads(form).items() if f.filename}


Uploads = Annotated[dict[str, UploadFile], Depends(uploaded_files)]


def _read(upload: UploadFile) -> bytes:
    # never more than the limit and one byte into memory: the store refuses what is over the limit
    return upload.file.read(store.MAX_BYTES + 1)


def _document_options(lang: str) -> list[tuple[str, str]]:
    cat = catalogue()
    return [(code, cat.label(code, lang)) for code in cat.documents]


# --- the list -------------------------------------------------------------------------------------


@router.get("/klaim", response_class=HTMLResponse)
def claims_list(page: SignedIn, session: ReadSession, status: str = "", jenis: str = "", lewat: str = "",
                offset: Offset = 0) -> Response:
    values = {"status": status, "jenis": jenis, "lewat": lewat}
    errors: dict[str, str] = {}
    window = Window(limit=PAGE_SIZE, offset=offset)
    try:
        paged = service.claims_page(session, by=page.actor, today=clock.today(), window=window,
                                    status=status or None, claim_type=jenis or None, overdue=bool(lewat))
    except InvalidInput as exc:
        errors = _errors(exc, page.lang)
        paged = service.claims_page(session, by=page.actor, today=clock.today(), window=Window(limit=PAGE_SIZE))
        values = {"status": "", "jenis": "", "lewat": ""}
    query = urlencode({k: v for k, v in values.items() if v})
    return page.render(
        "claims/list.html", status=422 if errors else 200, paged=paged, values=values, errors=errors,
        query=query, heading=page.t("page.claims.title"),
        statuses=[(s, t(f"claims.status.{s}", page.lang)) for s in service.CLAIM_STATUSES],
        types=[(c, _type_label(c, page.lang)) for c in service.CLAIM_TYPES])


# --- a new claim ----------------------------------------------------------------------------------


def _intake(page: Page, session: Any, values: dict[str, str], errors: dict[str, str], *, status: int = 200,
            files_again: bool = False) -> HTMLResponse:
    jenis = values.get("jenis", "")
    worker = None
    if values.get("pekerja"):
        worker = workers.view_by_ref(session, values["pekerja"], by=page.actor, today=clock.today())
    cat = catalogue()
    context: dict[str, Any]
    required = list(cat.required[jenis]) if jenis in cat.required else []
    extra = [c for codes in cat.required_for_payee.values() for c in codes if c not in required]
    heirs = [(code, rel.label(page.lang)) for code, rel in relationships().items()]
    claimants = heirs + [(c, t(f"page.claims.claimant.{c}", page.lang)) for c in CLAIMANTS]
    context = dict(
        values=values, errors=errors, jenis=jenis, worker=worker, heading=page.t("page.claims.new.title"),
        types=[(c, _type_label(c, page.lang)) for c in service.CLAIM_TYPES],
        documents=[(c, cat.label(c, page.lang)) for c in required],
        extra_documents=[(c, cat.label(c, page.lang)) for c in extra],
        claimants=[(c, label) for c, label in claimants],
        levels=[(lv, t(f"page.claims.level.{lv}", page.lang)) for lv in LEVELS],
        care=[(c, t(f"page.claims.care.{c}", page.lang)) for c in CARE],
        modes=[(m, t(f"page.claims.mode.{m}", page.lang)) for m in MODES],
        child_rows=range(1, (1 if jenis == "scholarship" else CHILD_ROWS) + 1),
        with_children=jenis in (*WITH_CHILDREN, "scholarship"), deaths=DEATHS, max_mb=store.MAX_BYTES // 2**20,
        files_again=files_again)
    if status != 200:
        raise page.refused("claims/new.html", status=status, **context)
    return page.render("claims/new.html", **context)


@router.get("/klaim/baru", response_class=HTMLResponse)
def new_claim_form(page: SignedIn, session: ReadSession, jenis: str = "", pekerja: str = "",
                   kecelakaan: str = "") -> Response:
    page.actor.require("claim.enter")
    values = {"jenis": jenis if jenis in service.CLAIM_TYPES else "", "pekerja": pekerja,
              "accident": kecelakaan if kecelakaan.isdigit() else ""}
    return _intake(page, session, values, {})


def _children(values: dict[str, str], jenis: str) -> list[ChildInput]:
    found = []
    rows = 1 if jenis == "scholarship" else CHILD_ROWS
    for i in range(1, rows + 1):
        name = values.get(f"anak{i}_nama", "")
        if not name:
            continue
        level = values.get(f"anak{i}_jenjang", "") or "belum"
        if level not in LEVELS:
            raise InvalidInput("child", level)
        year = _number(values.get(f"anak{i}_tahun"), "child") or 1
        found.append(ChildInput(name=name, level=level, year=year, born=day(values.get(f"anak{i}_lahir"), "child"),
                                married=bool(values.get(f"anak{i}_menikah")),
                                working=bool(values.get(f"anak{i}_bekerja"))))
    return found


def _request(values: dict[str, str]) -> ClaimRequest:
    jenis = values.get("jenis", "")
    event = day(values.get("event_date"), "event_date")
    if event is None:
        raise InvalidInput("event_date", "", reason="claim_text_missing")
    claimant = None
    if values.get("claimant_name") or values.get("claimant_relationship"):
        if not (values.get("claimant_name") and values.get("claimant_relationship")):
            raise InvalidInput("claimant_name", values.get("claimant_name", ""), reason="claim_claimant_both")
        claimant = Claimant(name=values["claimant_name"], relationship=values["claimant_relationship"],
                            nik=values.get("claimant_nik") or None)
    account = None
    if values.get("bank") or values.get("account_number") or values.get("holder"):
        account = Account(bank=values.get("bank", ""), number=re.sub(r"[ .-]", "", values.get("account_number", "")),
                          holder=values.get("holder", ""))
    return ClaimRequest(
        nik=values.get("nik", ""), type=jenis, event_date=event,
        accident=_number(values.get("accident"), "accident") if jenis.startswith("jkk-") else None,
        percent=_decimal(values.get("percent"), "percent") if jenis == "jkk-disability-partial" else None,
        function_loss=(_decimal(values.get("function_loss"), "function_loss")
                       if jenis == "jkk-disability-partial" else None),
        assessed_by=values.get("assessed_by") or None if jenis == "jkk-disability-partial" else None,
        months=_number(values.get("months"), "months") if jenis in ("jkk-stmb", "jkk-care") else None,
        care=values.get("care") or None if jenis == "jkk-care" else None,
        mode=values.get("mode") or None if jenis == "jkk-care" and values.get("care") == "transport" else None,
        amount=_number(values.get("amount"), "amount") if jenis == "jkk-care" else None,
        children=_children(values, jenis) if jenis in (*WITH_CHILDREN, "scholarship") else [],
        claimant=claimant, account=account, reopens=values.get("reopens") or None)


@router.post("/klaim/baru", response_class=HTMLResponse, max_body_size=UPLOAD_LIMIT)
def new_claim(page: SignedIn, session: DbSession, values: FormValues, files: Uploads) -> Response:
    """The claim and every document given with it in one unit of work: a document refused leaves no
    claim behind (the form comes back, its files to be chosen again)."""
    page.actor.require("claim.enter")
    if values.get("jenis") not in service.CLAIM_TYPES:
        return _intake(page, session, {**values, "jenis": ""}, {}, status=422)
    current = "_"
    try:
        request = _request(values)
        view = service.new_claim(session, request, by=page.actor, today=clock.today(),
                                 worker_ref=values.get("pekerja") or None)
        for key, upload in files.items():
            code = key.removeprefix("dok_")
            if not key.startswith("dok_") or code not in catalogue().documents:
                continue
            current = key
            view = service.attach(session, view.number, code, _read(upload), upload.filename or code,
                                  by=page.actor, today=clock.today())
    except (ValidationError, LindungError) as exc:
        errors = _errors(exc, page.lang)
        if current != "_" and ("document" in errors or "document_code" in errors):
            errors[current] = errors.pop("document", errors.pop("document_code", ""))
        return _intake(page, session, values, errors, status=422, files_again=bool(files))
    return page.redirect(f"/klaim/{view.number}", said="page.claims.said.entered")


# --- accidents ------------------------------------------------------------------------------------


@router.get("/klaim/kecelakaan", response_class=HTMLResponse)
def accidents(page: SignedIn, session: ReadSession, offset: Offset = 0) -> Response:
    paged = service.accidents_page(session, by=page.actor, window=Window(limit=PAGE_SIZE, offset=offset))
    return page.render("claims/accidents.html", paged=paged, heading=page.t("page.claims.accidents.title"))


def _accident_form(page: Page, values: dict[str, str], errors: dict[str, str], status: int = 200) -> HTMLResponse:
    context: dict[str, Any] = dict(values=values, errors=errors, heading=page.t("page.claims.report.title"),
                   reporters=[(r, t(f"page.claims.reporter.{r}", page.lang)) for r in REPORTERS])
    if status != 200:
        raise page.refused("claims/report.html", status=status, **context)
    return page.render("claims/report.html", **context)


@router.get("/klaim/kecelakaan/baru", response_class=HTMLResponse)
def report_form(page: SignedIn) -> Response:
    page.actor.require("claim.enter")
    return _accident_form(page, {"reporter": "family"}, {})


@router.post("/klaim/kecelakaan/baru", response_class=HTMLResponse)
def report(page: SignedIn, session: DbSession, values: FormValues) -> Response:
    page.actor.require("claim.enter")
    try:
        occurred = day(values.get("occurred_on"), "event_date")
        if occurred is None:
            raise InvalidInput("event_date", "", reason="claim_text_missing")
        time = None
        if values.get("occurred_time"):
            m = re.fullmatch(r"(\d{1,2})[:.](\d{2})", values["occurred_time"])
            if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                raise InvalidInput("occurred_time", values["occurred_time"])
            time = dt.time(int(m.group(1)), int(m.group(2)))
        view = service.report_accident(session, AccidentReport(
            nik=values.get("nik", ""), occurred_on=occurred, occurred_time=time, place=values.get("place", ""),
            what=values.get("what", ""), reporter=values.get("reporter", "other"),
            reported_by=values.get("reported_by", "")), by=page.actor)
    except (ValidationError, LindungError) as exc:
        errors = _errors(exc, page.lang)
        if "event_date" in errors:
            errors["occurred_on"] = errors.pop("event_date")
        return _accident_form(page, values, errors, status=422)
    return page.redirect(f"/klaim/kecelakaan/{view.id}", said="page.claims.said.reported")


@router.get("/klaim/kecelakaan/{accident_id}", response_class=HTMLResponse)
def accident(accident_id: RowId, page: SignedIn, session: ReadSession) -> Response:
    view: AccidentView = service.show_accident(session, accident_id, by=page.actor, today=clock.today())
    return page.render("claims/accident.html", accident=view,
                       heading=page.t("page.claims.accident.title", id=view.id))


# --- one claim ------------------------------------------------------------------------------------


def _shown(view: ClaimView, page: Page) -> dict[str, Any]:
    """What the claim's page shows beside the view: labels in the reader's language, and which steps the
    reader may take (the service decides again)."""
    lang = page.lang
    cat = catalogue()
    me = page.actor.username
    verified_by = next((s.by for s in reversed(view.history) if s.status == "verified"), None)
    maker = me in (view.entered_by, verified_by)
    missing = [cat.label(d.code, lang) for d in view.documents if d.required and not d.received]
    reason = None
    if view.rejected_reason:
        reason = (cat.label(view.rejected_reason, lang) if view.rejected_reason in cat.reject_reasons
                  else t(view.rejected_reason, lang))
    return dict(
        claim=view, heading=page.t("page.claims.claim.title", number=view.number),
        type_label=_type_label(view.type, lang),
        components=[(component_label(c.code, lang), c) for c in view.components],
        in_words=amount_in_words(view.total, lang),
        documents=[(cat.label(d.code, lang), d) for d in view.documents],
        missing=missing, rejected_reason=reason,
        payee_relationship=relationship_label(view.payee.relationship, lang),
        document_options=_document_options(lang),
        reject_reasons=[(code, cat.label(code, lang)) for code in cat.reject_reasons],
        can_enter=page.can("claim.enter"), can_approve=page.can("claim.approve"), can_pay=page.can("claim.pay"),
        maker=maker, open=view.status in ("draft", "submitted", "verified", "approved"),
        letter=view.status in ("approved", "paid", "rejected"), max_mb=store.MAX_BYTES // 2**20)


def _claim_page(page: Page, session: Any, number: str, *, status: int = 200, values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None) -> HTMLResponse:
    view = service.show(session, number, by=page.actor, today=clock.today())
    context = _shown(view, page)
    first_missing = next((d.code for d in view.documents if d.required and not d.received), "")
    context.update(values={"paid_on": clock.today().isoformat(), "code": first_missing, **(values or {})},
                   errors=errors or {})
    if status != 200:
        raise page.refused("claims/claim.html", status=status, **context)
    return page.render("claims/claim.html", **context)


@router.get("/klaim/{number}", response_class=HTMLResponse)
def claim(number: str, page: SignedIn, session: ReadSession) -> Response:
    return _claim_page(page, session, number)


def _refused(page: Page, session: Any, number: str, exc: Exception, values: dict[str, str]) -> HTMLResponse:
    """The claim again with why the step was refused: the step's writes rolled back, then read afresh.
    A claim the reader cannot reach stays not found."""
    if isinstance(exc, NotFound) and exc.code == "claims.not_found":
        raise exc
    session.rollback()
    errors = _errors(exc, page.lang)
    code = exc.http_status if isinstance(exc, LindungError) else 422
    return _claim_page(page, session, number, status=code, values=values, errors=errors)


@router.post("/klaim/{number}/dokumen", response_class=HTMLResponse, max_body_size=UPLOAD_LIMIT)
def attach(number: str, page: SignedIn, session: DbSession, values: FormValues, files: Uploads) -> Response:
    upload = files.get("file")
    if upload is None:
        return _claim_page(page, session, number, status=422, values=values,
                           errors={"file": page.t("page.claims.error.no_file")})
    try:
        view = service.attach(session, number, values.get("code", ""), _read(upload), upload.filename or "dokumen",
                              by=page.actor, today=clock.today())
    except LindungError as exc:
        if isinstance(exc, InvalidInput) and exc.context.get("field") in ("document", "document_code"):
            exc.context["field"] = "file" if exc.context["field"] == "document" else "code"
        return _refused(page, session, number, exc, values)
    return page.redirect(f"/klaim/{view.number}#dokumen", said="page.claims.said.attached")


@router.post("/klaim/{number}/rekening", response_class=HTMLResponse)
def account(number: str, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    try:
        view = service.set_account(session, number, Account(
            bank=values.get("bank", ""), number=re.sub(r"[ .-]", "", values.get("account_number", "")),
            holder=values.get("holder", "")), by=page.actor, today=clock.today())
    except (ValidationError, LindungError) as exc:
        return _refused(page, session, number, exc, values)
    return page.redirect(f"/klaim/{view.number}", said="page.claims.said.account")


def _step(name: str, said: str) -> Any:
    def step(number: str, page: SignedIn, session: DbSession, values: FormValues) -> Response:
        try:
            view = getattr(service, name)(session, number, by=page.actor, today=clock.today())
        except LindungError as exc:
            return _refused(page, session, number, exc, values)
        return page.redirect(f"/klaim/{view.number}", said=said)

    step.__name__ = name
    return step


router.post("/klaim/{number}/ajukan", response_class=HTMLResponse)(_step("submit", "page.claims.said.submitted"))
router.post("/klaim/{number}/verifikasi", response_class=HTMLResponse)(_step("verify", "page.claims.said.verified"))
router.post("/klaim/{number}/setujui", response_class=HTMLResponse)(_step("approve", "page.claims.said.approved"))


@router.post("/klaim/{number}/tolak", response_class=HTMLResponse)
def reject(number: str, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    try:
        view = service.reject(session, number, values.get("reason", ""), values.get("note") or None, by=page.actor,
                              today=clock.today())
    except LindungError as exc:
        return _refused(page, session, number, exc, values)
    return page.redirect(f"/klaim/{view.number}", said="page.claims.said.rejected")


@router.post("/klaim/{number}/bayar", response_class=HTMLResponse)
def pay(number: str, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    try:
        paid_on = day(values.get("paid_on"), "paid_on")
        if paid_on is None:
            raise InvalidInput("paid_on", "", reason="claim_text_missing")
        view = service.pay(session, number, values.get("reference", ""), paid_on, by=page.actor, today=clock.today())
    except LindungError as exc:
        return _refused(page, session, number, exc, values)
    return page.redirect(f"/klaim/{view.number}", said="page.claims.said.paid")


@router.get("/klaim/{number}/surat")
def letter(number: str, page: SignedIn, session: ReadSession) -> Response:
    """The decision letter (PDF) in the reader's language (a decided claim: approved, paid or rejected)."""
    view = service.claim_for_letter(session, number, by=page.actor, today=clock.today())
    return Response(render_letter(view, lang=page.lang, today=clock.today()), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{view.number}.pdf"'})

"""The web pages of workers (issue 21): handlers that read a form or a query, call one service as the
signed-in person, and render a template of ``web/templates/workers/``.

- ``/pekerja``: the search (a GET form: words of the name or the last digits of a NIK, a region, an
  agreement; htmx updates the results as one types), and ``/pekerja/cari-nik``: a full NIK, in a POST
  body, leads to the worker's page. No full NIK in an address: the search takes at most
  ``SEARCH_DIGITS_MAX`` digits.
- ``/pekerja/{ref}``: the worker (masked), their coverage month by month, heirs, enrolments, claims;
  ``POST /pekerja/{ref}/nik`` shows the full NIK once, with a reason the audit log keeps.
- ``/pekerja/baru`` and ``/pekerja/{ref}/ubah``: ``lindung worker add|update``.
- ``/cakupan``: ``lindung coverage`` (a NIK in a POST body, or a ref from the worker's page).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from lindung.api.deps import DbSession, ReadSession
from lindung.billing import coverage as coverage_service
from lindung.billing.schemas import Coverage
from lindung.cards import service as cards
from lindung.cards.card_pdf import render_card
from lindung.claims.of_worker import claims_of_worker
from lindung.kit import clock
from lindung.kit.errors import Conflict, InvalidInput, LindungError, NotFound
from lindung.kit.paging import Paged, Window
from lindung.rules.catalogues import relationships
from lindung.sponsors import service as sponsors
from lindung.web.context import Page, SignedIn
from lindung.web.forms import FormValues, Offset, day, field_errors, whole
from lindung.workers import service as workers
from lindung.workers.refs import REF_MAX_LENGTH
from lindung.workers.schemas import HeirIn, WorkerCreate, WorkerRead, WorkerSearch, WorkerUpdate

router = APIRouter()

PAGE_SIZE = 25
SEARCH_DIGITS_MAX = 6
"""The most NIK digits the search (a GET: its words are in the address) takes; a full NIK goes through
the POST form of ``/pekerja/cari-nik``."""
HEIR_ROWS_NEW = 3
HEIR_ROWS_MORE = 2
"""Empty heir rows a form offers after the heirs it has (no script needed to add one)."""
Ref = Annotated[str, Path(max_length=REF_MAX_LENGTH)]
Text = Annotated[str, Query(max_length=200)]
_HEIR_KEY = re.compile(r"^heir_(name|relationship|nik)_(\d{1,2})$")
_FIELD_OF = {"heir": "heirs", "heir_nik": "heirs", "relationship": "heirs", "changes": "_", "search": "q",
             "region": "wilayah", "agreement": "perjanjian", "date": "tanggal"}


def _errors(exc: Exception, page: Page) -> dict[str, str]:
    """The service's errors keyed by the form's field names."""
    found: dict[str, str] = {}
    for name, message in field_errors(exc, page.lang).items():
        found.setdefault(_FIELD_OF.get(name, name), message)
    return found


def _htmx_part(request: Request, target: str) -> bool:
    """An htmx request for the part ``target`` of the page (not a history restore: that wants the page)."""
    return (request.headers.get("hx-request") == "true" and request.headers.get("hx-target") == target
            and request.headers.get("hx-history-restore-request") != "true")


# --- search -------------------------------------------------------------------------------------


def _agreement_codes(session: Any, page: Page) -> list[tuple[str, str]]:
    """The agreements the reader may filter by, as a select's options."""
    if not page.can("agreement.read"):
        return []
    return [(a.code, a.code) for a in sponsors.list_agreements(session, by=page.actor)]


def _occupation_labels(session: Any, lang: str) -> dict[str, str]:
    return {o.code: (o.label_en if lang == "en" else o.label_id) or o.code
            for o in workers.occupation_catalogue(session)}


def _search_context(session: Any, page: Page, values: dict[str, str], errors: dict[str, str],
                    found: WorkerSearch | None, window: Window) -> dict[str, Any]:
    query = urlencode({k: v for k, v in values.items() if v})
    paged = Paged(found.workers, found.total, window) if found is not None else None
    return dict(values=values, errors=errors, found=found, paged=paged, query=query,
                occupation_labels=_occupation_labels(session, page.lang), alike_scan_max=workers.ALIKE_SCAN_MAX,
                heading=page.t("page.workers.title"))


@router.get("/pekerja", response_class=HTMLResponse)
def search(request: Request, page: SignedIn, session: ReadSession, q: Text = "", wilayah: Text = "",
           perjanjian: Text = "", offset: Offset = 0) -> Response:
    page.actor.require("worker.read")
    values = {"q": q.strip(), "wilayah": wilayah.strip(), "perjanjian": perjanjian.strip()}
    asked = any(values.values())
    found = None
    errors: dict[str, str] = {}
    digits = "".join(values["q"].split())
    if digits.isdigit() and len(digits) > SEARCH_DIGITS_MAX:
        errors["q"] = page.t("page.workers.search_full_nik", max=SEARCH_DIGITS_MAX)
    elif asked:
        try:
            found = workers.find(session, values["q"], by=page.actor, region=values["wilayah"] or None,
                                 agreement=values["perjanjian"] or None, window=Window(PAGE_SIZE, offset))
        except (InvalidInput, NotFound) as exc:
            errors = _errors(exc, page)
    context = _search_context(session, page, values, errors, found, Window(PAGE_SIZE, offset))
    status = 422 if errors else 200
    if _htmx_part(request, "hasil"):
        answer = page.render("workers/_results.html", status=status, **context)
        if errors:
            answer.headers["HX-Push-Url"] = "false"  # a refused search is not a place to come back to
        return answer
    return page.render("workers/search.html", status=status, agreements=_agreement_codes(session, page),
                       lookup={}, lookup_errors={}, **context)


@router.post("/pekerja/cari-nik", response_class=HTMLResponse)
def find_by_nik(page: SignedIn, session: ReadSession, values: FormValues) -> Response:
    """A full NIK (in the form's body, never in an address): the worker's page, by their ref."""
    try:
        found = workers.view(session, values.get("nik", ""), unmask=False, by=page.actor, today=clock.today())
    except (InvalidInput, NotFound) as exc:
        errors = _errors(exc, page)
        if "_" in errors:  # no such worker (or not the reader's sponsor's): said next to the NIK
            errors["nik"] = errors.pop("_")
        blank = {"q": "", "wilayah": "", "perjanjian": ""}
        raise page.refused("workers/search.html", **_search_context(session, page, blank, {}, None, Window(PAGE_SIZE)),
                           agreements=_agreement_codes(session, page),
                           lookup={"nik": values.get("nik", "")}, lookup_errors=errors) from None
    return page.redirect(f"/pekerja/{found.ref}")


# --- one worker ---------------------------------------------------------------------------------


def _worker_context(page: Page, session: Any, worker: WorkerRead, *, unmask_values: dict[str, str] | None = None,
                    unmask_errors: dict[str, str] | None = None, card_values: dict[str, str] | None = None,
                    card_errors: dict[str, str] | None = None) -> dict[str, Any]:
    """The worker's page: the worker, their coverage today (``bill.read``), claims (``claim.read``) and
    live membership card (``card.revoke``)."""
    cover = (coverage_service.coverage_by_ref(session, worker.ref, at=clock.today(), by=page.actor)
             if page.can("bill.read") else None)
    claims = claims_of_worker(session, worker.ref, by=page.actor) if page.can("claim.read") else None
    card = cards.live_card(session, worker.ref, by=page.actor, today=clock.today()) if page.can("card.revoke") else None
    return dict(worker=worker, cover=cover, strip=_strip(cover), claims=claims,
                relationship_labels=_relationship_labels(page.lang), unmask_values=unmask_values or {},
                unmask_errors=unmask_errors or {}, card=card, card_values=card_values or {},
                card_errors=card_errors or {}, heading=worker.name)


def _strip(cover: Coverage | None) -> list[dict[str, Any]]:
    if cover is None:
        return []
    return [{"month": m.month, "state": m.state, "shown": coverage_service.strip_state(m.state),
             "paid_on": m.paid_on} for m in cover.months]


def _relationship_labels(lang: str) -> dict[str, str]:
    return {code: r.label(lang) for code, r in relationships().items()}


@router.get("/pekerja/baru", response_class=HTMLResponse)
def new_form(page: SignedIn, session: ReadSession) -> Response:
    page.actor.require("worker.write")
    return _register_form(page, session, {}, {})


def _register_form(page: Page, session: Any, values: dict[str, str], errors: dict[str, str],
                   status: int = 200) -> HTMLResponse:
    return page.render("workers/new.html", status=status, values=values, errors=errors,
                       heirs=_heir_rows(values, HEIR_ROWS_NEW), **_choices(page, session),
                       heading=page.t("page.workers.new_title"))


def _choices(page: Page, session: Any) -> dict[str, Any]:
    occupations = [(o.code, (o.label_en if page.lang == "en" else o.label_id) or o.code)
                   for o in workers.occupation_catalogue(session)]
    labels = _relationship_labels(page.lang)
    kinds = [(code, labels.get(code, code)) for code in workers.heir_relationships(clock.today())]
    return {"occupations": occupations, "relationships": kinds,
            "sexes": [("L", page.t("registry.sex.L")), ("P", page.t("registry.sex.P"))]}


def _heir_rows(values: dict[str, str], at_least: int) -> list[int]:
    """Row numbers of the heirs' fields: those the form sent back, and empty ones up to ``at_least``."""
    sent = [int(m.group(2)) for key in values if (m := _HEIR_KEY.match(key))]
    last = max(sent, default=0)
    return list(range(1, max(last, at_least) + 1))


def _heirs(values: dict[str, str]) -> tuple[HeirIn, ...]:
    """The heir rows filled in, in their order (a row left empty is no heir)."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in values.items():
        m = _HEIR_KEY.match(key)
        if m:
            rows.setdefault(int(m.group(2)), {})[m.group(1)] = value
    heirs = []
    for _n, row in sorted(rows.items()):
        if not any(row.values()):
            continue
        heirs.append(HeirIn(name=row.get("name", ""), relationship=row.get("relationship", ""),
                            nik=row.get("nik") or None))
    return tuple(heirs)


def _parsed(values: dict[str, str], lang: str, *names: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The numbers and dates of the form read as a person writes them, and what is wrong with each one
    that cannot be read (every one at once: the service would say only the first)."""
    readers: dict[str, Callable[[], Any]] = {"income": lambda: whole(values.get("income"), "income"),
                                             "birth_date": lambda: day(values.get("birth_date"), "birth_date")}
    read: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in names:
        try:
            read[name] = readers[name]()
        except InvalidInput as exc:
            errors[name] = exc.message(lang)
    return read, errors


@router.post("/pekerja/baru", response_class=HTMLResponse)
def register(page: SignedIn, session: DbSession, values: FormValues) -> Response:
    page.actor.require("worker.write")
    read, bad = _parsed(values, page.lang, "income", "birth_date")
    if bad:
        raise page.refused("workers/new.html", values=values, errors=bad,
                           heirs=_heir_rows(values, HEIR_ROWS_NEW), **_choices(page, session),
                           heading=page.t("page.workers.new_title"))
    try:
        data = WorkerCreate(nik=values.get("nik", ""), name=values.get("name", ""),
                            domicile=values.get("domicile", ""), occupation=values.get("occupation", ""),
                            sex=values.get("sex") or None, birth_date=read["birth_date"], income=read["income"],
                            phone=values.get("phone") or None, heirs=_heirs(values),
                            different_person=values.get("different_person") == "1", source="web")
        found = workers.register(session, data, by=page.actor, today=clock.today())
    except (ValidationError, LindungError) as exc:
        raise page.refused("workers/new.html", values=values, errors=_errors(exc, page),
                           heirs=_heir_rows(values, HEIR_ROWS_NEW), **_choices(page, session),
                           heading=page.t("page.workers.new_title")) from None
    return page.redirect(f"/pekerja/{found.ref}", said="page.workers.registered")


@router.get("/pekerja/{ref}", response_class=HTMLResponse)
def worker(ref: Ref, page: SignedIn, session: ReadSession) -> Response:
    found = workers.view_by_ref(session, ref, by=page.actor, today=clock.today())
    return page.render("workers/worker.html", **_worker_context(page, session, found))


@router.post("/pekerja/{ref}/nik", response_class=HTMLResponse)
def unmask(ref: Ref, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    """The worker's page with the full NIK, this once (the answer to a POST: nothing in the address);
    the reason and who asked go to the audit log."""
    page.actor.require("worker.read", "worker.read_nik")
    try:
        shown = workers.unmask(session, ref, values.get("reason", ""), by=page.actor, today=clock.today())
    except InvalidInput as exc:
        found = workers.view_by_ref(session, ref, by=page.actor, today=clock.today())
        raise page.refused("workers/worker.html", **_worker_context(
            page, session, found, unmask_values=values, unmask_errors=_errors(exc, page))) from None
    return page.render("workers/worker.html", **_worker_context(page, session, shown))


@router.post("/pekerja/{ref}/kartu", response_class=HTMLResponse)
def print_card(ref: Ref, request: Request, page: SignedIn, session: DbSession) -> Response:
    """The worker's membership card (PDF, their live card or a new one), its QR code leading to this
    server's verification page; a refusal (not enrolled, another sponsor's card) on the worker's page."""
    try:
        card = cards.issue(session, ref, by=page.actor, today=clock.today())
    except (InvalidInput, Conflict) as exc:
        found = workers.view_by_ref(session, ref, by=page.actor, today=clock.today())
        raise page.refused("workers/worker.html", status=exc.http_status, **_worker_context(
            page, session, found, card_errors={"_": exc.message(page.lang)})) from None
    return Response(render_card(card, base=str(request.base_url), lang=page.lang), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="kartu-{card.worker_ref}.pdf"'})


@router.post("/pekerja/{ref}/kartu/cabut", response_class=HTMLResponse)
def revoke_card(ref: Ref, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    """Revoke the worker's live card, with a reason; back to the worker's page."""
    page.actor.require("card.revoke")
    found = workers.view_by_ref(session, ref, by=page.actor, today=clock.today())
    live = cards.live_card(session, ref, by=page.actor, today=clock.today())
    if live is None or values.get("card", "") != str(live.id):  # revoked meanwhile, or another card
        return page.redirect(f"/pekerja/{found.ref}")
    try:
        cards.revoke(session, live.id, values.get("card_reason", ""), by=page.actor, today=clock.today())
    except (InvalidInput, Conflict) as exc:
        errors = {"card_reason" if name == "reason" else name: said for name, said in _errors(exc, page).items()}
        raise page.refused("workers/worker.html", status=exc.http_status, **_worker_context(
            page, session, found, card_values=values, card_errors=errors)) from None
    return page.redirect(f"/pekerja/{found.ref}", said="card.page.revoked")


# --- edit ---------------------------------------------------------------------------------------


def _edit_values(worker: WorkerRead) -> dict[str, str]:
    values = {"name": worker.name, "domicile": worker.domicile.code, "occupation": worker.occupation.code,
              "income": f"{worker.declared_income:,}".replace(",", "."),  # 1.750.000, as whole() reads it
              "phone": worker.phone or ""}
    for i, h in enumerate(worker.heirs, start=1):
        values.update({f"heir_name_{i}": h.name, f"heir_relationship_{i}": h.relationship,
                       f"heir_nik_{i}": h.nik or ""})
    return values


def _edit_form(page: Page, session: Any, worker: WorkerRead, values: dict[str, str], errors: dict[str, str],
               ) -> dict[str, Any]:
    return dict(worker=worker, values=values, errors=errors,
                heirs=_heir_rows(values, len(worker.heirs) + HEIR_ROWS_MORE), **_choices(page, session),
                heading=page.t("page.workers.edit_title", name=worker.name))


@router.get("/pekerja/{ref}/ubah", response_class=HTMLResponse)
def edit_form(ref: Ref, page: SignedIn, session: ReadSession) -> Response:
    page.actor.require("worker.write")
    found = workers.view_by_ref(session, ref, by=page.actor, today=clock.today())
    return page.render("workers/edit.html", **_edit_form(page, session, found, _edit_values(found), {}))


@router.post("/pekerja/{ref}/ubah", response_class=HTMLResponse)
def edit(ref: Ref, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    page.actor.require("worker.write")
    before = workers.view_by_ref(session, ref, by=page.actor, today=clock.today())
    read, bad = _parsed(values, page.lang, "income")
    if bad:
        raise page.refused("workers/edit.html", **_edit_form(page, session, before, values, bad))
    phone = values.get("phone", "")
    try:
        changes = WorkerUpdate(
            name=values.get("name") or None, domicile=values.get("domicile") or None,
            occupation=values.get("occupation") or None, income=read["income"],
            # The phone as the page showed it (masked) is the phone as it is; an empty field clears it.
            phone=None if phone == (before.phone or "") else phone,
            heirs=_heirs(values), reviewed=True if values.get("reviewed") == "1" else None)
        updated = workers.update_by_ref(session, ref, changes, by=page.actor, today=clock.today())
    except (ValidationError, LindungError) as exc:
        raise page.refused("workers/edit.html", **_edit_form(page, session, before, values,
                                                             _errors(exc, page))) from None
    said = "page.workers.updated" if updated.changed else "page.workers.unchanged"
    return page.redirect(f"/pekerja/{updated.ref}", said=said)


# --- coverage -----------------------------------------------------------------------------------


@router.get("/cakupan", response_class=HTMLResponse)
def coverage_form(page: SignedIn, session: ReadSession, ref: Annotated[str, Query(max_length=REF_MAX_LENGTH)] = "",
                  tanggal: Annotated[str, Query(max_length=40)] = "") -> Response:
    """The form; with ``ref`` (from a worker's page), the answer for that worker."""
    page.actor.require("bill.read", "worker.read")
    values = {"ref": ref.strip(), "tanggal": tanggal.strip() or clock.today().isoformat()}
    if not values["ref"]:
        return _coverage_page(page, values, {}, None)
    return _answer(page, session, values, nik="")


@router.post("/cakupan", response_class=HTMLResponse)
def coverage_check(page: SignedIn, session: ReadSession, values: FormValues) -> Response:
    """A NIK in the form's body (never in an address), or a ref, and a date: the answer."""
    page.actor.require("bill.read", "worker.read")
    shown = {"ref": values.get("ref", ""), "tanggal": values.get("tanggal", "") or clock.today().isoformat(),
             "nik": values.get("nik", "")}
    return _answer(page, session, shown, nik=shown["nik"])


def _answer(page: Page, session: Any, values: dict[str, str], *, nik: str) -> HTMLResponse:
    if not nik and not values.get("ref"):
        return _coverage_page(page, values, {"nik": page.t("page.coverage.nik_needed")}, None, status=422)
    try:
        at = day(values.get("tanggal"), "tanggal") or clock.today()
        if nik:
            answer = coverage_service.coverage(session, nik, at=at, by=page.actor)
            ref = workers.view(session, nik, unmask=False, by=page.actor, today=at).ref
        else:
            answer = coverage_service.coverage_by_ref(session, values["ref"], at=at, by=page.actor)
            ref = values["ref"]
    except (InvalidInput, NotFound) as exc:
        errors = _errors(exc, page)
        if "_" in errors:  # no such worker (or not the reader's sponsor's): said next to the NIK
            errors["nik"] = errors.pop("_")
        return _coverage_page(page, {**values, "nik": nik}, errors, None, status=422)
    return _coverage_page(page, {"tanggal": at.isoformat(), "nik": ""}, {}, answer, ref=ref)


def _coverage_page(page: Page, values: dict[str, str], errors: dict[str, str], answer: Coverage | None, *,
                   ref: str = "", status: int = 200) -> HTMLResponse:
    return page.render("workers/coverage.html", status=status, values=values, errors=errors, answer=answer,
                       strip=_strip(answer), ref=ref, heading=page.t("page.coverage.title"))

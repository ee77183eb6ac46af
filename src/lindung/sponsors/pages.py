"""The web pages of sponsors and agreements (issue 21): handlers that read a form or a query, call one
service as the signed-in person, and render a template of ``web/templates/sponsors/``.

- ``/perjanjian``: the agreements (a sponsor's staff: their own), with quota and budget use, paged;
  ``/perjanjian/baru`` drafts one, ``/perjanjian/{code}`` shows it with the actions the reader may take
  now (each a POST form that comes back here with a message), ``/perjanjian/{code}/ubah`` edits a
  draft, ``/perjanjian/{code}/adendum`` proposes an addendum, ``/perjanjian/{code}/pekerja`` its roster.
- ``/sponsor``: the sponsors; ``/sponsor/baru`` adds one.

An action the service refuses (the maker approving their own draft, a draft changed since it was read)
shows the agreement again with the service's reason, and the unit of work is rolled back.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from lindung.api.deps import DbSession, ReadSession
from lindung.billing import ends
from lindung.cards import service as cards
from lindung.cards.card_pdf import render_sheet
from lindung.enrolment import roster
from lindung.kit import clock
from lindung.kit.errors import InvalidInput, LindungError
from lindung.kit.i18n import catalogue, format_count
from lindung.kit.i18n import t as _t
from lindung.kit.paging import Paged, Window
from lindung.rules.catalogues import funding_source, funding_sources
from lindung.rules.catalogues import occupation as find_occupation
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.sponsors import amendments
from lindung.sponsors import service as sponsors
from lindung.sponsors.schemas import (
    AgreementChanges,
    AgreementCreate,
    AgreementDetail,
    AgreementRead,
    DraftEdit,
    SponsorCreate,
    SponsorRead,
)
from lindung.web.context import Page, SignedIn
from lindung.web.forms import FormValues, Offset, field_errors, whole
from lindung.web.templating import month_text

router = APIRouter()

ROWS = 25
"""Rows on one page of a list."""
STATUSES = ("draft", "approved", "active", "ended", "withdrawn")
CYCLES = ("1", "3", "6", "12")
AFTER_DEATH = ("credit", "refund")
TERMS = ("sponsor", "code", "start", "end", "quota", "budget", "income", "funding", "jht", "billing_cycle",
         "after_death", "occupations", "regions")
"""The fields of the draft and edit forms."""

Code = Annotated[str, Path(min_length=1, max_length=64)]
Number = Annotated[int, Path(ge=1, le=2**31 - 1)]

FIELD_OF = {"months": "end", "month": "start", "target_region": "regions", "region": "regions",
            "occupation": "occupations", "billing_cycle_months": "billing_cycle", "amendment": "quota",
            "amendment_reference": "reference", "edit": "_", "sponsor_type": "type", "last_month": "last_month"}
"""A service's name of a field -> the form's."""
FIELD_OF_CODE = {"sponsor.not_found": "sponsor", "agreement.exists": "code", "sponsor.exists": "code"}
"""An error that is about one field though it is not ``invalid.*``."""


# --- what the pages share ---------------------------------------------------------------------------


def _window(offset: int) -> Window:
    return Window(limit=ROWS, offset=offset)


def said(exc: LindungError, lang: str) -> str:
    """The service's reason in the reader's language: the page's own wording where the service's names a
    command of the command line (``page.agreements.problem.<code>``), else the service's message."""
    key = "page.agreements.problem." + exc.code.replace(".", "_")
    if key in catalogue():
        return _t(key, lang, **exc.shown_context(lang))
    return exc.message(lang)


def form_errors(exc: Exception, lang: str) -> dict[str, str]:
    """``field_errors`` with the service's field names turned into the form's."""
    if isinstance(exc, LindungError) and exc.code in FIELD_OF_CODE:
        return {FIELD_OF_CODE[exc.code]: said(exc, lang)}
    if isinstance(exc, LindungError) and not exc.code.startswith("invalid"):
        return {"_": said(exc, lang)}
    return {FIELD_OF.get(name, name): message for name, message in field_errors(exc, lang).items()}


def fundings(lang: str) -> list[tuple[str, str]]:
    return [(code, source.label(lang)) for code, source in funding_sources().items()]


def funding_label(code: str, lang: str) -> str:
    try:
        return funding_source(code).label(lang)
    except InvalidInput:
        return code


def occupation_label(code: str, lang: str) -> str:
    try:
        return find_occupation(code).label(lang)
    except InvalidInput:
        return code


def edit_change(edit: DraftEdit, lang: str) -> str:
    """A change of a draft in the reader's words: 'kuota 1.000 → 1.500; JHT tidak → ya' (as ``agreement show``
    says it); an old entry's text that is not field by field stays as written."""
    def value(field: str, text: str) -> str:
        if text.isdigit() and field in ("budget", "income", "base"):
            return rp(int(text))
        if text.isdigit() and field == "quota":
            return format_count(int(text), lang)
        return {"True": _t("ui.yes", lang), "False": _t("ui.no", lang), "None": "-"}.get(text, text)

    parts = []
    for change in edit.changes:
        key = f"registry.edit_field.{change.field}"
        if change.before == change.after:
            continue  # an addendum of a draft names both quota and budget, changed or not
        name = _t(key, lang) if key in catalogue() else change.field
        parts.append(f"{name} {value(change.field, change.before)} → {value(change.field, change.after)}")
    if edit.text:
        parts.append(edit.text)
    return "; ".join(parts)


def _grouped(amount: int | None) -> str:
    """``201.600.000``: how the forms show an amount (``whole`` reads it back in either language)."""
    return "" if amount is None else f"{amount:,}".replace(",", ".")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


# --- the agreements ---------------------------------------------------------------------------------


@router.get("/perjanjian", response_class=HTMLResponse)
def agreement_list(page: SignedIn, session: ReadSession, offset: Offset = 0,
                   status: Annotated[str, Query(max_length=20)] = "",
                   sponsor: Annotated[str, Query(max_length=64)] = "") -> Response:
    wanted = status if status in STATUSES else ""
    found = sponsors.agreement_page(session, by=page.actor, window=_window(offset), sponsor=sponsor or None,
                                    statuses=(wanted,) if wanted else ())
    query = urlencode({k: v for k, v in (("status", wanted), ("sponsor", sponsor)) if v})
    return page.render("sponsors/agreements.html", paged=found, query=query, chosen=wanted, sponsor=sponsor,
                       statuses=STATUSES)


def _sponsor_options(page: Page, session: Any) -> list[tuple[str, str]]:
    found: Paged[SponsorRead] = sponsors.sponsor_page(session, by=page.actor, window=Window(limit=500))
    return [(s.code, f"{s.code} — {s.name}") for s in found.items]


def _form(page: Page, session: Any, template: str, *, values: dict[str, str], errors: dict[str, str],
          agreement: AgreementDetail | None = None, status: int = 200) -> HTMLResponse:
    return page.render(template, status=status, **_form_context(page, session, values, errors, agreement))


def _form_context(page: Page, session: Any, values: dict[str, str], errors: dict[str, str],
                  agreement: AgreementDetail | None) -> dict[str, Any]:
    return {"values": values, "errors": errors, "agreement": agreement,
            "sponsor_options": _sponsor_options(page, session), "funding_options": fundings(page.lang),
            "cycles": CYCLES, "after_death": AFTER_DEATH}


@router.get("/perjanjian/baru", response_class=HTMLResponse)
def draft_form(page: SignedIn, session: ReadSession, sponsor: Annotated[str, Query(max_length=64)] = "") -> Response:
    page.actor.require("agreement.draft")
    return _form(page, session, "sponsors/draft.html", values={"sponsor": sponsor, "after_death": "credit"},
                 errors={})


class _Terms:
    """The draft form read as a person filled it in: each field parsed, each error kept by its field."""

    def __init__(self, values: dict[str, str], lang: str) -> None:
        self.errors: dict[str, str] = {}
        self.lang = lang
        self.quota = self._read(lambda: whole(values.get("quota"), "quota"), "quota")
        self.budget = self._read(lambda: whole(values.get("budget"), "budget"), "budget")
        self.income = self._read(lambda: whole(values.get("income"), "income"), "income")
        self.start = self._read(lambda: _month(values.get("start"), "start"), "start")
        self.end = self._read(lambda: _month(values.get("end"), "end"), "end")
        for name in ("sponsor", "start", "end", "quota", "budget"):
            if not values.get(name) and name not in self.errors:
                self.errors[name] = _t("problem.field.missing", lang)
        if isinstance(self.start, Month) and isinstance(self.end, Month) and self.end < self.start:
            self.errors["end"] = _t("page.agreements.end_before_start", lang, start=month_text(self.start, lang),
                                    end=month_text(self.end, lang))
        cycle = values.get("billing_cycle", "")
        self.cycle = int(cycle) if cycle.isdigit() and len(cycle) < 4 else None
        if cycle and self.cycle is None:
            self.errors["billing_cycle"] = InvalidInput("billing_cycle_months", cycle).message(lang)
        self.jht = values.get("jht") == "1"
        self.funding = values.get("funding") or None
        self.after_death = values.get("after_death") or "credit"
        self.occupations = _codes(values.get("occupations", ""))
        self.regions = _codes(values.get("regions", ""))

    def _read(self, parse: Any, name: str) -> Any:
        try:
            return parse()
        except InvalidInput as exc:
            self.errors[name] = exc.message(self.lang)
            return None

    @property
    def months(self) -> int:
        assert self.start is not None and self.end is not None
        return int(self.start.months_until(self.end)) + 1


def _month(text: str | None, field: str) -> Month | None:
    """A month as ``<input type=month>`` sends it (``2027-01``); None for nothing typed; anything else (a day,
    ``2026-02-30``) refused by its field with the message of a month."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return Month.parse(raw)
    except InvalidInput:
        raise InvalidInput(field, raw, reason="month") from None


@router.post("/perjanjian/baru", response_class=HTMLResponse)
def draft(page: SignedIn, session: DbSession, values: FormValues) -> Response:
    terms = _Terms(values, page.lang)
    kept = {k: values.get(k, "") for k in TERMS}
    if terms.errors:
        raise page.refused("sponsors/draft.html", **_form_context(page, session, kept, terms.errors, None))
    try:
        data = AgreementCreate(
            code=values.get("code", ""), sponsor=values.get("sponsor", ""), quota=terms.quota, budget=terms.budget,
            start=terms.start, months=terms.months, income=terms.income, jht=terms.jht, funding=terms.funding,
            billing_cycle=terms.cycle, after_death=terms.after_death, target_occupations=terms.occupations,
            target_regions=terms.regions)
        made = sponsors.draft_agreement(session, data, by=page.actor)
    except (ValidationError, LindungError) as exc:
        raise page.refused("sponsors/draft.html",
                           **_form_context(page, session, kept, form_errors(exc, page.lang), None)) from None
    return page.redirect(f"/perjanjian/{quote(made.code)}", said="page.agreements.drafted")


def _terms_of(a: AgreementDetail) -> dict[str, str]:
    """A draft's fields as its edit form shows them."""
    end = Month.parse(a.start) + (a.months - 1)
    return {"sponsor": a.sponsor.code, "code": a.code, "start": a.start, "end": str(end), "quota": str(a.quota),
            "budget": _grouped(a.budget), "income": _grouped(a.package.income), "funding": a.funding,
            "jht": "1" if a.package.jht else "0", "billing_cycle": str(a.package.billing_cycle_months),
            "after_death": a.package.after_death, "occupations": ", ".join(a.targets.occupations),
            "regions": ", ".join(a.targets.regions), "version": str(a.version)}


@router.get("/perjanjian/{code}/ubah", response_class=HTMLResponse)
def edit_form(code: Code, page: SignedIn, session: ReadSession) -> Response:
    page.actor.require("agreement.draft")
    a = sponsors.show_agreement(session, code, by=page.actor)
    if a.status != "draft":
        return page.redirect(f"/perjanjian/{quote(a.code)}")
    return _form(page, session, "sponsors/edit.html", values=_terms_of(a), errors={}, agreement=a)


@router.post("/perjanjian/{code}/ubah", response_class=HTMLResponse)
def edit(code: Code, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    a = sponsors.show_agreement(session, code, by=page.actor)
    terms = _Terms(values, page.lang)
    kept = {**{k: values.get(k, "") for k in TERMS}, "code": a.code, "version": values.get("version", "")}
    if terms.errors:
        raise page.refused("sponsors/edit.html", **_form_context(page, session, kept, terms.errors, a))
    version = values.get("version", "")
    try:
        changes = AgreementChanges(
            sponsor=values.get("sponsor", ""), quota=terms.quota, budget=terms.budget, start=terms.start,
            months=terms.months, income=terms.income, lowest_income=terms.income is None, jht=terms.jht,
            funding=terms.funding, billing_cycle=terms.cycle, after_death=terms.after_death,
            target_occupations=terms.occupations, target_regions=terms.regions,
            version=int(version) if version.isdigit() and len(version) < 9 else None)
        sponsors.edit_draft(session, a.code, changes, by=page.actor)
    except (ValidationError, LindungError) as exc:
        raise page.refused("sponsors/edit.html",
                           **_form_context(page, session, kept, form_errors(exc, page.lang), a)) from None
    return page.redirect(f"/perjanjian/{quote(a.code)}", said="page.agreements.edited")


def _actions(page: Page, a: AgreementDetail) -> dict[str, Any]:
    """What the reader may do with the agreement now (the service checks again when they do)."""
    draft, drafts, approves = a.status == "draft", page.can("agreement.draft"), page.can("agreement.approve")
    pending = next((m for m in a.amendments if m.status == "proposed"), None)
    open_ = a.status in ("approved", "active")
    return {
        "edit": draft and drafts,
        "approve": draft and (drafts or approves),
        "withdraw": draft and drafts,
        "activate": a.status == "approved" and drafts,
        "addendum": open_ and drafts and pending is None,
        "pending": pending,
        "approve_addendum": pending is not None and approves,
        "reject_addendum": pending is not None and (drafts or approves),
        "end": open_ and drafts,
        "end_needs_month": a.use.enrolled > 0,
        "roster": page.can("worker.read") and a.status != "draft",
        "cards": page.can("card.issue") and open_ and a.use.enrolled > 0,
    }


def _agreement_page(page: Page, a: AgreementDetail, *, status: int = 200, problem: str | None = None,
                    values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> HTMLResponse:
    return page.render("sponsors/agreement.html", status=status, **_agreement_context(page, a, problem, values,
                                                                                     errors))


def _agreement_context(page: Page, a: AgreementDetail, problem: str | None, values: dict[str, str] | None,
                       errors: dict[str, str] | None) -> dict[str, Any]:
    return {"a": a, "actions": _actions(page, a), "problem": problem, "values": values or {},
            "errors": errors or {}, "funding": funding_label(a.funding, page.lang),
            "occupations": [occupation_label(c, page.lang) for c in a.targets.occupations],
            "edits": [edit_change(e, page.lang) for e in a.edits],
            "end_month": str(Month.parse(a.start) + (a.months - 1))}


@router.get("/perjanjian/{code}", response_class=HTMLResponse)
def agreement(code: Code, page: SignedIn, session: ReadSession) -> Response:
    return _agreement_page(page, sponsors.show_agreement(session, code, by=page.actor))


def _act(page: Page, session: Any, code: str, action: Any, *, done: str,
         values: dict[str, str] | None = None) -> Response:
    """Run ``action(agreement)`` on the agreement the reader may see; its refusal is shown on the agreement's
    page (status of the error; the unit of work rolled back), else back to it with ``done``."""
    a = sponsors.show_agreement(session, code, by=page.actor)
    try:
        action(a)
    except (ValidationError, LindungError) as exc:
        status = exc.http_status if isinstance(exc, LindungError) else 422
        errors = form_errors(exc, page.lang)
        problem = errors.pop("_", None) if isinstance(exc, LindungError) and not exc.code.startswith("invalid") \
            else None
        raise page.refused("sponsors/agreement.html", status=status,
                           **_agreement_context(page, a, problem, values, errors)) from None
    return page.redirect(f"/perjanjian/{quote(a.code)}", said=done)


@router.post("/perjanjian/{code}/kartu", response_class=HTMLResponse)
def card_sheet(code: Code, request: Request, page: SignedIn, session: DbSession) -> Response:
    """The A4 sheet of the membership cards of every worker enrolled under the agreement (PDF), the
    missing cards issued; their QR codes lead to this server's verification page."""
    sheet = cards.sheet(session, code, by=page.actor, today=clock.today())
    pdf = render_sheet(sheet, base=str(request.base_url), lang=page.lang, today=clock.today())
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="kartu-{quote(sheet.agreement)}.pdf"'})


@router.post("/perjanjian/{code}/setujui", response_class=HTMLResponse)
def approve(code: Code, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    version = values.get("version", "")
    seen = int(version) if version.isdigit() and len(version) < 9 else None
    return _act(page, session, code,
                lambda a: sponsors.approve(session, a.code, by=page.actor, version=seen),
                done="page.agreements.approved")


@router.post("/perjanjian/{code}/aktifkan", response_class=HTMLResponse)
def activate(code: Code, page: SignedIn, session: DbSession) -> Response:
    return _act(page, session, code, lambda a: sponsors.activate(session, a.code, by=page.actor),
                done="page.agreements.activated")


@router.post("/perjanjian/{code}/tarik", response_class=HTMLResponse)
def withdraw(code: Code, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    return _act(page, session, code,
                lambda a: sponsors.withdraw(session, a.code, reason=values.get("reason", ""), by=page.actor),
                done="page.agreements.withdrawn", values={"reason": values.get("reason", "")})


@router.post("/perjanjian/{code}/akhiri", response_class=HTMLResponse)
def end(code: Code, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    def ending(a: AgreementDetail) -> None:
        last = _month(values.get("last_month"), "last_month")
        ends.close_agreement(session, a.code, last_month=last, by=page.actor, today=clock.today())

    return _act(page, session, code, ending, done="page.agreements.ended",
                values={"last_month": values.get("last_month", "")})


@router.post("/perjanjian/{code}/adendum/{number}/setujui", response_class=HTMLResponse)
def approve_addendum(code: Code, number: Number, page: SignedIn, session: DbSession) -> Response:
    return _act(page, session, code, lambda a: amendments.approve(session, a.code, number=number, by=page.actor),
                done="page.agreements.addendum_approved")


@router.post("/perjanjian/{code}/adendum/{number}/tolak", response_class=HTMLResponse)
def reject_addendum(code: Code, number: Number, page: SignedIn, session: DbSession) -> Response:
    return _act(page, session, code, lambda a: amendments.reject(session, a.code, number=number, by=page.actor),
                done="page.agreements.addendum_rejected")


@router.get("/perjanjian/{code}/adendum", response_class=HTMLResponse)
def addendum_form(code: Code, page: SignedIn, session: ReadSession) -> Response:
    page.actor.require("agreement.draft")
    a = sponsors.show_agreement(session, code, by=page.actor)
    return page.render("sponsors/addendum.html", a=a, values={}, errors={})


@router.post("/perjanjian/{code}/adendum", response_class=HTMLResponse)
def propose_addendum(code: Code, page: SignedIn, session: DbSession, values: FormValues) -> Response:
    a = sponsors.show_agreement(session, code, by=page.actor)
    kept = {k: values.get(k, "") for k in ("quota", "budget", "reference")}
    errors: dict[str, str] = {}
    amounts: dict[str, int | None] = {}
    try:
        amounts["quota"] = whole(values.get("quota"), "quota")
    except InvalidInput as exc:
        errors["quota"] = exc.message(page.lang)
    try:
        amounts["budget"] = whole(values.get("budget"), "budget")
    except InvalidInput as exc:
        errors["budget"] = exc.message(page.lang)
    if not errors:
        try:
            made = amendments.amend(session, a.code, quota=amounts["quota"], budget=amounts["budget"],
                                    reference=values.get("reference") or None, by=page.actor)
        except LindungError as exc:
            errors = form_errors(exc, page.lang)
        else:
            done = "page.agreements.edited" if made.status == "applied" else "page.agreements.addendum_proposed"
            return page.redirect(f"/perjanjian/{quote(a.code)}", said=done)
    raise page.refused("sponsors/addendum.html", a=a, values=kept, errors=errors)


@router.get("/perjanjian/{code}/pekerja", response_class=HTMLResponse)
def agreement_workers(code: Code, page: SignedIn, session: ReadSession, offset: Offset = 0,
                      status: Annotated[str, Query(max_length=20)] = "active") -> Response:
    a: AgreementRead = sponsors.show_agreement(session, code, by=page.actor)
    wanted = status if status in ("active", "cancelled", "all") else "active"
    found = roster.roster_page(session, a.code, by=page.actor, window=_window(offset), status=wanted)
    return page.render("sponsors/workers.html", a=a, paged=found, chosen=wanted,
                       occupation=lambda c: occupation_label(c, page.lang),
                       query=urlencode({"status": wanted}) if wanted != "active" else "")


# --- the sponsors -----------------------------------------------------------------------------------


@router.get("/sponsor", response_class=HTMLResponse)
def sponsor_list(page: SignedIn, session: ReadSession, offset: Offset = 0) -> Response:
    found = sponsors.sponsor_page(session, by=page.actor, window=_window(offset))
    return page.render("sponsors/sponsors.html", paged=found,
                       fundings={code: label for code, label in fundings(page.lang)})


def _sponsor_form(page: Page, values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    return {"values": values, "errors": errors, "funding_options": fundings(page.lang),
            "types": sponsors.SPONSOR_TYPES}


@router.get("/sponsor/baru", response_class=HTMLResponse)
def sponsor_form(page: SignedIn) -> Response:
    page.actor.require("sponsor.write")
    return page.render("sponsors/sponsor_new.html", **_sponsor_form(page, {}, {}))


@router.post("/sponsor/baru", response_class=HTMLResponse)
def add_sponsor(page: SignedIn, session: DbSession, values: FormValues) -> Response:
    kept = {k: values.get(k, "") for k in ("code", "name", "funding", "type")}
    errors = {name: _t("problem.field.missing", page.lang) for name in ("code", "name", "funding")
              if not kept[name]}
    if not errors:
        try:
            made = sponsors.add_sponsor(session, SponsorCreate(code=kept["code"], name=kept["name"],
                                                               funding=kept["funding"], type=kept["type"] or None),
                                        by=page.actor)
        except (ValidationError, LindungError) as exc:
            errors = form_errors(exc, page.lang)
        else:
            return page.redirect(f"/perjanjian?sponsor={quote(made.code)}", said="page.agreements.sponsor_added")
    raise page.refused("sponsors/sponsor_new.html", **_sponsor_form(page, kept, errors))


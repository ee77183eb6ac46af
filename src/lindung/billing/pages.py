"""The web pages of billing (issue 21): handlers that read a form or a query, call one service as the
signed-in person, and render a template of ``web/templates/billing/``.

=====================================================  ===========================================
``/tagihan``                                           bills by status, agreement and month
``/tagihan/terbitkan`` (GET, POST)                     a bill run, started as a job
``/tagihan/terbitkan/{job}``                           the run's progress and what it issued
``/tagihan/lewat-jatuh-tempo[.csv]``                   bills past their due date (``lists.overdue``)
``/tagihan/tunggakan[.csv]``                           agreements with worker-months unpaid
``/tagihan/akan-putus[.csv]``                          workers whose membership lapses unless paid
``/tagihan/berakhir[.csv]``                            workers whose protection ends soon
``/tagihan/rekening-sponsor[.csv]``                    a sponsor's account per agreement
``/tagihan/{code}``                                    a bill, its lines, payments and payment form
``/tagihan/{code}/bayar`` (POST)                       record a payment (``service.pay``)
``/tagihan/{code}/kuitansi/{number}[.pdf]``            a receipt (``TBPI-2026-000001``), its PDF
=====================================================  ===========================================

A bill is addressed by its payment code, a receipt by its number with dashes for its slashes. The
lists' CSVs are the CLI's (``lindung billing overdue|unpaid|lapsing|ending|statement``): UTF-8 with a
BOM, so that Excel reads them as UTF-8, headers in the reader's language, NIKs masked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from lindung.api.deps import DbSession, ReadSession, RowId
from lindung.billing import jobs as bill_jobs
from lindung.billing import lists, service
from lindung.billing.receipt_pdf import render_receipt
from lindung.billing.schemas import BillFilter, BillRead, BillRun, BillRunRequest, PaymentCreate, Receipt
from lindung.jobs import service as jobs
from lindung.jobs.schemas import JobRead
from lindung.kit import clock
from lindung.kit.cells import inert
from lindung.kit.errors import Conflict, InvalidInput, LindungError, NotFound
from lindung.kit.i18n import catalogue
from lindung.kit.listing import CsvList
from lindung.kit.numbers import DAYS_MAX
from lindung.kit.paging import Paged, Window
from lindung.kit.schemas import Schema
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.web import forms
from lindung.web.context import Page, SignedIn
from lindung.web.forms import Offset

router = APIRouter()

PAGE_SIZE = 50
LINES_PAGE_SIZE = 50
STATUSES: tuple[BillFilter, ...] = ("open", "unpaid", "partly_paid", "paid", "cancelled")
RECEIPT_SLUG = re.compile(r"^[A-Za-z]{1,8}-\d{4}-\d{1,9}$")
Text = Annotated[str, Query(max_length=64)]


def _window(offset: int, size: int = PAGE_SIZE) -> Window:
    return Window(limit=size, offset=offset)


def _query(**values: str) -> str:
    """The list's filters as a query string (the empty ones left out), for its pager and CSV link."""
    return urlencode({k: v for k, v in values.items() if v})


def _agreements(session: Any, page: Page, *, open_only: bool = False) -> list[tuple[str, str]]:
    """(code, label) of the agreements the reader may see (a sponsor's staff: their own), for a select."""
    if not page.can("agreement.read"):
        return []
    found = sponsors.agreement_page(session, by=page.actor, window=Window(limit=200),
                                    statuses=("approved", "active") if open_only else ())
    return [(a.code, f"{a.code} · {a.sponsor.name}") for a in found.items]


def _said(exc: LindungError, page: Page) -> str:
    return exc.message(page.lang)


# --- the bills ------------------------------------------------------------------------------------


@router.get("/tagihan", response_class=HTMLResponse)
def bills(page: SignedIn, session: ReadSession, status: Text = "", perjanjian: Text = "", bulan: Text = "",
          offset: Offset = 0) -> Response:
    page.actor.require("bill.read")  # before a refusal of the query says anything
    values = {"status": status, "perjanjian": perjanjian, "bulan": bulan}
    errors: dict[str, str] = {}
    month = None
    try:
        month = forms.month(bulan, "month")
    except InvalidInput as exc:
        errors["bulan"] = _said(exc, page)
    if status and status not in STATUSES:
        errors["status"] = page.t("page.bills.bad_status")
    agreements = _agreements(session, page)
    shown: dict[str, Any] = {"values": values, "agreements": agreements,
                             "statuses": [(s, page.t(f"page.bills.status.{s}")) for s in STATUSES],
                             "query": _query(**values), "heading": page.t("page.bills.title")}
    if errors:
        raise page.refused("billing/list.html", errors=errors, paged=None, **shown)
    try:
        paged = service.list_bills(session, _window(offset), by=page.actor,
                                   status=status if status in STATUSES else None,
                                   agreement=perjanjian or None, month=month)
    except NotFound as exc:
        raise page.refused("billing/list.html", errors={"perjanjian": _said(exc, page)}, paged=None,
                           **shown) from None
    return page.render("billing/list.html", errors={}, paged=paged, **shown)


# --- a bill run -----------------------------------------------------------------------------------


def _next_month() -> Month:
    """The month a bill run asks for by default: the next one (a run issues every cycle due by then)."""
    return Month.of(clock.today()) + 1


@router.get("/tagihan/terbitkan", response_class=HTMLResponse)
def issue_form(page: SignedIn, session: ReadSession) -> Response:
    page.actor.require("bill.issue")
    return page.render("billing/issue.html", values={"bulan": str(_next_month()), "perjanjian": ""}, errors={},
                       agreements=_agreements(session, page, open_only=True), heading=page.t("page.bills.issue.title"))


@router.post("/tagihan/terbitkan")
def issue(request: Request, page: SignedIn, session: DbSession, values: forms.FormValues) -> Response:
    page.actor.require("bill.issue")
    agreement = values.get("perjanjian") or None
    errors: dict[str, str] = {}
    job: JobRead | None = None
    try:
        month = forms.month(values.get("bulan"), "month")
        if month is None:
            errors["bulan"] = page.t("page.bills.issue.month_required")
        else:
            job = bill_jobs.start(session, BillRunRequest(month=month, agreement=agreement,
                                                          issue_date=clock.today()), by=page.actor)
    except InvalidInput as exc:
        errors["bulan"] = _said(exc, page)
    except (NotFound, Conflict) as exc:
        errors["perjanjian"] = _said(exc, page)
    if job is None:
        raise page.refused("billing/issue.html", values=values, errors=errors,
                           agreements=_agreements(session, page, open_only=True),
                           heading=page.t("page.bills.issue.title"))
    session.commit()  # the job's row is there before its work starts (as the API's ``accepted``)
    engine, actor, job_id = request.app.state.engine, page.actor, job.id
    request.app.state.job_runner.submit(job_id, lambda: bill_jobs.run(job_id, by=actor, engine=engine))
    return page.redirect(f"/tagihan/terbitkan/{job_id}", said="page.bills.issue.started")


def _job_error(job: JobRead, page: Page) -> str | None:
    if job.error_code is None:
        return None
    if job.error_code in catalogue():
        try:
            return page.t(job.error_code, **(job.error_context or {}))
        except (KeyError, IndexError):
            pass
    return page.t("page.bills.run.failed_unknown")


@router.get("/tagihan/terbitkan/{job_id}", response_class=HTMLResponse)
def run(job_id: RowId, page: SignedIn, session: ReadSession) -> Response:
    job = jobs.get(session, job_id, by=page.actor)
    if job.kind != bill_jobs.KIND:
        raise NotFound("job.not_found", value=job_id)
    result = BillRun.model_validate(job.result) if job.status == "done" and job.result is not None else None
    finished = job.status in ("done", "failed", "interrupted")
    return page.render("billing/run.html", job=job, result=result, finished=finished, error=_job_error(job, page),
                       month=job.params.get("month", ""), agreement=job.params.get("agreement"),
                       heading=page.t("page.bills.run.title"))


# --- the lists ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"
    """How a cell is shown: text, rp, count, date, month, nik, bill (a link to the bill), status."""


@dataclass(frozen=True)
class ListSpec:
    path: str
    code: str
    """``page.bills.list.<code>.*``: its title and what it holds."""
    columns: tuple[Column, ...]
    csv: CsvList
    days: bool = False
    at: bool = True
    workers: bool = False
    """Names workers (``worker.read`` too)."""


OVERDUE = ListSpec("/tagihan/lewat-jatuh-tempo", "overdue", (
    Column("payment_code", "bill"), Column("agreement"), Column("sponsor_name"), Column("cycle_from", "month"),
    Column("cycle_to", "month"), Column("due_date", "date"), Column("days_overdue", "count"),
    Column("total", "rp"), Column("unpaid_worker_months", "count"), Column("unpaid", "rp")), lists.OVERDUE)
UNPAID = ListSpec("/tagihan/tunggakan", "unpaid", (
    Column("agreement"), Column("sponsor_name"), Column("workers", "count"),
    Column("unpaid_worker_months", "count"), Column("first_month", "month"), Column("last_month", "month"),
    Column("unpaid", "rp")), lists.UNPAID)
LAPSING = ListSpec("/tagihan/akan-putus", "lapsing", (
    Column("nik", "nik"), Column("name"), Column("agreement"), Column("arrears_from", "month"),
    Column("arrears_months", "count"), Column("arrears", "rp"), Column("payable_until", "date"),
    Column("days_left", "count"), Column("payment_code", "bill")), lists.LAPSING, days=True, workers=True)
ENDING = ListSpec("/tagihan/berakhir", "ending", (
    Column("nik", "nik"), Column("name"), Column("agreement"), Column("protected_until", "date"),
    Column("days_left", "count"), Column("contribution_months", "count"), Column("last_paid_month", "month")),
    lists.ENDING, days=True, workers=True)
STATEMENT = ListSpec("/tagihan/rekening-sponsor", "statement", (
    Column("sponsor_name"), Column("agreement"), Column("status", "status"), Column("billed", "rp"),
    Column("cancelled", "rp"), Column("settled", "rp"), Column("received", "rp"), Column("payments", "count"),
    Column("credit", "rp"), Column("refunds", "rp"), Column("outstanding", "rp")), lists.STATEMENT, at=False)
LISTS = (OVERDUE, UNPAID, LAPSING, ENDING, STATEMENT)


@dataclass
class ListQuery:
    at: dt.date
    days: int
    sponsor: str | None
    values: dict[str, str]


def _list_query(page: Page, spec: ListSpec, tanggal: str, hari: str, sponsor: str, session: Any) -> ListQuery:
    """The list's query read as a person typed it; refused (the list page with its errors) otherwise."""
    page.actor.require("bill.read", *(("worker.read",) if spec.workers else ()))
    values = {"tanggal": tanggal, "hari": hari, "sponsor": sponsor}
    errors: dict[str, str] = {}
    at, days = clock.today(), 30
    try:
        at = forms.day(tanggal, "tanggal") or at
    except InvalidInput as exc:
        errors["tanggal"] = _said(exc, page)
    try:
        given = forms.whole(hari, "days")
        if given is not None:
            if given > DAYS_MAX:
                raise InvalidInput("days", hari)
            days = given
    except InvalidInput as exc:
        errors["hari"] = _said(exc, page)
    if errors:
        raise page.refused("billing/report.html", spec=spec, values=values, errors=errors, paged=None,
                           sponsors=_sponsors(session, page, spec), query=_query(**values),
                           heading=page.t(f"page.bills.list.{spec.code}.title"))
    return ListQuery(at, days, sponsor or None, values)


def _sponsors(session: Any, page: Page, spec: ListSpec) -> list[tuple[str, str]]:
    if spec is not STATEMENT or not page.actor.scope.unlimited or not page.can("agreement.read"):
        return []
    found = sponsors.sponsor_page(session, by=page.actor, window=Window(limit=200))
    return [(s.code, f"{s.code} · {s.name}") for s in found.items]


def _show_list(page: Page, session: Any, spec: ListSpec, query: ListQuery,
               make: Callable[[], Paged[Any]]) -> Response:
    shown: dict[str, Any] = {"spec": spec, "values": query.values, "sponsors": _sponsors(session, page, spec),
                             "query": _query(**query.values), "at": query.at, "days": query.days,
                             "heading": page.t(f"page.bills.list.{spec.code}.title")}
    try:
        paged = make()
    except NotFound as exc:  # a sponsor's code not known (or another sponsor's)
        raise page.refused("billing/report.html", errors={"sponsor": _said(exc, page)}, paged=None, **shown) from None
    return page.render("billing/report.html", errors={}, paged=paged, **shown)


def _csv(page: Page, rows: Iterable[Schema], spec: ListSpec, day: dt.date) -> Response:
    """The whole list as CSV for a spreadsheet: UTF-8 with a BOM (Excel then reads it as UTF-8), headers
    in the reader's language, values as ``lindung billing …`` writes them, no text a spreadsheet runs."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(spec.csv.headers(page.lang))
    for row in rows:
        writer.writerow([inert(value) for value in spec.csv.cells(row.model_dump(mode="json"), page.lang)])
    name = f"{spec.path.rsplit('/', 1)[-1]}-{day.isoformat()}.csv"
    return Response(out.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get(OVERDUE.path + ".csv")
def overdue_csv(page: SignedIn, session: ReadSession, tanggal: Text = "") -> Response:
    q = _list_query(page, OVERDUE, tanggal, "", "", session)
    return _csv(page, lists.overdue_bills(session, q.at, by=page.actor), OVERDUE, q.at)


@router.get(OVERDUE.path, response_class=HTMLResponse)
def overdue(page: SignedIn, session: ReadSession, tanggal: Text = "", offset: Offset = 0) -> Response:
    q = _list_query(page, OVERDUE, tanggal, "", "", session)
    return _show_list(page, session, OVERDUE, q,
                      lambda: lists.overdue_page(session, q.at, _window(offset), by=page.actor))


@router.get(UNPAID.path + ".csv")
def unpaid_csv(page: SignedIn, session: ReadSession, tanggal: Text = "") -> Response:
    q = _list_query(page, UNPAID, tanggal, "", "", session)
    return _csv(page, lists.agreements_with_unpaid(session, q.at, by=page.actor), UNPAID, q.at)


@router.get(UNPAID.path, response_class=HTMLResponse)
def unpaid(page: SignedIn, session: ReadSession, tanggal: Text = "", offset: Offset = 0) -> Response:
    q = _list_query(page, UNPAID, tanggal, "", "", session)
    return _show_list(page, session, UNPAID, q,
                      lambda: lists.unpaid_page(session, q.at, _window(offset), by=page.actor))


@router.get(LAPSING.path + ".csv")
def lapsing_csv(page: SignedIn, session: ReadSession, tanggal: Text = "", hari: Text = "") -> Response:
    q = _list_query(page, LAPSING, tanggal, hari, "", session)
    return _csv(page, lists.lapsing(session, q.at, days=q.days, by=page.actor), LAPSING, q.at)


@router.get(LAPSING.path, response_class=HTMLResponse)
def lapsing(page: SignedIn, session: ReadSession, tanggal: Text = "", hari: Text = "",
            offset: Offset = 0) -> Response:
    q = _list_query(page, LAPSING, tanggal, hari, "", session)
    return _show_list(page, session, LAPSING, q,
                      lambda: lists.lapsing_page(session, q.at, _window(offset), days=q.days, by=page.actor))


@router.get(ENDING.path + ".csv")
def ending_csv(page: SignedIn, session: ReadSession, tanggal: Text = "", hari: Text = "") -> Response:
    q = _list_query(page, ENDING, tanggal, hari, "", session)
    return _csv(page, lists.protection_ending(session, q.at, days=q.days, by=page.actor), ENDING, q.at)


@router.get(ENDING.path, response_class=HTMLResponse)
def ending(page: SignedIn, session: ReadSession, tanggal: Text = "", hari: Text = "",
           offset: Offset = 0) -> Response:
    q = _list_query(page, ENDING, tanggal, hari, "", session)
    return _show_list(page, session, ENDING, q,
                      lambda: lists.ending_page(session, q.at, _window(offset), days=q.days, by=page.actor))


@router.get(STATEMENT.path + ".csv")
def statement_csv(page: SignedIn, session: ReadSession, sponsor: Text = "") -> Response:
    q = _list_query(page, STATEMENT, "", "", sponsor, session)
    return _csv(page, lists.statements(session, q.sponsor, by=page.actor), STATEMENT, clock.today())


@router.get(STATEMENT.path, response_class=HTMLResponse)
def statement(page: SignedIn, session: ReadSession, sponsor: Text = "", offset: Offset = 0) -> Response:
    q = _list_query(page, STATEMENT, "", "", sponsor, session)
    return _show_list(page, session, STATEMENT, q,
                      lambda: lists.statement_page(session, q.sponsor, _window(offset), by=page.actor))


# --- a bill, its payments and receipts ------------------------------------------------------------


def _bill(session: Any, code: str, page: Page) -> BillRead:
    """The bill of ``code`` as the reader may see it; not found also for a code that is no payment
    code at all (a 404 page, as for another sponsor's bill)."""
    try:
        return service.bill_status(session, code, by=page.actor)
    except InvalidInput:
        raise service.BillNotFound(payment_code=code[:40]) from None


def _bill_page(page: Page, session: Any, found: BillRead, offset: int, *, values: dict[str, str],
               errors: dict[str, str], status: int = 200) -> dict[str, Any]:
    lines = (service.bill_lines(session, found.payment_code, _window(offset, LINES_PAGE_SIZE), by=page.actor)
             if page.can("worker.read") else None)
    payable = found.status in ("unpaid", "partly_paid") and page.can("payment.record")
    return {"bill": found, "lines": lines, "payable": payable, "values": values, "errors": errors,
            "today": clock.today(), "heading": page.t("page.bills.bill.title", payment_code=found.payment_code)}


@router.get("/tagihan/{code}", response_class=HTMLResponse)
def bill(code: str, page: SignedIn, session: ReadSession, offset: Offset = 0) -> Response:
    found = _bill(session, code, page)
    values = {"amount": "", "paid_on": clock.today().isoformat(), "reference": ""}
    return page.render("billing/bill.html", **_bill_page(page, session, found, offset, values=values, errors={}))


def _checked(errors: dict[str, str], field: str, page: Page, check: Callable[[], Any]) -> Any:
    try:
        return check()
    except InvalidInput as exc:
        errors[field] = _said(exc, page)
        return None


@router.post("/tagihan/{code}/bayar")
def pay(code: str, page: SignedIn, session: DbSession, values: forms.FormValues) -> Response:
    """Record a payment of the bill: each field checked and said next to it; a bank reference recorded
    before (a second submission of the same form too) refused with the first receipt's number."""
    page.actor.require("payment.record")
    found = _bill(session, code, page)
    errors: dict[str, str] = {}
    required = page.t("page.form.required")
    amount = paid_on = reference = None
    if not values.get("amount"):
        errors["amount"] = required
    else:
        amount = _checked(errors, "amount", page, lambda: service.check_amount(forms.whole(values["amount"], "amount")))
    if not values.get("reference"):
        errors["reference"] = required
    else:
        reference = _checked(errors, "reference", page, lambda: service.normalize_reference(values["reference"]))
    paid_on = _checked(errors, "paid_on", page, lambda: forms.day(values.get("paid_on"), "paid_on"))
    receipt: Receipt | None = None
    if not errors and amount is not None and reference is not None:
        try:
            receipt = service.pay(session, PaymentCreate(code=found.payment_code, amount=amount, reference=reference,
                                                         paid_on=paid_on), today=clock.today(), by=page.actor)
        except service.DuplicatePayment as exc:
            errors["reference"] = _said(exc, page)
        except (ValidationError, LindungError) as exc:
            if isinstance(exc, LindungError) and not isinstance(exc, InvalidInput | Conflict):
                raise
            said = forms.field_errors(exc, page.lang)
            errors.update({("amount" if k == "_" else k): v for k, v in said.items()})
    if receipt is None:
        shown = _bill_page(page, session, found, 0, values=values, errors=errors)
        raise page.refused("billing/bill.html", **shown)
    return page.redirect(_receipt_path(receipt), said="page.bills.pay.recorded")


def receipt_slug(number: str) -> str:
    """``TBPI/2026/000001`` as it stands in an address: ``TBPI-2026-000001``."""
    return number.replace("/", "-")


def _receipt_path(r: Receipt) -> str:
    return f"/tagihan/{r.payment_code}/kuitansi/{receipt_slug(r.receipt)}"


def _receipt(session: Any, code: str, number: str, page: Page) -> Receipt:
    """The receipt ``number`` (its address form) of the bill ``code``; not found otherwise, also when it
    is another bill's receipt or another sponsor's."""
    if not RECEIPT_SLUG.match(number):
        raise NotFound("billing.receipt_not_found", number=number[:40])
    found = service.find_receipt(session, number.replace("-", "/"), by=page.actor)
    if found.payment_code != re.sub(r"[\s.-]", "", code):
        raise NotFound("billing.receipt_not_found", number=found.receipt)
    return found


@router.get("/tagihan/{code}/kuitansi/{number}.pdf")
def receipt_pdf(code: str, number: str, page: SignedIn, session: ReadSession) -> Response:
    found = _receipt(session, code, number, page)
    name = f"kuitansi-{receipt_slug(found.receipt)}.pdf"
    return Response(render_receipt(found, lang=page.lang), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/tagihan/{code}/kuitansi/{number}", response_class=HTMLResponse)
def receipt(code: str, number: str, page: SignedIn, session: ReadSession) -> Response:
    found = _receipt(session, code, number, page)
    return page.render("billing/receipt.html", receipt=found, slug=receipt_slug(found.receipt),
                       heading=page.t("page.bills.receipt.title", number=found.receipt))

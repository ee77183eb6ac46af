"""Bills, payments, receipts, coverage, deaths and leavings, and the branch's lists over HTTP
(``/api/v1/bill-runs``, ``/bills``, ``/payments``, ``/receipts``, ``/coverage``, ``/deaths``,
``/leavings``, ``/lists/…``): the same services as ``lindung bill | pay | coverage | billing …``, the
same schemas as their ``--json``.

No NIK in a URL: coverage, a death and a leaving carry the worker's NIK in a POST body. A bill is
addressed by its payment code, a receipt by its number (``TBPI/2026/000001``, its slashes as they are
or URL-encoded). A payment sent again with the same bank reference, bill, amount and day paid (a
retry after a lost answer) is answered with the first receipt and 200, nothing recorded twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession, Lang
from lindung.api.jobs import JOB_ACCEPTED, Runner, accepted
from lindung.api.paging import Page, PageWindow
from lindung.billing import coverage as coverage_service
from lindung.billing import ends, lists, service
from lindung.billing import jobs as bill_jobs
from lindung.billing.schemas import (
    BillFilter,
    BillLine,
    BillRead,
    BillRow,
    BillRunRequest,
    Coverage,
    EndingRow,
    EndResult,
    LapsingRow,
    OverdueRow,
    PaymentCreate,
    Receipt,
    StatementRow,
    UnpaidRow,
)
from lindung.kit import clock
from lindung.kit.cells import inert
from lindung.kit.listing import CsvList
from lindung.kit.numbers import DAYS_MAX
from lindung.kit.schemas import MonthText, Schema
from lindung.rules.period import Month

router = APIRouter(tags=["billing"])


class BillRunOrder(Schema):
    """A bill run: every cycle due by ``month`` not yet (fully) billed, of one agreement or of every
    open one (``lindung bill``), issued today."""

    month: MonthText
    agreement: str | None = None


class CoverageQuery(Schema):
    """Was the worker protected on ``at`` (default: today)? ``unmask`` shows the full NIK (audited;
    ``worker.read_nik``)."""

    nik: str
    at: dt.date | None = None
    unmask: bool = False


class DeathReport(Schema):
    nik: str
    died_on: dt.date


class Leaving(Schema):
    nik: str
    agreement: str
    last_month: MonthText
    """The last month covered under the agreement."""


CodeParam = Annotated[str, Query(max_length=64)]
AtParam = Annotated[dt.date | None, Query(description="The day the list is for (default: today)")]
DaysParam = Annotated[int, Query(ge=0, le=DAYS_MAX, description="How many days ahead")]
FormatParam = Annotated[Literal["json", "csv"] | None, Query(
    description="csv: the whole list as CSV (as `Accept: text/csv`); json (default): a page")]
CSV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}},
          "description": "A page as JSON, or the whole list as CSV (headers in the reader's language)"}}


# --- bill runs, bills, payments, receipts ---------------------------------------------------------


@router.post("/bill-runs", status_code=202, dependencies=[requires("bill.issue")], response_model=None,
             responses={202: JOB_ACCEPTED[202]}, summary="Issue the bills due by a month, as a job (safe to repeat)")
def bill_run(order: BillRunOrder, request: Request, session: DbSession, by: CurrentUser, runner: Runner) -> Response:
    job = bill_jobs.start(session, BillRunRequest(month=order.month, agreement=order.agreement,
                                                  issue_date=clock.today()), by=by)
    engine = request.app.state.engine
    return accepted(session, runner, job, lambda: bill_jobs.run(job.id, by=by, engine=engine))


@router.get("/bills", dependencies=[requires("bill.read")], summary="Bills, newest first")
def list_bills(session: DbSession, by: CurrentUser, window: PageWindow, status: BillFilter | None = None,
               agreement: CodeParam | None = None,
               month: Annotated[str | None, Query(max_length=7, description="YYYY-MM: bills whose cycle holds it",
                                                  examples=["2026-11"])] = None) -> Page[BillRow]:
    return Page[BillRow].of(service.list_bills(session, window, by=by, status=status, agreement=agreement,
                                               month=Month.parse(month) if month is not None else None))


@router.get("/bills/{code}", dependencies=[requires("bill.read")],
            summary="A bill as issued and as it stands, with its payments")
def show_bill(code: str, session: DbSession, by: CurrentUser) -> BillRead:
    return service.bill_status(session, code, by=by)


@router.get("/bills/{code}/lines", dependencies=[requires("bill.read", "worker.read")],
            summary="A bill's worker-months, by month and worker (NIKs masked)")
def bill_lines(code: str, session: DbSession, by: CurrentUser, window: PageWindow) -> Page[BillLine]:
    return Page[BillLine].of(service.bill_lines(session, code, window, by=by))


@router.post("/payments", status_code=201, dependencies=[requires("payment.record")],
             responses={200: {"model": Receipt, "description": "The same payment sent again: its first receipt"}},
             summary="Record a payment and issue its receipt (a retry answers the first receipt)")
def pay(payment: PaymentCreate, response: Response, session: DbSession, by: CurrentUser) -> Receipt:
    receipt, replayed = service.record_payment(session, payment, today=clock.today(), by=by)
    if replayed:
        response.status_code = 200
    return receipt


@router.get("/receipts/{number:path}", dependencies=[requires("bill.read")],
            summary="A receipt again (its number's slashes as they are or URL-encoded)")
def show_receipt(number: str, session: DbSession, by: CurrentUser) -> Receipt:
    return service.find_receipt(session, number, by=by)


# --- coverage, deaths, leavings -------------------------------------------------------------------


@router.post("/coverage", dependencies=[requires("bill.read", "worker.read")],
             summary="Was a worker protected on a date, and why (the NIK in the body)")
def coverage(query: CoverageQuery, session: DbSession, by: CurrentUser) -> Coverage:
    return coverage_service.coverage(session, query.nik, at=query.at or clock.today(), unmask=query.unmask, by=by)


@router.post("/deaths", status_code=201, dependencies=[requires("enrolment.end")],
             summary="Record a worker's death: no further bills, later months refunded or credited")
def death(report: DeathReport, session: DbSession, by: CurrentUser) -> EndResult:
    return ends.record_death(session, report.nik, died_on=report.died_on, by=by, today=clock.today())


@router.post("/leavings", status_code=201, dependencies=[requires("enrolment.end")],
             summary="A worker leaves an agreement after a month")
def leaving(body: Leaving, session: DbSession, by: CurrentUser) -> EndResult:
    return ends.leave(session, body.nik, body.agreement, last_month=body.last_month, by=by, today=clock.today())


# --- the lists ------------------------------------------------------------------------------------


def _wants_csv(request: Request, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    return "text/csv" in request.headers.get("accept", "").lower()


def _csv(rows: Iterable[Schema], spec: CsvList, lang: str, name: str) -> Response:
    """The whole list as CSV, as ``lindung billing …`` writes it: headers and coded values in the
    reader's language, identifiers and numbers as they are, no text that a spreadsheet would run."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(spec.headers(lang))
    for row in rows:
        writer.writerow([inert(value) for value in spec.cells(row.model_dump(mode="json"), lang)])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@router.get("/lists/overdue", dependencies=[requires("bill.read")], response_model=Page[OverdueRow],
            responses=CSV_ANSWER, summary="Bills past their due date with something still due")
def overdue(request: Request, session: DbSession, by: CurrentUser, lang: Lang, window: PageWindow,
            at: AtParam = None, format: FormatParam = None) -> Page[OverdueRow] | Response:
    day = at or clock.today()
    if _wants_csv(request, format):
        return _csv(lists.overdue_bills(session, day, by=by), lists.OVERDUE, lang, "overdue")
    return Page[OverdueRow].of(lists.overdue_page(session, day, window, by=by))


@router.get("/lists/unpaid", dependencies=[requires("bill.read")], response_model=Page[UnpaidRow],
            responses=CSV_ANSWER, summary="Agreements with worker-months unpaid past their due date")
def unpaid(request: Request, session: DbSession, by: CurrentUser, lang: Lang, window: PageWindow,
           at: AtParam = None, format: FormatParam = None) -> Page[UnpaidRow] | Response:
    day = at or clock.today()
    if _wants_csv(request, format):
        return _csv(lists.agreements_with_unpaid(session, day, by=by), lists.UNPAID, lang, "unpaid")
    return Page[UnpaidRow].of(lists.unpaid_page(session, day, window, by=by))


@router.get("/lists/ending", dependencies=[requires("bill.read", "worker.read")], response_model=Page[EndingRow],
            responses=CSV_ANSWER, summary="Workers whose protection ends within some days (NIKs masked)")
def ending(request: Request, session: DbSession, by: CurrentUser, lang: Lang, window: PageWindow,
           at: AtParam = None, days: DaysParam = 30, unmask: bool = False,
           format: FormatParam = None) -> Page[EndingRow] | Response:
    day = at or clock.today()
    if _wants_csv(request, format):
        rows = lists.protection_ending(session, day, days=days, unmask=unmask, by=by)
        return _csv(rows, lists.ENDING, lang, "ending")
    return Page[EndingRow].of(lists.ending_page(session, day, window, days=days, unmask=unmask, by=by))


@router.get("/lists/lapsing", dependencies=[requires("bill.read", "worker.read")], response_model=Page[LapsingRow],
            responses=CSV_ANSWER, summary="Workers in arrears whose membership lapses within some days unless paid")
def lapsing(request: Request, session: DbSession, by: CurrentUser, lang: Lang, window: PageWindow,
            at: AtParam = None, days: DaysParam = 30, unmask: bool = False,
            format: FormatParam = None) -> Page[LapsingRow] | Response:
    day = at or clock.today()
    if _wants_csv(request, format):
        return _csv(lists.lapsing(session, day, days=days, unmask=unmask, by=by), lists.LAPSING, lang, "lapsing")
    return Page[LapsingRow].of(lists.lapsing_page(session, day, window, days=days, unmask=unmask, by=by))


@router.get("/lists/statement", dependencies=[requires("bill.read")], response_model=Page[StatementRow],
            responses=CSV_ANSWER, summary="A sponsor's account per agreement: billed, paid, credit, outstanding")
def statement(request: Request, session: DbSession, by: CurrentUser, lang: Lang, window: PageWindow,
              sponsor: CodeParam | None = None, format: FormatParam = None) -> Page[StatementRow] | Response:
    if _wants_csv(request, format):
        return _csv(lists.statements(session, sponsor, by=by), lists.STATEMENT, lang, "statement")
    return Page[StatementRow].of(lists.statement_page(session, sponsor, window, by=by))

"""Claims scenarios' helpers: a paid-up cohort, the documents a claim needs as real files, a claim
taken from entry to approval by an officer and a supervisor."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from PIL import Image
from sqlalchemy.orm import Session

from lindung.claims import service
from lindung.claims.catalogue import catalogue
from lindung.claims.schemas import AccidentReport, AccidentView, ClaimRequest, ClaimView
from lindung.enrolment import service as enrolment
from lindung.rules.period import Month
from lindung.workers.models import Worker
from lindung.workers.schemas import HeirIn
from tests.billing import factories as bf
from tests.users import actor

OFFICER, SECOND_OFFICER, SUPERVISOR, CASHIER = "ani.petugas", "cici", "budi.supervisor", "kasir"


def png(seed: int = 0) -> bytes:
    """A small real PNG (the seed makes its content, so its SHA-256, differ)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (seed % 256, 40, 90)).save(out, format="PNG")
    return out.getvalue()


def new(s: Session, today: dt.date, **fields: Any) -> ClaimView:
    return service.new_claim(s, ClaimRequest.model_validate(fields), by=actor(s, OFFICER), today=today)


def attach_all(s: Session, number: str, today: dt.date, *, by: str = OFFICER) -> ClaimView:
    """Every required document of the claim, each a distinct real PNG."""
    view = service.show(s, number, by=actor(s, by), today=today)
    for i, d in enumerate(view.documents):
        if d.required and not d.received:
            view = service.attach(s, number, d.code, png(i + hash(number) % 1000), f"{d.code}.png",
                                  by=actor(s, by), today=today)
    assert catalogue().required_for(view.type, view.payee.relationship)
    return view


def to_approved(s: Session, number: str, today: dt.date, *, approver: str = SUPERVISOR) -> ClaimView:
    attach_all(s, number, today)
    service.submit(s, number, by=actor(s, OFFICER), today=today)
    service.verify(s, number, by=actor(s, OFFICER), today=today)
    return service.approve(s, number, by=actor(s, approver), today=today)


# --- paid-up workers over several cycles ------------------------------------------------------------


def enrolled(s: Session, code: str = "KADIN-2026", *, occupation: str = "pedagang", first: str | None = None,
             name: str = "Asep Saputra", heirs: Sequence[dict[str, str]] = (), income: int | None = None,
             today: dt.date = bf.JAN_1) -> Worker:
    """A worker (with ``heirs`` as an officer records them) enrolled under ``code`` on ``today`` from
    ``first`` (default: the month the agreement's rules give)."""
    worker = bf.worker(s, occupation=occupation, name=name, income=income,
                       heirs=tuple(HeirIn.model_validate(h) for h in heirs))
    enrolment.enrol(s, worker.nik, code, by=actor(s, OFFICER), today=today,
                    first=Month.parse(first) if first else None)
    return worker


def bill_and_pay(s: Session, month: str, *, billed_on: dt.date, paid_on: dt.date) -> int:
    """Issue the cycles due by ``month`` on ``billed_on`` and pay each bill in full on ``paid_on``;
    the number of bills paid."""
    run = bf.bill(s, month, on=billed_on)
    for b in run.bills:
        bf.pay(s, b.payment_code, b.payable, on=paid_on)
    return len(run.bills)


def paid_yearly(s: Session, first: str, years: int) -> None:
    """A 12-month cycle agreement's cycles from ``first`` (YYYY-MM), each billed on the 2nd of its
    first month and paid on the 5th: before its due date (the 15th), so every month is paid on time."""
    start = Month.parse(first)
    for k in range(years):
        m = start + 12 * k
        assert bill_and_pay(s, str(m), billed_on=m.day(2), paid_on=m.day(5)) == 1


def report(s: Session, nik: str, occurred_on: dt.date, *, reported_at: dt.datetime | None = None,
           what: str = "Terjatuh dari pematang sawah") -> AccidentView:
    """A stage I report received the next morning (unless ``reported_at``)."""
    at = reported_at or dt.datetime.combine(occurred_on + dt.timedelta(days=1), dt.time(8, 0), tzinfo=dt.UTC)
    return service.report_accident(
        s, AccidentReport(nik=nik, occurred_on=occurred_on, place="Desa Sagara Makmur", what=what, reporter="family",
                          reported_by="Siti Aminah (istri)", reported_at=at), by=actor(s, OFFICER), now=at)


def paid(s: Session, number: str, today: dt.date, *, reference: str | None = None) -> ClaimView:
    return service.pay(s, number, reference or f"TRF-{number}", today, by=actor(s, CASHIER), today=today)

"""Small factories for billing scenarios: sponsors, agreements, workers and cohorts through the
registry services (helper-1's), with defaults from the Kadin story (Kabupaten Bekasi, 2026)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from lindung.billing import service as billing
from lindung.billing.schemas import BillRun, PaymentCreate, Receipt
from lindung.enrolment import service as enrolment
from lindung.kit.auth import Actor
from lindung.rules.period import Month
from lindung.sponsors import repository as sponsors_repo
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import Agreement
from lindung.sponsors.schemas import AgreementCreate, SponsorCreate
from lindung.workers import service as workers
from lindung.workers.models import Worker
from lindung.workers.schemas import WorkerCreate
from tests.users import actor

MAKER, CHECKER, CASHIER = "ani.petugas", "budi.supervisor", "kasir"
DESA = {"01": "32.16.01.2001", "13": "32.16.13.2001", "17": "32.16.17.2001"}
JAN_1 = dt.date(2026, 1, 1)

_serial = itertools.count(1)


def maker(s: Session) -> Actor:
    """The officer who makes (issues bills, records deaths and leavings) in these scenarios."""
    return actor(s, MAKER)


def nik(*, kecamatan: str = "01", born: dt.date = dt.date(1990, 5, 17), sex: str = "L") -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"3216{kecamatan}{day:02d}{born:%m%y}{next(_serial) % 10000 or 1:04d}"


def agreement(s: Session, code: str = "KADIN-2026", *, sponsor: str = "KADIN", funding: str = "kadin",
              quota: int = 1000, start: str = "2026-01", months: int = 12, cycle: int = 12,
              after_death: str = "credit", activate: bool = True, **extra: Any) -> Agreement:
    """An approved (and by default active) agreement with a budget at its list price."""
    if sponsors_repo.sponsor_by_code(s, sponsor) is None:
        sponsors.add_sponsor(s, SponsorCreate(code=sponsor, name=f"Sponsor {sponsor}", funding=funding),
                             by=actor(s, MAKER))
    data = AgreementCreate(code=code, sponsor=sponsor, quota=quota, budget=0, start=Month.parse(start),
                           months=months, funding=funding, billing_cycle=cycle, after_death=after_death, **extra)
    sponsors.draft_agreement(s, data, by=actor(s, MAKER))
    a = sponsors.get_agreement(s, code)
    a.budget = a.estimate_list_price
    s.flush()
    sponsors.approve(s, code, by=actor(s, CHECKER))
    if activate:
        sponsors.activate(s, code, by=actor(s, CHECKER))
    return a


def worker(s: Session, *, occupation: str = "pedagang", kecamatan: str = "01", name: str = "Asep Saputra",
           **extra: Any) -> Worker:
    extra.setdefault("different_person", True)  # same name and birthday, different people (tests.factories)
    number = nik(kecamatan=kecamatan)
    workers.register(s, WorkerCreate(nik=number, name=name, domicile=DESA[kecamatan], occupation=occupation, **extra),
                     by=actor(s, MAKER), today=JAN_1)
    return workers.get(s, number)


def cohort(s: Session, size: int, code: str = "KADIN-2026", *, occupation: str = "pedagang",
           first: str | None = None, today: dt.date = JAN_1) -> list[Worker]:
    """``size`` new workers enrolled under ``code`` (from the agreement's start unless ``first``)."""
    out = []
    for _ in range(size):
        w = worker(s, occupation=occupation)
        enrolment.enrol(s, w.nik, code, by=actor(s, MAKER), today=today, first=Month.parse(first) if first else None)
        out.append(w)
    return out


def bill(s: Session, month: str, *, on: dt.date | None = None, agreement_ids: Sequence[int] | None = None
         ) -> BillRun:
    m = Month.parse(month)
    return billing.issue_bills(s, m, today=on or m.first_day(), by=actor(s, MAKER), agreement_ids=agreement_ids)


def pay(s: Session, code: str, amount: int, *, on: dt.date, reference: str | None = None) -> Receipt:
    payment = PaymentCreate(code=code, amount=amount, reference=reference or f"REF-{next(_serial)}", paid_on=on)
    return billing.pay(s, payment, today=on, by=actor(s, CASHIER))

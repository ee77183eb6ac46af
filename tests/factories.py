"""Small factories with defaults for registry tests (sponsors, agreements, workers, enrolments).

Every factory takes a Session and flushes; the test's unit of work commits. Defaults follow the
Kadin story: Kabupaten Bekasi, start 2026-01, 12 months, the lowest bracket.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lindung.enrolment import service as enrolment
from lindung.enrolment.models import Enrolment
from lindung.rules.period import Month
from lindung.sponsors import repository as sponsors_repo
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import Agreement, Sponsor
from lindung.sponsors.schemas import AgreementCreate, SponsorCreate
from lindung.workers import service as workers
from lindung.workers.models import Worker
from lindung.workers.schemas import WorkerCreate
from tests.users import actor

TODAY = dt.date(2026, 1, 10)  # a fixed "today" inside the default agreement's first month
DESA_TARUMAJAYA = "32.16.01.2001"  # Sagara Makmur, Kec. Tarumajaya, Kab. Bekasi
DESA_PEBAYURAN = "32.16.13.2001"  # Karangharja, Kec. Pebayuran, Kab. Bekasi
DESA_MUARAGEMBONG = "32.16.17.2001"  # Pantai Mekar, Kec. Muaragembong
DESA_BANDUNG = "32.73.01.1001"  # Sukarasa, Kota Bandung (outside Bekasi)
MAKER, CHECKER = "ani.petugas", "budi.supervisor"

_serials = itertools.count(1)


def nik(*, kecamatan: str = "01", born: dt.date = dt.date(1990, 5, 17), sex: str = "L",
        serial: int | None = None, regency: str = "3216") -> str:
    """A structurally valid NIK: regency 32.16, the kecamatan, birth date (+40 for women), serial."""
    day = born.day + (40 if sex == "P" else 0)
    number = serial if serial is not None else next(_serials) % 9999 + 1
    return f"{regency}{kecamatan}{day:02d}{born:%m%y}{number:04d}"


def make_sponsor(s: Session, code: str = "KADIN", funding: str = "kadin", name: str | None = None) -> Sponsor:
    sponsors.add_sponsor(s, SponsorCreate(code=code, name=name or f"Sponsor {code}", funding=funding),
                         by=actor(s, MAKER))
    return sponsors.get_sponsor(s, code)


def make_agreement(s: Session, code: str = "KADIN-2026", *, sponsor: str = "KADIN", funding: str = "kadin",
                   quota: int = 1000, budget: int | None = None, start: str = "2026-01", months: int = 12,
                   approve: bool = True, activate: bool = False, maker: str = MAKER, **extra: Any) -> Agreement:
    """An agreement (its sponsor made when missing) drafted by ``maker`` (an officer unless told),
    approved by a second person (a supervisor) unless told not to.
    The default budget is the list price (quota × undiscounted monthly price × months)."""
    if sponsors_repo.sponsor_by_code(s, sponsor) is None:
        make_sponsor(s, sponsor, funding)
    data = AgreementCreate(code=code, sponsor=sponsor, quota=quota, budget=budget or 0,
                           start=Month.parse(start), months=months, funding=funding, **extra)
    sponsors.draft_agreement(s, data, by=actor(s, maker))
    agreement = sponsors.get_agreement(s, code)
    if budget is None:
        agreement.budget = agreement.estimate_list_price
        s.flush()
    if approve:
        sponsors.approve(s, code, by=actor(s, CHECKER))
    if activate:
        sponsors.activate(s, code, by=actor(s, CHECKER))
    return agreement


def make_worker(s: Session, *, nik_: str | None = None, occupation: str = "pedagang",
                desa: str = DESA_TARUMAJAYA, name: str = "Asep Saputra", **extra: Any) -> Worker:
    """A worker; the factory's workers share a name and a birthday but are different people (an
    officer would have said so: ``different_person``), unless a test says otherwise."""
    number = nik_ or nik(kecamatan=desa.split(".")[2])
    extra.setdefault("different_person", True)
    workers.register(s, WorkerCreate(nik=number, name=name, domicile=desa, occupation=occupation, **extra),
                     by=actor(s, MAKER), today=TODAY)
    return workers.get(s, number)


def enrol(s: Session, worker: Worker | str, agreement: str = "KADIN-2026", *, first: str | None = "2026-01",
          today: dt.date = TODAY) -> Enrolment:
    """The enrolment made (the service gives its summary; the row is fetched after it)."""
    number = worker if isinstance(worker, str) else worker.nik
    enrolment.enrol(s, number, agreement, by=actor(s, MAKER), today=today, first=Month.parse(first) if first else None)
    return s.scalars(select(Enrolment).join(Enrolment.worker).join(Enrolment.agreement)
                     .where(Worker.nik == number, Agreement.code == agreement.strip().upper())
                     .order_by(Enrolment.id.desc()).limit(1)).one()

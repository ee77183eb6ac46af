"""Who an agreement covers: its enrolments with their workers, for the sponsor and the branch.

After a sponsor's file is imported, the sponsor's staff ask the branch for the list back (to hand out
cards, to check a village's list, to show their board); the branch asks it to see a cohort whole.
Rows stream in desa, name order; the enrolment time is the branch's (ISO 8601 with its offset). NIKs
and phone numbers are masked unless unmasked, which is audited (UU 27/2022 PDP), as for the branch's
other worker lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.enrolment import repository
from lindung.enrolment.models import ENROLMENT_STATUSES, SECTORS
from lindung.enrolment.schemas import RosterEntry
from lindung.kit import clock
from lindung.kit.auth import Actor
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import LANGS, t
from lindung.kit.listing import YES_NO, CsvList, Labels, coded
from lindung.kit.paging import Paged, Window
from lindung.kit.privacy import mask_nik, mask_phone
from lindung.rules.catalogues import occupations
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.workers.models import SEXES

Row = dict[str, Any]

ROSTER_COLUMNS = ("nik", "name", "sex", "phone", "desa_code", "desa", "occupation", "sector", "first_month",
                  "last_month", "status", "committed_cost", "needs_review", "enrolled_at", "enrolled_by", "source")
STATUSES = ("active", "cancelled", "all")
ROSTER_LIST = CsvList(ROSTER_COLUMNS, {
    "sex": coded("registry.sex", SEXES),
    "occupation": Labels(tuple(occupations()), lambda code, lang: occupations()[code].label(lang)),
    "sector": coded("registry.sector", SECTORS),
    "status": coded("registry.enrolment_status", ENROLMENT_STATUSES),
    "needs_review": YES_NO,
})
"""The list as a reader gets it: headers, sexes, occupations, sectors, statuses and the review flag in
their language (``kit.listing``); NIKs, codes, months, rupiah and times as they are."""


def roster_status(text: str) -> str:
    """Which enrolments, as an officer writes it: a code of ``STATUSES`` or its label in either language
    (``aktif``, ``dibatalkan``, ``semua``), any case."""
    wanted = " ".join(str(text).split()).casefold()
    for status in STATUSES:
        if wanted in (status, *(t(f"registry.enrolment_status.{status}", lang).casefold() for lang in LANGS)):
            return status
    raise InvalidInput("status", text)


def roster(session: Session, agreement_code: str, *, by: Actor, status: str = "active", unmask: bool = False,
           batch: int = 2000) -> Iterator[Row]:
    """The agreement's enrolments (``status``: active, cancelled or all) with their workers (a
    sponsor's staff: their own agreements only).

    Checks the agreement and the status, and records an unmasking, before the first row: an
    unknown agreement fails before anything is written."""
    by.require("worker.read", *(("worker.read_nik",) if unmask else ()))
    status = roster_status(status)
    agreement = sponsors.get_agreement(session, agreement_code, scope=by.scope)
    wanted = None if status == "all" else status
    if unmask:
        count = repository.roster_count(session, agreement.id, wanted)
        audit.record(session, actor=by, action="list.unmask", subject_type="agreement", subject_id=agreement.id,
                     data={"list": "roster", "status": status, "shown": count})
    return _rows(repository.roster_rows(session, agreement.id, wanted, batch=batch), unmask=unmask)


def roster_page(session: Session, agreement_code: str, *, by: Actor, window: Window,
                status: str = "active") -> Paged[RosterEntry]:
    """One page of ``roster`` (cut in SQL, in enrolment order), NIKs and phones masked: what the API
    serves (``GET /api/v1/agreements/{code}/workers``). Two queries, the count and the page."""
    by.require("worker.read")
    status = roster_status(status)
    agreement = sponsors.get_agreement(session, agreement_code, scope=by.scope)
    page = repository.roster_page(session, agreement.id, None if status == "all" else status, window)
    return page.map(_entry)


def _entry(row: repository.RosterRow) -> RosterEntry:
    (nik, name, sex, phone, desa_code, desa, occupation, sector, first, last, status, cost, review, at, by,
     source) = row
    return RosterEntry(nik=mask_nik(nik), name=name, sex=sex, phone=mask_phone(phone), desa_code=desa_code,
                       desa=desa, occupation=occupation, sector=sector, first_month=Month.from_index(first),
                       last_month=Month.from_index(last), status=status, committed_cost=cost,
                       needs_review=bool(review), enrolled_at=at, enrolled_by=by, source=source)


def _rows(rows: Iterator[repository.RosterRow], *, unmask: bool) -> Iterator[Row]:
    for (nik, name, sex, phone, desa_code, desa, occupation, sector, first, last, status, cost, review, at,
         by, source) in rows:
        yield {"nik": nik if unmask else mask_nik(nik), "name": name, "sex": sex,
               "phone": (phone if unmask else mask_phone(phone)) or "", "desa_code": desa_code, "desa": desa or "",
               "occupation": occupation, "sector": sector, "first_month": str(Month.from_index(first)),
               "last_month": str(Month.from_index(last)), "status": status, "committed_cost": cost,
               "needs_review": bool(review),
               "enrolled_at": clock.local(at).isoformat(timespec="seconds") if at is not None else "",
               "enrolled_by": by or "", "source": source or ""}

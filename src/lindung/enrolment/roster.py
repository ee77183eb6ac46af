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
from lindung.kit import clock
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import LANGS, t
from lindung.kit.privacy import mask_nik, mask_phone
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors

Row = dict[str, Any]

ROSTER_COLUMNS = ("nik", "name", "sex", "phone", "desa_code", "desa", "occupation", "sector", "first_month",
                  "last_month", "status", "committed_cost", "needs_review", "enrolled_at", "enrolled_by", "source")
STATUSES = ("active", "cancelled", "all")


def roster_status(text: str) -> str:
    """Which enrolments, as an officer writes it: a code of ``STATUSES`` or its label in either language
    (``aktif``, ``dibatalkan``, ``semua``), any case."""
    wanted = " ".join(str(text).split()).casefold()
    for status in STATUSES:
        if wanted in (status, *(t(f"registry.enrolment_status.{status}", lang).casefold() for lang in LANGS)):
            return status
    raise InvalidInput("status", text)


def roster(session: Session, agreement_code: str, *, status: str = "active", unmask: bool = False,
           actor: str = "", batch: int = 2000) -> Iterator[Row]:
    """The agreement's enrolments (``status``: active, cancelled or all) with their workers.

    Checks the agreement and the status, and records an unmasking, before the first row: an
    unknown agreement fails before anything is written."""
    status = roster_status(status)
    agreement = sponsors.get_agreement(session, agreement_code)
    wanted = None if status == "all" else status
    if unmask:
        count = repository.roster_count(session, agreement.id, wanted)
        audit.record(session, actor=actor, action="list.unmask", subject_type="agreement",
                     subject_id=agreement.id, detail=f"roster {agreement.code} status={status} rows={count}")
    return _rows(repository.roster_rows(session, agreement.id, wanted, batch=batch), unmask=unmask)


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

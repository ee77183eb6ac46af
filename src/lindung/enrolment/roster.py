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

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from lindung.audit import service as audit
from lindung.audit.models import Provenance
from lindung.enrolment.models import Enrolment
from lindung.kit import clock
from lindung.kit.errors import InvalidInput
from lindung.kit.privacy import mask_nik, mask_phone
from lindung.regions.models import Region
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.workers.models import Worker

Row = dict[str, Any]

ROSTER_COLUMNS = ("nik", "name", "sex", "phone", "desa_code", "desa", "occupation", "sector", "first_month",
                  "last_month", "status", "committed_cost", "needs_review", "enrolled_at", "enrolled_by", "source")
STATUSES = ("active", "cancelled", "all")


def roster(session: Session, agreement_code: str, *, status: str = "active", unmask: bool = False,
           actor: str = "", batch: int = 2000) -> Iterator[Row]:
    """The agreement's enrolments (``status``: active, cancelled or all) with their workers.

    Checks the agreement and the status, and records an unmasking, before the first row: an
    unknown agreement fails before anything is written."""
    if status not in STATUSES:
        raise InvalidInput("status", status)
    agreement = sponsors.get_agreement(session, agreement_code)
    query = (
        select(Worker.nik, Worker.name, Worker.sex, Worker.phone, Worker.domicile_code, Region.name,
               Enrolment.occupation_code, Enrolment.sector, Enrolment.first_month, Enrolment.last_month,
               Enrolment.status, Enrolment.committed_cost, Worker.needs_review, Provenance.at, Provenance.actor,
               Provenance.source)
        .join(Worker, Worker.id == Enrolment.worker_id)
        .outerjoin(Region, Region.code == Worker.domicile_code)
        .outerjoin(Provenance, Provenance.id == Enrolment.provenance_id)
        .where(Enrolment.agreement_id == agreement.id)
        .order_by(Worker.domicile_code, Worker.name, Enrolment.id))
    if status != "all":
        query = query.where(Enrolment.status == status)
    if unmask:
        count = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
        audit.record(session, actor=actor, action="list.unmask", subject_type="agreement",
                     subject_id=agreement.id, detail=f"roster {agreement.code} status={status} rows={count}")
    return _rows(session, query, unmask=unmask, batch=batch)


def _rows(session: Session, query: Executable, *, unmask: bool, batch: int) -> Iterator[Row]:
    for (nik, name, sex, phone, desa_code, desa, occupation, sector, first, last, status, cost, review, at,
         by, source) in session.execute(query, execution_options={"yield_per": batch}):
        yield {"nik": nik if unmask else mask_nik(nik), "name": name, "sex": sex,
               "phone": (phone if unmask else mask_phone(phone)) or "", "desa_code": desa_code, "desa": desa or "",
               "occupation": occupation, "sector": sector, "first_month": str(Month.from_index(first)),
               "last_month": str(Month.from_index(last)), "status": status, "committed_cost": cost,
               "needs_review": "yes" if review else "no",
               "enrolled_at": clock.local(at).isoformat(timespec="seconds") if at is not None else "",
               "enrolled_by": by or "", "source": source or ""}

"""SQL for the reports: counts, never rows of people."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lindung.enrolment.models import Enrolment
from lindung.kit.auth import Scope
from lindung.sponsors.models import Agreement
from lindung.workers.models import Worker

KECAMATAN_CODE_LENGTH = len("32.16.01")


def enrolled_by_kecamatan_and_occupation(session: Session, *, month: int, region: str | None,
                                         scope: Scope) -> list[tuple[str, str, int]]:
    """(kecamatan code, occupation code, workers) of the active enrolments covering ``month`` (a
    ``Month.index``) of workers living in ``region`` (a code of any level; None: everywhere); a
    sponsor's scope counts only its own agreements' enrolments."""
    kecamatan = func.substr(Worker.domicile_code, 1, KECAMATAN_CODE_LENGTH)
    query = (select(kecamatan, Enrolment.occupation_code, func.count(func.distinct(Enrolment.worker_id)))
             .join(Worker, Worker.id == Enrolment.worker_id)
             .where(Enrolment.status == "active", Enrolment.first_month <= month, Enrolment.last_month >= month)
             .group_by(kecamatan, Enrolment.occupation_code).order_by(kecamatan, Enrolment.occupation_code))
    if region:
        query = query.where(Worker.domicile_code.startswith(f"{region}.", autoescape=True))
    if scope.sponsor_id is not None:
        query = query.join(Agreement, Agreement.id == Enrolment.agreement_id).where(
            Agreement.sponsor_id == scope.sponsor_id)
    return [(str(k), str(o), int(n)) for k, o, n in session.execute(query)]

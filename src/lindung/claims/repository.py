"""Claims' queries: numbers, lookups within a reader's scope, lists and totals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lindung.claims.models import (
    Accident,
    Claim,
    ClaimCounter,
    ClaimDocument,
    ClaimPayment,
    ClaimStep,
    ScholarshipChild,
)
from lindung.kit.auth import Scope
from lindung.kit.db import is_sqlite
from lindung.kit.paging import Paged, Window, fetch
from lindung.sponsors.models import Agreement, Sponsor
from lindung.users.models import User
from lindung.workers.models import Worker


def next_claim_no(session: Session, year: int) -> int:
    """The next claim number of ``year`` (an upsert on the counter row, held until commit)."""
    ins = sqlite.insert(ClaimCounter) if is_sqlite(session) else postgresql.insert(ClaimCounter)
    stmt = ins.values(year=year, last_no=1).on_conflict_do_update(
        index_elements=["year"], set_={"last_no": ClaimCounter.last_no + 1}).returning(ClaimCounter.last_no)
    return int(session.execute(stmt).scalar_one())


def claim(session: Session, number: str, scope: Scope, *, for_update: bool = False) -> Claim | None:
    """The claim ``number`` if the scope reaches it (a sponsor's staff: claims filed under its sponsor)."""
    stmt = select(Claim).where(Claim.number == number)
    if scope.sponsor_id is not None:
        stmt = stmt.where(Claim.sponsor_id == scope.sponsor_id)
    if for_update:
        stmt = stmt.with_for_update()
    found: Claim | None = session.scalars(stmt).first()
    if found is not None and for_update:
        session.refresh(found)  # what another transaction committed before our lock was granted
    return found


def accident(session: Session, accident_id: int) -> Accident | None:
    return session.get(Accident, accident_id)


def claims_of_accident(session: Session, accident_id: int) -> list[Claim]:
    return list(session.scalars(select(Claim).where(Claim.accident_id == accident_id).order_by(Claim.id)))


def claims_of_worker(session: Session, worker_id: int) -> list[Claim]:
    return list(session.scalars(select(Claim).where(Claim.worker_id == worker_id).order_by(Claim.id)))


def steps(session: Session, claim_id: int) -> list[ClaimStep]:
    return list(session.scalars(select(ClaimStep).where(ClaimStep.claim_id == claim_id).order_by(ClaimStep.id)))


def documents(session: Session, claim_id: int) -> list[ClaimDocument]:
    return list(session.scalars(select(ClaimDocument).where(ClaimDocument.claim_id == claim_id)
                                .order_by(ClaimDocument.id)))


def payment(session: Session, claim_id: int) -> ClaimPayment | None:
    return session.scalars(select(ClaimPayment).where(ClaimPayment.claim_id == claim_id)).first()


def children(session: Session, worker_id: int) -> list[ScholarshipChild]:
    return list(session.scalars(select(ScholarshipChild).where(ScholarshipChild.worker_id == worker_id)
                                .order_by(ScholarshipChild.position)))


def usernames(session: Session, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(wanted))).all())


def sponsor_code(session: Session, sponsor_id: int | None) -> str | None:
    return None if sponsor_id is None else session.scalar(select(Sponsor.code).where(Sponsor.id == sponsor_id))


def sponsor_of_agreement(session: Session, agreement_id: int) -> int | None:
    return session.scalar(select(Agreement.sponsor_id).where(Agreement.id == agreement_id))


def agreement_code(session: Session, agreement_id: int | None) -> str | None:
    return None if agreement_id is None else session.scalar(select(Agreement.code)
                                                            .where(Agreement.id == agreement_id))


def listing(session: Session, scope: Scope, *, statuses: Sequence[str] = (), sponsor_id: int | None = None
            ) -> list[tuple[Claim, Worker, str | None]]:
    """Claims (newest first) with their worker and sponsor code."""
    stmt = (select(Claim, Worker, Sponsor.code).join(Worker, Worker.id == Claim.worker_id)
            .outerjoin(Sponsor, Sponsor.id == Claim.sponsor_id))
    if scope.sponsor_id is not None:
        stmt = stmt.where(Claim.sponsor_id == scope.sponsor_id)
    if sponsor_id is not None:
        stmt = stmt.where(Claim.sponsor_id == sponsor_id)
    if statuses:
        stmt = stmt.where(Claim.status.in_(statuses))
    return [(c, w, code) for c, w, code in session.execute(stmt.order_by(Claim.id.desc())).all()]


def _listing_query(scope: Scope, statuses: Sequence[str], types: Sequence[str], sponsor_id: int | None
                   ) -> Select[*tuple[Any, ...]]:
    stmt: Select[*tuple[Any, ...]] = (select(Claim, Worker, Sponsor.code).join(Worker, Worker.id == Claim.worker_id)
            .outerjoin(Sponsor, Sponsor.id == Claim.sponsor_id))
    if scope.sponsor_id is not None:
        stmt = stmt.where(Claim.sponsor_id == scope.sponsor_id)
    if sponsor_id is not None:
        stmt = stmt.where(Claim.sponsor_id == sponsor_id)
    if statuses:
        stmt = stmt.where(Claim.status.in_(statuses))
    if types:
        stmt = stmt.where(Claim.type.in_(types))
    return stmt.order_by(Claim.id.desc())


def listing_page(session: Session, scope: Scope, window: Window, *, statuses: Sequence[str] = (),
                 types: Sequence[str] = (), sponsor_id: int | None = None
                 ) -> Paged[tuple[Claim, Worker, str | None]]:
    """One page of claims (newest first) with their worker and sponsor code, cut in SQL."""
    found: Paged[Any] = fetch(session, _listing_query(scope, statuses, types, sponsor_id), window)
    return found.map(lambda r: (r[0], r[1], r[2]))


def open_claims(session: Session, scope: Scope, *, types: Sequence[str] = (), sponsor_id: int | None = None
                ) -> list[tuple[Claim, Worker, str | None]]:
    """The claims a service level still runs for (submitted, verified, approved: the only ones that can
    be overdue), newest first: never more than the branch's open cases."""
    stmt = _listing_query(scope, ("submitted", "verified", "approved"), types, sponsor_id)
    return [(c, w, code) for c, w, code in session.execute(stmt).all()]


def _accidents_query(scope: Scope) -> Select[*tuple[Any, ...]]:
    stmt: Select[*tuple[Any, ...]] = select(Accident, Worker).join(Worker, Worker.id == Accident.worker_id)
    if scope.sponsor_id is not None:  # a sponsor's staff: accidents with a claim of theirs
        stmt = stmt.where(select(Claim.id).where(Claim.accident_id == Accident.id,
                                                 Claim.sponsor_id == scope.sponsor_id).exists())
    return stmt.order_by(Accident.occurred_on.desc(), Accident.id.desc())


def accidents_page(session: Session, scope: Scope, window: Window) -> Paged[tuple[Accident, Worker]]:
    """One page of accidents (latest first) with their worker, cut in SQL."""
    found: Paged[Any] = fetch(session, _accidents_query(scope), window)
    return found.map(lambda r: (r[0], r[1]))


def totals_by_type(session: Session, scope: Scope, sponsor_id: int | None) -> list[tuple[Any, ...]]:
    """Per sponsor and claim type: claims, decided (approved or paid) and their amount, paid and theirs."""
    decided = Claim.status.in_(("approved", "paid"))
    paid = Claim.status == "paid"
    stmt = (select(Sponsor.code, Claim.type, func.count(),
                   func.sum(case((decided, 1), else_=0)), func.sum(case((decided, Claim.total), else_=0)),
                   func.sum(case((paid, 1), else_=0)), func.sum(case((paid, Claim.total), else_=0)))
            .join(Sponsor, Sponsor.id == Claim.sponsor_id).group_by(Sponsor.code, Claim.type)
            .order_by(Sponsor.code, Claim.type))
    if scope.sponsor_id is not None:
        stmt = stmt.where(Claim.sponsor_id == scope.sponsor_id)
    if sponsor_id is not None:
        stmt = stmt.where(Claim.sponsor_id == sponsor_id)
    return [tuple(r) for r in session.execute(stmt).all()]

"""SQL for sponsors and agreements."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lindung.sponsors.models import Agreement, AgreementAmendment, Sponsor


def sponsor_by_code(session: Session, code: str) -> Sponsor | None:
    return session.scalars(select(Sponsor).where(Sponsor.code == code)).one_or_none()


def sponsors(session: Session) -> list[Sponsor]:
    return list(session.scalars(select(Sponsor).order_by(Sponsor.code)))


def agreement_by_code(session: Session, code: str, *, for_update: bool = False) -> Agreement | None:
    stmt = (select(Agreement).where(Agreement.code == code)
            .options(selectinload(Agreement.sponsor), selectinload(Agreement.target_occupations),
                     selectinload(Agreement.target_regions)))
    if for_update and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update(of=Agreement)
    return session.scalars(stmt).one_or_none()


def agreements(session: Session, sponsor_id: int | None = None,
               statuses: Collection[str] = ()) -> list[Agreement]:
    stmt = select(Agreement).options(selectinload(Agreement.sponsor)).order_by(Agreement.code)
    if sponsor_id is not None:
        stmt = stmt.where(Agreement.sponsor_id == sponsor_id)
    if statuses:
        stmt = stmt.where(Agreement.status.in_(statuses))
    return list(session.scalars(stmt))


def pending_amendment(session: Session, agreement_id: int) -> AgreementAmendment | None:
    return session.scalars(select(AgreementAmendment).where(
        AgreementAmendment.agreement_id == agreement_id, AgreementAmendment.status == "proposed")).one_or_none()

"""SQL for sponsors and agreements."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from lindung.kit.auth import Scope
from lindung.kit.paging import Paged, Window, fetch
from lindung.sponsors.models import Agreement, AgreementAmendment, Sponsor


def sponsor_by_code(session: Session, code: str) -> Sponsor | None:
    return session.scalars(select(Sponsor).where(Sponsor.code == code)).one_or_none()


def sponsor_by_id(session: Session, sponsor_id: int) -> Sponsor | None:
    return session.get(Sponsor, sponsor_id)


def _sponsors(scope: Scope) -> Select[Any]:
    stmt = select(Sponsor).order_by(Sponsor.code)
    if scope.sponsor_id is not None:
        stmt = stmt.where(Sponsor.id == scope.sponsor_id)
    return stmt


def sponsors(session: Session, scope: Scope) -> list[Sponsor]:
    """Every sponsor by code; a sponsor's staff see only theirs."""
    return list(session.scalars(_sponsors(scope)))


def sponsor_page(session: Session, scope: Scope, window: Window) -> Paged[Sponsor]:
    """``sponsors`` cut in SQL (by code: unique)."""
    page: Paged[Sponsor] = fetch(session, _sponsors(scope), window)
    return page


def agreement_by_code(session: Session, code: str, *, for_update: bool = False) -> Agreement | None:
    stmt = (select(Agreement).where(Agreement.code == code)
            .options(selectinload(Agreement.sponsor), selectinload(Agreement.target_occupations),
                     selectinload(Agreement.target_regions)))
    if for_update and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update(of=Agreement)
    return session.scalars(stmt).one_or_none()


def _agreements(scope: Scope, sponsor_id: int | None, statuses: Collection[str]) -> Select[Any]:
    # what ``describe`` reads of each agreement, loaded for the whole list at once (no query per row)
    stmt = (select(Agreement)
            .options(selectinload(Agreement.sponsor), selectinload(Agreement.target_occupations),
                     selectinload(Agreement.target_regions))
            .order_by(Agreement.code))
    if scope.sponsor_id is not None:
        stmt = stmt.where(Agreement.sponsor_id == scope.sponsor_id)
    if sponsor_id is not None:
        stmt = stmt.where(Agreement.sponsor_id == sponsor_id)
    if statuses:
        stmt = stmt.where(Agreement.status.in_(statuses))
    return stmt


def agreements(session: Session, scope: Scope, *, sponsor_id: int | None = None,
               statuses: Collection[str] = ()) -> list[Agreement]:
    """Agreements by code, of ``sponsor_id`` or every sponsor, in ``statuses`` or any; a sponsor's staff
    (``scope``) see only their sponsor's."""
    return list(session.scalars(_agreements(scope, sponsor_id, statuses)))


def agreement_page(session: Session, scope: Scope, window: Window, *, sponsor_id: int | None = None,
                   statuses: Collection[str] = ()) -> Paged[Agreement]:
    """``agreements`` cut in SQL (by code: unique)."""
    page: Paged[Agreement] = fetch(session, _agreements(scope, sponsor_id, statuses), window)
    return page


def pending_amendment(session: Session, agreement_id: int) -> AgreementAmendment | None:
    return session.scalars(select(AgreementAmendment).where(
        AgreementAmendment.agreement_id == agreement_id, AgreementAmendment.status == "proposed")).one_or_none()

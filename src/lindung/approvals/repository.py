"""SQL for what waits for approval: drafts, proposed addenda and proposed imports, each with its
agreement and sponsor."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from lindung.enrolment.models import ImportProposal
from lindung.sponsors.models import Agreement, AgreementAmendment


def drafts(session: Session) -> list[Agreement]:
    return list(session.scalars(select(Agreement).where(Agreement.status == "draft")
                                .options(selectinload(Agreement.sponsor))))


def proposed_addenda(session: Session) -> list[tuple[AgreementAmendment, Agreement]]:
    return [(m, a) for m, a in session.execute(
        select(AgreementAmendment, Agreement).join(Agreement).where(AgreementAmendment.status == "proposed")
        .options(selectinload(Agreement.sponsor)))]


def proposed_imports(session: Session) -> list[tuple[ImportProposal, Agreement]]:
    return [(p, a) for p, a in session.execute(
        select(ImportProposal, Agreement).join(Agreement, Agreement.id == ImportProposal.agreement_id)
        .where(ImportProposal.status == "proposed")
        .options(defer(ImportProposal.content), selectinload(Agreement.sponsor)))]

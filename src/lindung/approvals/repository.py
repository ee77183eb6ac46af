"""SQL for what waits for approval: drafts, proposed addenda, proposed imports and verified claims, each
with its agreement and sponsor."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, defer, selectinload

from lindung.claims.models import Claim
from lindung.enrolment.models import ImportProposal
from lindung.sponsors.models import Agreement, AgreementAmendment, Sponsor
from lindung.users.models import User


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


def verified_claims(session: Session) -> list[tuple[Claim, str | None, str | None, str, str | None]]:
    """Each verified claim with its agreement's code, its sponsor's name, and the usernames of who entered
    and who verified it."""
    entered, verified = aliased(User), aliased(User)
    rows = session.execute(
        select(Claim, Agreement.code, Sponsor.name, entered.username, verified.username)
        .outerjoin(Agreement, Agreement.id == Claim.agreement_id)
        .outerjoin(Sponsor, Sponsor.id == Claim.sponsor_id)
        .join(entered, entered.id == Claim.entered_by_id)
        .outerjoin(verified, verified.id == Claim.verified_by_id)
        .where(Claim.status == "verified"))
    return [(c, a, sp, e, v) for c, a, sp, e, v in rows]

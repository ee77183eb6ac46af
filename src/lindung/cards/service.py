"""Membership cards: issue a worker's card (or the one they have), a sheet of cards for an agreement,
revoke a card, and verify a card's token for the public page.

A card is named by its token (``secrets.token_urlsafe``: 256 random bits, no personal data), which the QR
code's verification address carries. A worker has at most one card not revoked (a partial unique index
behind ``issue``); issuing again gives the same card, and a revoked card stays revoked: a new one with a
new token can then be issued. Who may: ``card.issue`` (officers; a sponsor's staff only for a worker
their sponsor enrolled: another sponsor's worker is not found, and the card names one of their own
sponsor's agreements), ``card.revoke`` (officers). Issuing, a sheet and a revocation are audited.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.billing import repository as billing_repo
from lindung.billing.coverage import protection_of
from lindung.cards import repository as repo
from lindung.cards.models import MembershipCard
from lindung.cards.schemas import CardSheet, CardView, Verification
from lindung.kit.auth import Actor
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, InvalidInput, NotFound
from lindung.kit.privacy import mask_name, mask_nik, mask_niks_in_text
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.workers import service as workers
from lindung.workers.models import Worker
from lindung.workers.refs import worker_ref

PUBLIC_URL_ENV = "LINDUNG_PUBLIC_URL"
"""The address the public reaches Lindung's pages at, for the QR codes of cards printed off the pages."""
TOKEN_BYTES = 32
"""Random bytes of a card's token (43 URL-safe characters)."""
REASON_MAX = 200
SHEET_TRIES = 3
"""Rounds of the sheet's set-based issue: a second one only when a worker was enrolled meanwhile."""


def public_base(given: str | None) -> str:
    """The base of a card's verification address: an http(s) address without its query, or InvalidInput."""
    base = (given or "").strip()
    if not base.startswith(("https://", "http://")) or any(c in base for c in "?# ") or len(base) > 200:
        raise InvalidInput("base", base[:200], reason="card_base", variable=PUBLIC_URL_ENV)
    return base.rstrip("/")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _worker(session: Session, worker: str, by: Actor) -> Worker:
    """A worker by NIK (16 digits) or by ref; NotFound for one ``by``'s scope does not reach."""
    text = "".join(worker.split())
    if text.isdigit() and len(text) > 12:
        return workers.get(session, text, scope=by.scope)
    return workers.get_by_ref(session, text, scope=by.scope)


def _view(session: Session, row: repo.CardRow, today: dt.date, *, made: bool = False) -> CardView:
    protection = protection_of(session, row.worker_id, at=today)
    return CardView(id=row.id, token=row.token, worker_ref=worker_ref(row.worker_id), name=row.name,
                    nik=mask_nik(row.nik), agreement=row.agreement, sponsor=row.sponsor, issued_by=row.issued_by,
                    issued_at=row.issued_at, revoked=row.revoked_at is not None, protected=protection.protected,
                    protected_until=protection.until, printed_on=today, made=made)


def issue(session: Session, worker: str, *, by: Actor, today: dt.date) -> CardView:
    """The worker's live card, made if they have none (``worker``: a NIK or a worker's ref)."""
    by.require("card.issue")
    found = _worker(session, worker, by)
    card = repo.live_card(session, found.id, for_update=True)
    made = card is None
    if card is None:
        if billing_repo.death_of(session, found.id) is not None:
            # A card is for the worker to carry: none is printed after their death (their heirs ask the
            # branch, or check the claim's status).
            raise Conflict("card.deceased", worker=worker_ref(found.id))
        agreement = repo.card_agreement(session, found.id, Month.of(today).index, by.scope.sponsor_id)
        if agreement is None:
            raise Conflict("card.not_enrolled", worker=worker_ref(found.id))
        card = MembershipCard(token=new_token(), worker_id=found.id, agreement_id=agreement,
                              issued_by=by.username, issued_at=utcnow())
        session.add(card)
        session.flush()
    row = repo.card_row(session, card.id)
    if by.scope.sponsor_id is not None and row.sponsor_id != by.scope.sponsor_id:
        # The live card names another sponsor's agreement: not this sponsor's to print (an officer may
        # revoke it, and the next card names the sponsor's own agreement).
        raise Conflict("card.other_sponsor", worker=worker_ref(found.id))
    audit.record(session, actor=by, action="card.issue", subject_type="worker", subject_id=found.id,
                 data={"card": card.id, "made": made})
    return _view(session, row, today, made=made)


def sheet(session: Session, agreement_code: str, *, by: Actor, today: dt.date) -> CardSheet:
    """A card for every worker enrolled under the agreement (an active enrolment not ended before this
    month), the missing ones issued set-based; a sponsor's staff only their own sponsor's agreement."""
    by.require("card.issue")
    agreement = sponsors.get_agreement(session, agreement_code, scope=by.scope)
    month = Month.of(today).index
    made = 0
    for _ in range(SHEET_TRIES):
        missing = repo.count_missing(session, agreement.id, month)
        if not missing:
            break
        made += repo.issue_missing(session, agreement.id, month, [new_token() for _ in range(missing)],
                                   by=by.username, at=utcnow())
    rows = repo.sheet_cards(session, agreement.id, month)
    if by.scope.sponsor_id is not None:
        rows = [r for r in rows if r.sponsor_id == by.scope.sponsor_id]
    audit.record(session, actor=by, action="card.sheet", subject_type="agreement", subject_id=agreement.id,
                 data={"agreement": agreement.code, "cards": len(rows), "made": made})
    return CardSheet(agreement=agreement.code, sponsor=agreement.sponsor.name,
                     cards=tuple(_view(session, r, today) for r in rows), made=made)


def live_card(session: Session, worker_ref_: str, *, by: Actor, today: dt.date) -> CardView | None:
    """The worker's live card, if any, for a reader who may revoke it (``card.revoke``)."""
    by.require("card.revoke")
    found = workers.get_by_ref(session, worker_ref_, scope=by.scope)
    card = repo.live_card(session, found.id)
    return None if card is None else _view(session, repo.card_row(session, card.id), today)


def revoke(session: Session, card: str | int, reason: str, *, by: Actor, today: dt.date) -> CardView:
    """Revoke a card (by its token or id) for a reason; a revoked card stays revoked."""
    by.require("card.revoke")
    reason = " ".join(reason.split())
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput("reason", mask_niks_in_text(reason[:40]), reason="card_revoke_reason", maximum=REASON_MAX)
    found = (repo.card_by_id(session, card) if isinstance(card, int)
             else repo.card_by_token(session, card.strip()))
    if found is None or (by.scope.sponsor_id is not None and repo.card_row(session, found.id).sponsor_id
                         != by.scope.sponsor_id):
        raise NotFound("card.not_found")
    if found.revoked_at is not None:
        raise Conflict("card.already_revoked")
    found.revoked_at = utcnow()
    found.revoked_by = by.username
    found.revoke_reason = mask_niks_in_text(reason)
    session.flush()
    audit.record(session, actor=by, action="card.revoke", subject_type="worker", subject_id=found.worker_id,
                 data={"card": found.id})
    return _view(session, repo.card_row(session, found.id), today)


def verify(session: Session, token: str, *, today: dt.date) -> Verification:
    """What a card's token says today, for anyone: the holder's name masked and today's status. An
    unknown token is not found (the same answer as any unknown address)."""
    card = repo.card_by_token(session, token) if 0 < len(token) <= 64 else None
    if card is None:
        raise NotFound("card.not_found")
    name = mask_name(repo.card_row(session, card.id).name)
    if card.revoked_at is not None:
        return Verification(name=name, state="revoked", protected_until=None, on=today)
    protection = protection_of(session, card.worker_id, at=today)
    return Verification(name=name, state="protected" if protection.protected else "not_protected",
                        protected_until=protection.until, on=today)

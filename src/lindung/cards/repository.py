"""The SQL of membership cards: a worker's live card, the agreement a card names, and the sheet's
set-based issue (one ``INSERT … SELECT`` for every enrolled worker without a live card)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, bindparam, select, text
from sqlalchemy.orm import Session

from lindung.cards.models import MembershipCard
from lindung.enrolment.models import Enrolment
from lindung.kit.db import UtcDateTime
from lindung.sponsors.models import Agreement, Sponsor
from lindung.workers.models import Worker


class CardRow(NamedTuple):
    """A card with what is printed on it (the worker's name and NIK, the agreement's sponsor)."""

    id: int
    token: str
    worker_id: int
    name: str
    nik: str
    agreement: str | None
    sponsor: str | None
    sponsor_id: int | None
    issued_by: str
    issued_at: dt.datetime
    revoked_at: dt.datetime | None


def _rows(session: Session, *where: ColumnElement[bool]) -> list[CardRow]:
    query = (select(MembershipCard.id, MembershipCard.token, MembershipCard.worker_id, Worker.name, Worker.nik,
                    Agreement.code, Sponsor.name, Sponsor.id, MembershipCard.issued_by, MembershipCard.issued_at,
                    MembershipCard.revoked_at)
             .join(Worker, Worker.id == MembershipCard.worker_id)
             .outerjoin(Agreement, Agreement.id == MembershipCard.agreement_id)
             .outerjoin(Sponsor, Sponsor.id == Agreement.sponsor_id)
             .where(*where).order_by(Worker.name, MembershipCard.id))
    return [CardRow(*row) for row in session.execute(query)]


def live_card(session: Session, worker_id: int, *, for_update: bool = False) -> MembershipCard | None:
    """The worker's card not revoked, if any."""
    query = select(MembershipCard).where(MembershipCard.worker_id == worker_id, MembershipCard.revoked_at.is_(None))
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def card_by_token(session: Session, token: str) -> MembershipCard | None:
    return session.scalars(select(MembershipCard).where(MembershipCard.token == token)).one_or_none()


def card_by_id(session: Session, card_id: int) -> MembershipCard | None:
    return session.get(MembershipCard, card_id)


def card_row(session: Session, card_id: int) -> CardRow:
    [row] = _rows(session, MembershipCard.id == card_id)
    return row


def card_agreement(session: Session, worker_id: int, month: int, sponsor_id: int | None) -> int | None:
    """The agreement a new card of the worker names: of the worker's active enrolments (of
    ``sponsor_id``'s agreements only, for a sponsor's staff), the one covering ``month``, else the one
    that ends last; None without any."""
    own = " AND a.sponsor_id = :s" if sponsor_id is not None else ""
    found = session.execute(text(
        "SELECT e.agreement_id FROM enrolments e JOIN agreements a ON a.id = e.agreement_id "
        f"WHERE e.worker_id = :w AND e.status = 'active'{own} "
        "ORDER BY CASE WHEN e.first_month <= :m AND e.last_month >= :m THEN 0 ELSE 1 END, e.last_month DESC, "
        "e.id DESC LIMIT 1"), {"w": worker_id, "m": month, **({"s": sponsor_id} if own else {})}).scalar()
    return None if found is None else int(found)


_ENROLLED = ("FROM enrolments e WHERE e.agreement_id = :a AND e.status = 'active' AND e.last_month >= :m "
             "AND NOT EXISTS (SELECT 1 FROM membership_cards c WHERE c.worker_id = e.worker_id "
             "AND c.revoked_at IS NULL)")


def count_missing(session: Session, agreement_id: int, month: int) -> int:
    """How many workers enrolled under the agreement (an active enrolment not ended before ``month``)
    have no live card."""
    return int(session.execute(text(f"SELECT count(DISTINCT e.worker_id) {_ENROLLED}"),
                               {"a": agreement_id, "m": month}).scalar_one())


def issue_missing(session: Session, agreement_id: int, month: int, tokens: Sequence[str], *, by: str,
                  at: dt.datetime) -> int:
    """One ``INSERT … SELECT``: a card for each worker enrolled under the agreement without a live card
    (at most ``len(tokens)``; the n-th such worker by id takes the n-th token, given as one JSON
    parameter). A card another transaction made meanwhile wins (``ON CONFLICT DO NOTHING`` on the
    partial unique index). Returns how many cards were made."""
    if not tokens:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        table = "json_array_elements_text(CAST(:tokens AS json)) WITH ORDINALITY AS t(value, n)"
        position = "t.n"
    else:
        table = "json_each(:tokens) AS t"
        position = "t.key + 1"
    statement = text(
        "INSERT INTO membership_cards (token, worker_id, agreement_id, issued_by, issued_at) "
        "SELECT t.value, m.worker_id, :a, :by, :at FROM "
        f"(SELECT d.worker_id, row_number() OVER (ORDER BY d.worker_id) AS n FROM "
        f"(SELECT DISTINCT e.worker_id {_ENROLLED}) d) m JOIN {table} ON {position} = m.n "
        "WHERE m.worker_id IS NOT NULL ON CONFLICT DO NOTHING").bindparams(bindparam("at", type_=UtcDateTime()))
    result = session.execute(statement, {"a": agreement_id, "m": month, "tokens": json.dumps(list(tokens)),
                                         "by": by, "at": at})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def sheet_cards(session: Session, agreement_id: int, month: int) -> list[CardRow]:
    """The live cards of the workers enrolled under the agreement, by name."""
    enrolled = select(Enrolment.worker_id).where(Enrolment.agreement_id == agreement_id,
                                                 Enrolment.status == "active", Enrolment.last_month >= month)
    return _rows(session, MembershipCard.revoked_at.is_(None), MembershipCard.worker_id.in_(enrolled))

"""Membership cards: one live card per worker at a time, named by an unguessable token."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base, UtcDateTime


class MembershipCard(Base):
    """A card printed for a worker. ``token`` (random, 128 bits or more, URL-safe) is what the QR code's
    verification address carries; it names the card and nothing else (no NIK, no name). A revoked card
    answers "dicabut" on the verification page; a worker has at most one card not revoked."""

    __tablename__ = "membership_cards"
    __table_args__ = (
        CheckConstraint("revoked_at IS NULL OR revoked_by IS NOT NULL", name="revoked_by"),
        Index("ix_membership_cards_worker_id", "worker_id"),
        Index("ux_membership_cards_live", "worker_id", unique=True, sqlite_where=text("revoked_at IS NULL"),
              postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    worker_id: Mapped[int] = mapped_column(Integer, ForeignKey("workers.id"))
    agreement_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("agreements.id"))
    """The agreement the card was printed under (its sponsor is named on the card)."""
    issued_by: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(String(200))

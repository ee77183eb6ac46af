"""What the card services give back: raw values (dates, codes), no door's wording."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class CardView(BaseModel):
    """A card as it is printed: the worker's name, the NIK masked, the sponsor of the agreement it was
    issued under, and whether the worker is protected on the day of printing (until when)."""

    model_config = ConfigDict(frozen=True)

    id: int
    token: str
    worker_ref: str
    name: str
    nik: str
    """Masked (``kit.privacy.mask_nik``): a card never carries a full NIK."""
    agreement: str | None
    sponsor: str | None
    issued_by: str
    issued_at: dt.datetime
    revoked: bool
    protected: bool
    protected_until: dt.date | None
    printed_on: dt.date
    made: bool = False
    """Whether this call made the card (else it was the worker's live card already)."""


class CardSheet(BaseModel):
    """The cards of every worker enrolled under an agreement, for a sponsor to hand out."""

    model_config = ConfigDict(frozen=True)

    agreement: str
    sponsor: str
    cards: tuple[CardView, ...]
    made: int
    """How many of them this call made (the others were live already)."""


class Verification(BaseModel):
    """What the public verification page may say of a card: the holder's name masked and today's
    status (``protected``, ``not_protected``, ``revoked``), with nothing else."""

    model_config = ConfigDict(frozen=True)

    name: str
    state: str
    protected_until: dt.date | None
    on: dt.date

"""Claims scenarios' helpers: a paid-up cohort, the documents a claim needs as real files, a claim
taken from entry to approval by an officer and a supervisor."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from PIL import Image
from sqlalchemy.orm import Session

from lindung.claims import service
from lindung.claims.catalogue import catalogue
from lindung.claims.schemas import ClaimRequest, ClaimView
from tests.users import actor

OFFICER, SECOND_OFFICER, SUPERVISOR, CASHIER = "ani.petugas", "cici", "budi.supervisor", "kasir"


def png(seed: int = 0) -> bytes:
    """A small real PNG (the seed makes its content, so its SHA-256, differ)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (seed % 256, 40, 90)).save(out, format="PNG")
    return out.getvalue()


def new(s: Session, today: dt.date, **fields: Any) -> ClaimView:
    return service.new_claim(s, ClaimRequest.model_validate(fields), by=actor(s, OFFICER), today=today)


def attach_all(s: Session, number: str, today: dt.date, *, by: str = OFFICER) -> ClaimView:
    """Every required document of the claim, each a distinct real PNG."""
    view = service.show(s, number, by=actor(s, by), today=today)
    for i, d in enumerate(view.documents):
        if d.required and not d.received:
            view = service.attach(s, number, d.code, png(i + hash(number) % 1000), f"{d.code}.png",
                                  by=actor(s, by), today=today)
    assert catalogue().required_for(view.type, view.payee.relationship)
    return view


def to_approved(s: Session, number: str, today: dt.date, *, approver: str = SUPERVISOR) -> ClaimView:
    attach_all(s, number, today)
    service.submit(s, number, by=actor(s, OFFICER), today=today)
    service.verify(s, number, by=actor(s, OFFICER), today=today)
    return service.approve(s, number, by=actor(s, approver), today=today)

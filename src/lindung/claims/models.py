"""Accidents, claims, their documents, steps and payments, and the children a scholarship is paid for.

A claim's decision (``decision``: every component with its arithmetic, reference and the inputs it
used) is written as JSON and never recomputed once the claim is approved, so that a later edit to the
worker or a new parameter value cannot change a decided claim. ``claim_payments.claim_id`` is unique:
the database itself refuses a second payment of one claim, whatever raced to make it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base, UtcDateTime

CLAIM_TYPES = ("jkm", "jkk-death", "jkk-disability-total", "jkk-disability-partial", "jkk-stmb", "jkk-care",
               "scholarship")
CLAIM_STATUSES = ("draft", "submitted", "verified", "approved", "paid", "rejected")
OUTCOMES = ("recovered", "disabled", "died")
REPORTERS = ("worker", "sponsor", "family", "other")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Accident(Base):
    """A work accident: the stage I report (when, where, what, who reported it and when) and, once
    treatment ends, the stage II outcome. ``late`` is set when the report came after the deadline
    (rules: jkk.report_deadline_hours); it never voids anything."""

    __tablename__ = "accidents"
    __table_args__ = (
        CheckConstraint(_in("reporter", REPORTERS), name="reporter"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', OUTCOMES)}", name="outcome"),
        CheckConstraint("percent IS NULL OR (percent > 0 AND percent <= 100)", name="percent"),
        Index("ix_accidents_worker_id", "worker_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(Integer, ForeignKey("workers.id"))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    occurred_time: Mapped[dt.time | None] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(String(16))
    reported_by: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    late: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_on: Mapped[dt.date | None] = mapped_column(Date)
    percent: Mapped[Any] = mapped_column(Numeric(5, 2), nullable=True)
    function_loss: Mapped[Any] = mapped_column(Numeric(5, 2), nullable=True)
    assessed_by: Mapped[str | None] = mapped_column(String(200))
    outcome_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    outcome_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ClaimCounter(Base):
    """The last claim number given in a year (an upsert in the claim's own transaction: no gaps)."""

    __tablename__ = "claim_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer)


class Claim(Base):
    """One claim: what was claimed (``inputs``), the decision (``decision``, JSON, frozen on approval),
    where it stands and who did each step. ``sponsor_id``/``agreement_id`` are the agreement that
    billed the worker's event month (else the worker's latest enrolment): whose staff may see it.
    The payee and the account are as declared; the payment copies the account."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint(_in("type", CLAIM_TYPES), name="type"),
        CheckConstraint(_in("status", CLAIM_STATUSES), name="status"),
        CheckConstraint("total >= 0", name="total"),
        CheckConstraint("approved_by_id IS NULL OR (approved_by_id <> entered_by_id "
                        "AND (verified_by_id IS NULL OR approved_by_id <> verified_by_id))", name="four_eyes"),
        Index("ix_claims_worker_id", "worker_id"),
        Index("ix_claims_sponsor_id", "sponsor_id"),
        Index("ix_claims_status", "status"),
        Index("ix_claims_accident_id", "accident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    worker_id: Mapped[int] = mapped_column(Integer, ForeignKey("workers.id"))
    accident_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("accidents.id"))
    reopens_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("claims.id"))
    sponsor_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("sponsors.id"))
    agreement_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("agreements.id"))
    event_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    eligible: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(BigInteger)
    scholarship_this_year: Mapped[int] = mapped_column(BigInteger, default=0)
    scholarship_projected: Mapped[int] = mapped_column(BigInteger, default=0)
    payee_name: Mapped[str | None] = mapped_column(String(200))
    payee_relationship: Mapped[str | None] = mapped_column(String(32))
    payee_nik: Mapped[str | None] = mapped_column(String(16))
    payee_note: Mapped[str | None] = mapped_column(String(64))
    account_bank: Mapped[str | None] = mapped_column(String(100))
    account_number: Mapped[str | None] = mapped_column(String(40))
    account_holder: Mapped[str | None] = mapped_column(String(200))
    entered_by_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    complete_on: Mapped[dt.date | None] = mapped_column(Date)
    verified_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    verified_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    rejected_reason: Mapped[str | None] = mapped_column(String(64))
    rejected_note: Mapped[str | None] = mapped_column(Text)


class ClaimStep(Base):
    """Every step of a claim: the status it reached, who took it and when (``note``: a rejection's)."""

    __tablename__ = "claim_steps"
    __table_args__ = (Index("ix_claim_steps_claim_id", "claim_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(Integer, ForeignKey("claims.id"))
    status: Mapped[str] = mapped_column(String(16))
    by_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    by_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class ClaimDocument(Base):
    """A document received for a claim: its catalogue code and the stored file (by SHA-256)."""

    __tablename__ = "claim_documents"
    __table_args__ = (
        UniqueConstraint("claim_id", "code", "sha256", name="uq_claim_documents"),
        Index("ix_claim_documents_claim_id", "claim_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(Integer, ForeignKey("claims.id"))
    code: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(200))
    received_by_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ClaimPayment(Base):
    """The one payment of a claim: the bank's reference, the day, the decided total, and the account
    as it was when paid."""

    __tablename__ = "claim_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(Integer, ForeignKey("claims.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(100))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    payee_name: Mapped[str | None] = mapped_column(String(200))
    account_bank: Mapped[str | None] = mapped_column(String(100))
    account_number: Mapped[str | None] = mapped_column(String(40))
    account_holder: Mapped[str | None] = mapped_column(String(200))
    paid_by_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ScholarshipChild(Base):
    """A child a worker's scholarship is paid for (at most scholarship.max_children per worker), as
    declared on the claim that entitled them: born (for the age limit), married, working."""

    __tablename__ = "scholarship_children"
    __table_args__ = (
        UniqueConstraint("worker_id", "position", name="uq_scholarship_children_position"),
        UniqueConstraint("worker_id", "name_key", name="uq_scholarship_children_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(Integer, ForeignKey("workers.id"))
    position: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    born: Mapped[dt.date | None] = mapped_column(Date)
    married: Mapped[bool] = mapped_column(Boolean, default=False)
    working: Mapped[bool] = mapped_column(Boolean, default=False)
    claim_id: Mapped[int] = mapped_column(Integer, ForeignKey("claims.id"))

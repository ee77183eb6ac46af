"""Sponsors and agreements.

An agreement's ``enrolled_count`` and ``committed_cost`` are counters kept in the same transaction
as each enrolment; CHECK constraints make exceeding the quota or the budget impossible even if a
use case forgot to check.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lindung.kit.db import Base, UtcDateTime

AGREEMENT_STATUSES = ("draft", "approved", "active", "ended", "withdrawn")
"""``withdrawn``: a draft that will not be approved (``agreement withdraw``); it was never in force."""
AFTER_DEATH_POLICIES = ("refund", "credit")
OPEN_STATUSES = ("approved", "active")

"""The statuses in which an agreement is in force: it takes enrolments, addenda and bills."""


class Sponsor(Base):
    __tablename__ = "sponsors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    funding_code: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Agreement(Base):
    """An MoU/PKS. Months are ``Month.index`` integers; ``end_month`` = start + months − 1.

    Package: ``base`` (dasar) from ``income`` through the bracket table (``bracket`` number), or
    the lowest bracket; ``jht`` adds JHT. ``billing_cycle_months`` is one of the parameter
    contribution.prepay_cycles; ``after_death`` says what happens to money paid for months after a
    worker's death (refund or credit). ``estimate_*`` are the cost estimate made when drafted.
    """

    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("quota > 0", name="quota"),
        CheckConstraint("budget >= 0", name="budget"),
        CheckConstraint("months > 0", name="months"),
        CheckConstraint("end_month = start_month + months - 1", name="end_month"),
        CheckConstraint("base > 0", name="base"),
        CheckConstraint("billing_cycle_months > 0", name="billing_cycle_months"),
        CheckConstraint("after_death IN ('refund', 'credit')", name="after_death"),
        CheckConstraint("status IN ('draft', 'approved', 'active', 'ended', 'withdrawn')", name="status"),
        CheckConstraint("status IN ('draft', 'withdrawn') OR approved_by IS NOT NULL", name="approved"),
        CheckConstraint("status <> 'withdrawn' OR (approved_by IS NULL AND enrolled_count = 0)",
                        name="withdrawn_unused"),
        CheckConstraint("approved_by IS NULL OR approved_by <> drafted_by", name="four_eyes"),
        CheckConstraint("approved_by_id IS NULL OR drafted_by_id IS NULL OR approved_by_id <> drafted_by_id",
                        name="four_eyes_users"),
        CheckConstraint("enrolled_count >= 0 AND enrolled_count <= quota", name="within_quota"),
        CheckConstraint("committed_cost >= 0 AND committed_cost <= budget", name="within_budget"),
        Index("ix_agreements_sponsor_id", "sponsor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    sponsor_id: Mapped[int] = mapped_column(Integer, ForeignKey("sponsors.id"))
    funding_code: Mapped[str] = mapped_column(String(16))
    quota: Mapped[int] = mapped_column(Integer)
    budget: Mapped[int] = mapped_column(BigInteger)
    start_month: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(SmallInteger)
    end_month: Mapped[int] = mapped_column(Integer)
    income: Mapped[int | None] = mapped_column(BigInteger)
    base: Mapped[int] = mapped_column(BigInteger)
    bracket: Mapped[int | None] = mapped_column(SmallInteger)
    jht: Mapped[bool] = mapped_column(Boolean, default=False)
    billing_cycle_months: Mapped[int] = mapped_column(SmallInteger)
    after_death: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    drafted_by: Mapped[str] = mapped_column(String(100))
    """The drafter's username (``drafted_by_id`` the user; None on rows from before users existed)."""
    drafted_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    drafted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """When it ended; for a withdrawn draft, when it was withdrawn."""
    estimate_list_price: Mapped[int] = mapped_column(BigInteger)
    estimate_expected: Mapped[int] = mapped_column(BigInteger)
    enrolled_count: Mapped[int] = mapped_column(Integer, default=0)
    committed_cost: Mapped[int] = mapped_column(BigInteger, default=0)

    sponsor: Mapped[Sponsor] = relationship()
    target_occupations: Mapped[list[AgreementOccupation]] = relationship(
        cascade="all, delete-orphan", order_by="AgreementOccupation.occupation_code")
    target_regions: Mapped[list[AgreementRegion]] = relationship(
        cascade="all, delete-orphan", order_by="AgreementRegion.region_code")
    amendments: Mapped[list[AgreementAmendment]] = relationship(
        back_populates="agreement", order_by="AgreementAmendment.id", lazy="selectin")


class AgreementOccupation(Base):
    """A target occupation: when an agreement has any, only workers with one of them may enrol."""

    __tablename__ = "agreement_occupations"

    agreement_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True)
    occupation_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("occupations.code"), primary_key=True)


class AgreementRegion(Base):
    """A target region at any level: a worker whose domicile desa lies inside one of them may enrol."""

    __tablename__ = "agreement_regions"

    agreement_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13), ForeignKey("regions.code"), primary_key=True)


AMENDMENT_STATUSES = ("proposed", "approved", "rejected")


class AgreementAmendment(Base):
    """An addendum to an approved or active agreement: its quota and/or budget before and after.

    Proposed by one person, it changes nothing until another approves it (``status = 'approved'``
    needs ``decided_by <> proposed_by``; the proposer may withdraw it: ``rejected``). At most one is
    proposed per agreement at a time (a partial unique index). ``estimate_*_after`` are the cost
    estimate for the new quota, made when it was proposed, so the approver decides on them."""

    __tablename__ = "agreement_amendments"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'approved', 'rejected')", name="status"),
        CheckConstraint("status <> 'approved' OR decided_by <> proposed_by", name="four_eyes"),
        CheckConstraint("status <> 'approved' OR decided_by_id IS NULL OR proposed_by_id IS NULL "
                        "OR decided_by_id <> proposed_by_id", name="four_eyes_users"),
        CheckConstraint("quota_after > 0 AND budget_after >= 0", name="amounts"),
        Index("uq_agreement_amendments_proposed", "agreement_id", unique=True,
              sqlite_where=text("status = 'proposed'"), postgresql_where=text("status = 'proposed'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(Integer, ForeignKey("agreements.id"))
    reference: Mapped[str | None] = mapped_column(String(200))
    """The addendum's document number as the parties wrote it ("Adendum I No. 12/PKS/2026")."""
    quota_before: Mapped[int] = mapped_column(Integer)
    quota_after: Mapped[int] = mapped_column(Integer)
    budget_before: Mapped[int] = mapped_column(BigInteger)
    budget_after: Mapped[int] = mapped_column(BigInteger)
    estimate_list_price_after: Mapped[int] = mapped_column(BigInteger)
    estimate_expected_after: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    agreement: Mapped[Agreement] = relationship(back_populates="amendments")

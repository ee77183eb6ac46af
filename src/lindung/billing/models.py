"""The contribution ledger and everything that settles it.

``contribution_prices``  one row per distinct price a month was billed at: the month, the sector,
                         the package (base, funding source, JHT) and the components the rules
                         computed (JKK, JKM, JHT, discounts, rate) with their explanation. Rows are
                         never updated: a line points at the price it was billed at, so a later edit
                         of a worker, an agreement or a parameter never changes an issued bill.
``contribution_lines``   one line per worker-month billed (the ledger). A live line (status
                         ``due`` or ``paid``) exists at most once per worker and month (partial
                         unique index, which is also the index coverage reads by). A line is
                         voided, never deleted, when the month is no longer owed (death, leaving).
``bills``                per agreement per billing cycle (aligned to the agreement's start month);
                         ``seq`` > 1 is a supplementary bill for workers enrolled after the cycle's
                         first bill. ``total`` is as issued and never changes.
``payments``             accepted payments, each with its numbered receipt (tanda bukti penerimaan
                         iuran); ``reference`` is unique, so a duplicate is refused even when two
                         arrive at once.
``credit_entries``       signed movements of a sponsor's credit on an agreement (a remainder or an
                         overpayment, money paid for months after a death, credit applied to a bill).
``refunds``              money owed back to a sponsor (months paid after a worker's death, when the
                         agreement says ``refund``).
``worker_deaths``        the recorded date of death; ``enrolment_ends`` why and when an enrolment
                         was cut short.

Months are ``Month.index`` integers; money is whole rupiah.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base, UtcDateTime

LINE_STATUSES = ("due", "paid", "void")
VOID_REASONS = ("death", "left", "agreement_ended")
CREDIT_KINDS = ("payment", "applied", "after_death")
END_REASONS = ("left", "death", "agreement_ended")
LIVE = "status <> 'void'"


class ContributionPrice(Base):
    """What one worker-month of a package cost, and why. ``key`` identifies the row's content."""

    __tablename__ = "contribution_prices"
    __table_args__ = (
        CheckConstraint("sector IN ('transport', 'other')", name="sector"),
        CheckConstraint("amount >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    month: Mapped[int] = mapped_column(Integer)
    sector: Mapped[str] = mapped_column(String(16))
    base: Mapped[int] = mapped_column(BigInteger)
    funding_code: Mapped[str] = mapped_column(String(16))
    jht: Mapped[bool] = mapped_column(Boolean)
    jkk: Mapped[int] = mapped_column(BigInteger)
    jkm: Mapped[int] = mapped_column(BigInteger)
    jht_amount: Mapped[int] = mapped_column(BigInteger)
    discount_jkk: Mapped[int] = mapped_column(BigInteger)
    discount_jkm: Mapped[int] = mapped_column(BigInteger)
    discount_rate: Mapped[str] = mapped_column(String(16))  # Decimal as text, e.g. "0.5"
    amount: Mapped[int] = mapped_column(BigInteger)
    explanation: Mapped[str] = mapped_column(Text)  # JSON: the components with arithmetic and references
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Bill(Base):
    __tablename__ = "bills"
    __table_args__ = (
        UniqueConstraint("agreement_id", "cycle_start", "seq"),
        CheckConstraint("cycle_start <= cycle_end", name="cycle"),
        CheckConstraint("seq >= 1", name="seq"),
        CheckConstraint("total >= 0", name="total"),
        Index("ix_bills_due_date", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(Integer, ForeignKey("agreements.id"))
    cycle_start: Mapped[int] = mapped_column(Integer)
    cycle_end: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(SmallInteger)
    payment_code: Mapped[str] = mapped_column(String(20), unique=True)
    due_date: Mapped[dt.date] = mapped_column(Date)
    worker_months: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(BigInteger)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    issued_by: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ReceiptCounter(Base):
    """Gap-free receipt numbers per year: taken in the payment's own transaction."""

    __tablename__ = "receipt_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_no: Mapped[int] = mapped_column(Integer)


class Payment(Base):
    """An accepted payment and its receipt. ``allocated`` went to whole worker-months of the bill
    (oldest first); ``credit_after - credit_before = amount - allocated``."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("allocated >= 0", name="allocated"),
        CheckConstraint("credit_before >= 0 AND credit_after >= 0", name="credit"),
        Index("ix_payments_bill_id", "bill_id"),
        Index("ix_payments_agreement_id", "agreement_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    bill_id: Mapped[int] = mapped_column(Integer, ForeignKey("bills.id"))
    agreement_id: Mapped[int] = mapped_column(Integer, ForeignKey("agreements.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)
    worker_months: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(BigInteger)
    credit_before: Mapped[int] = mapped_column(BigInteger)
    credit_after: Mapped[int] = mapped_column(BigInteger)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CreditEntry(Base):
    """A signed movement of the sponsor's credit on one agreement; the balance is their sum."""

    __tablename__ = "credit_entries"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount"),
        CheckConstraint("kind IN ('payment', 'applied', 'after_death')", name="kind"),
        Index("ix_credit_entries_agreement_id", "agreement_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(Integer, ForeignKey("agreements.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    payment_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("payments.id"))
    bill_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("bills.id"))
    worker_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("workers.id"))
    entered_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ContributionLine(Base):
    """One worker-month billed. ``amount`` is the price's amount, copied so sums need no join."""

    __tablename__ = "contribution_lines"
    __table_args__ = (
        CheckConstraint("status IN ('due', 'paid', 'void')", name="status"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("status <> 'paid' OR paid_on IS NOT NULL", name="paid_on"),
        CheckConstraint("(status = 'void') = (void_reason IS NOT NULL)", name="void_reason"),
        # A worker-month is billed at most once while it is live; coverage reads through this index.
        Index("uq_contribution_lines_worker_id_month", "worker_id", "month", unique=True,
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
        Index("ix_contribution_lines_bill_id", "bill_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bill_id: Mapped[int] = mapped_column(Integer, ForeignKey("bills.id"))
    enrolment_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrolments.id"))
    worker_id: Mapped[int] = mapped_column(Integer, ForeignKey("workers.id"))
    month: Mapped[int] = mapped_column(Integer)
    price_id: Mapped[int] = mapped_column(Integer, ForeignKey("contribution_prices.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(8))
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    payment_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("payments.id"))
    credit_entry_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("credit_entries.id"))
    void_reason: Mapped[str | None] = mapped_column(String(16))


class Refund(Base):
    """Money owed back to the sponsor for months paid after a worker's death (policy ``refund``)."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("first_month <= last_month", name="span"),
        Index("ix_refunds_agreement_id", "agreement_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(Integer, ForeignKey("agreements.id"))
    worker_id: Mapped[int] = mapped_column(Integer, ForeignKey("workers.id"))
    reason: Mapped[str] = mapped_column(String(16))
    first_month: Mapped[int] = mapped_column(Integer)
    last_month: Mapped[int] = mapped_column(Integer)
    worker_months: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    created_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class WorkerDeath(Base):
    __tablename__ = "worker_deaths"

    worker_id: Mapped[int] = mapped_column(Integer, ForeignKey("workers.id"), primary_key=True,
                                           autoincrement=False)
    died_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class EnrolmentEnd(Base):
    """An enrolment cut short: its last month before and after (``cancelled`` when none remained)."""

    __tablename__ = "enrolment_ends"
    __table_args__ = (
        CheckConstraint("reason IN ('left', 'death', 'agreement_ended')", name="reason"),
        Index("ix_enrolment_ends_enrolment_id", "enrolment_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(Integer, ForeignKey("enrolments.id"))
    reason: Mapped[str] = mapped_column(String(16))
    previous_last_month: Mapped[int] = mapped_column(Integer)
    last_month: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[bool] = mapped_column(Boolean)
    effective_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

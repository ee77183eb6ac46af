"""The contribution ledger and everything that settles it.

``contribution_prices``  one row per distinct price a month was billed at: the month, the sector,
                         the package (base, funding source, JHT) and the components the rules
                         computed (JKK, JKM, JHT, discounts, rate) with their explanation. Rows are
                         never updated: a line points at the price it was billed at, so a later edit
                         of a worker, an agreement or a parameter never changes an issued bill.
``contribution_lines``   one line per worker-month billed (the ledger). Its primary key is
                         (month, worker_id, void_seq): a live line (``due`` or ``paid``) has
                         ``void_seq`` 0, so a worker-month is live at most once; a line is voided,
                         never deleted, when the month is no longer owed (an end), and gets the
                         next ``void_seq``. That one key is the only index of the table.
``billing_cycles``       which cycles a bill run has looked at, up to which enrolment (resumable
                         and idempotent runs that never rescan a finished cycle).
``bills``                per agreement per billing cycle (aligned to the agreement's start month);
                         ``seq`` > 1 is a supplementary bill for workers enrolled after the cycle's
                         first bill. ``total`` is as issued and never changes; ``settled`` and
                         ``cancelled`` (with their worker-months) follow payments and ends, so the
                         outstanding amount is ``total - settled - cancelled`` without reading lines.
``payments``             accepted payments, each with its numbered receipt (tanda bukti penerimaan
                         iuran); ``reference`` is unique, so a duplicate is refused even when two
                         arrive at once.
``credit_entries``       signed movements of a sponsor's credit on an agreement (a remainder or an
                         overpayment, money paid for months after an end, credit applied to a bill).
``refunds``              money owed back to a sponsor (months paid after a death, a worker leaving
                         or the agreement ending, when the agreement says ``refund``).
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
)
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base, UtcDateTime

LINE_STATUSES = ("due", "paid", "void")
VOID_REASONS = ("death", "left", "agreement_ended")
CREDIT_KINDS = ("payment", "applied", "after_end")
END_REASONS = ("left", "death", "agreement_ended")
LINE_STATES = ("amount >= 0 AND ((status = 'due' AND void_seq = 0 AND void_reason IS NULL) "
               "OR (status = 'paid' AND void_seq = 0 AND paid_on IS NOT NULL AND void_reason IS NULL) "
               "OR (status = 'void' AND void_seq > 0 AND void_reason IS NOT NULL))")


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


class BillingCycle(Base):
    """A cycle of an agreement that a bill run has looked at: every active enrolment with an id up
    to ``enrolment_watermark`` had all its months in the cycle billed then, so a later run only
    looks at newer enrolments (a worker enrolled late gets a supplementary bill). Spans only ever
    shrink (ends), so older enrolments never gain an unbilled month."""

    __tablename__ = "billing_cycles"
    __table_args__ = (CheckConstraint("cycle_start <= cycle_end", name="cycle"),)

    agreement_id: Mapped[int] = mapped_column(Integer, ForeignKey("agreements.id"), primary_key=True,
                                              autoincrement=False)
    cycle_start: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cycle_end: Mapped[int] = mapped_column(Integer)
    enrolment_watermark: Mapped[int] = mapped_column(Integer)
    bills: Mapped[int] = mapped_column(SmallInteger)
    checked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Bill(Base):
    __tablename__ = "bills"
    __table_args__ = (
        UniqueConstraint("agreement_id", "cycle_start", "seq"),
        CheckConstraint("cycle_start <= cycle_end", name="cycle"),
        CheckConstraint("seq >= 1", name="seq"),
        CheckConstraint("total >= 0", name="total"),
        CheckConstraint("settled >= 0 AND cancelled >= 0 AND settled + cancelled <= total", name="settled"),
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
    settled: Mapped[int] = mapped_column(BigInteger)
    settled_months: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[int] = mapped_column(BigInteger)
    cancelled_months: Mapped[int] = mapped_column(Integer)
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
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)
    worker_months: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(BigInteger)
    credit_before: Mapped[int] = mapped_column(BigInteger)
    credit_after: Mapped[int] = mapped_column(BigInteger)
    allocation: Mapped[str] = mapped_column(Text)  # JSON [[month, worker-months, amount], …], as settled
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CreditEntry(Base):
    """A signed movement of the sponsor's credit on one agreement; the balance is their sum."""

    __tablename__ = "credit_entries"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount"),
        CheckConstraint("kind IN ('payment', 'applied', 'after_end')", name="kind"),
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
    """One worker-month billed. ``amount`` is the price's amount, copied so sums need no join.

    One index only, the primary key (month, worker_id, void_seq), and on SQLite the table is
    clustered on it (WITHOUT ROWID): a bill run appends a new month at the right edge instead of
    touching every page, coverage seeks (month, worker) month by month, and a bill's lines are
    reached through its agreement's enrolments × the months of its cycle. Measured on 1.000.000 rows
    against a bare insert: a surrogate id plus a unique index cost 2,09 s against 0,58 s on
    PostgreSQL; this key alone 1,18 s against 0,51 s.

    No foreign-key constraints, on purpose: this is the table that grows by a million rows a month,
    and on PostgreSQL each foreign key is a trigger call per inserted row (measured: six of them took
    1,7 s of a 2,1 s bill run for 100.000 workers, against 0,06 s for the bare insert). Its
    references are guaranteed by the only statement that writes lines, which joins the bill,
    enrolment and price rows it points at (``repository._SELECT_LINES``); nothing deletes a bill
    with lines, an enrolment or a price.
    """

    __tablename__ = "contribution_lines"
    __table_args__ = (
        # One CHECK, written with OR rather than IN: on SQLite a CHECK with an IN list costs as much
        # as an index (measured: +0,45 s per million rows, against +0,05 s for this form).
        CheckConstraint(LINE_STATES, name="state"),
        {"sqlite_with_rowid": False},
    )

    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    worker_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # workers.id
    void_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 0 = live
    bill_id: Mapped[int] = mapped_column(Integer)  # bills.id
    enrolment_id: Mapped[int] = mapped_column(Integer)  # enrolments.id
    price_id: Mapped[int] = mapped_column(Integer)  # contribution_prices.id
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(8))
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    payment_id: Mapped[int | None] = mapped_column(Integer)  # payments.id
    credit_entry_id: Mapped[int | None] = mapped_column(Integer)  # credit_entries.id
    void_reason: Mapped[str | None] = mapped_column(String(16))


class Refund(Base):
    """Money owed back to the sponsor for months paid after an end (policy ``refund``): a worker's
    death or leaving (``worker_id`` set) or the agreement ending (``worker_id`` empty)."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("first_month <= last_month", name="span"),
        CheckConstraint("reason IN ('death', 'left', 'agreement_ended')", name="reason"),
        Index("ix_refunds_agreement_id", "agreement_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(Integer, ForeignKey("agreements.id"))
    worker_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("workers.id"))
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

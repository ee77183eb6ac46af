"""Billing: contribution prices and ledger, bills, payments and receipts, credit, refunds, deaths, ends.

Revision ID: 2026_11_26_billing
Revises: 2026_11_25_registry
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_11_26_billing"
down_revision: str | Sequence[str] | None = "2026_11_25_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
LINE_STATES = ("amount >= 0 AND ((status = 'due' AND void_seq = 0 AND void_reason IS NULL) "
               "OR (status = 'paid' AND void_seq = 0 AND paid_on IS NOT NULL AND void_reason IS NULL) "
               "OR (status = 'void' AND void_seq > 0 AND void_reason IS NOT NULL))")


def upgrade() -> None:
    op.create_table(
        "contribution_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("funding_code", sa.String(16), nullable=False),
        sa.Column("jht", sa.Boolean(), nullable=False),
        sa.Column("jkk", sa.BigInteger(), nullable=False),
        sa.Column("jkm", sa.BigInteger(), nullable=False),
        sa.Column("jht_amount", sa.BigInteger(), nullable=False),
        sa.Column("discount_jkk", sa.BigInteger(), nullable=False),
        sa.Column("discount_jkm", sa.BigInteger(), nullable=False),
        sa.Column("discount_rate", sa.String(16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("sector IN ('transport', 'other')", name=op.f("ck_contribution_prices_sector")),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_contribution_prices_amount")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_prices")),
        sa.UniqueConstraint("key", name=op.f("uq_contribution_prices_key")),
    )

    op.create_table(
        "billing_cycles",
        sa.Column("agreement_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cycle_start", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cycle_end", sa.Integer(), nullable=False),
        sa.Column("enrolment_watermark", sa.Integer(), nullable=False),
        sa.Column("bills", sa.SmallInteger(), nullable=False),
        sa.Column("checked_at", TS, nullable=False),
        sa.CheckConstraint("cycle_start <= cycle_end", name=op.f("ck_billing_cycles_cycle")),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"],
                                name=op.f("fk_billing_cycles_agreement_id_agreements")),
        sa.PrimaryKeyConstraint("agreement_id", "cycle_start", name=op.f("pk_billing_cycles")),
    )

    op.create_table(
        "bills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("cycle_start", sa.Integer(), nullable=False),
        sa.Column("cycle_end", sa.Integer(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("payment_code", sa.String(20), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("worker_months", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("settled", sa.BigInteger(), nullable=False),
        sa.Column("settled_months", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.BigInteger(), nullable=False),
        sa.Column("cancelled_months", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.CheckConstraint("cycle_start <= cycle_end", name=op.f("ck_bills_cycle")),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_bills_seq")),
        sa.CheckConstraint("total >= 0", name=op.f("ck_bills_total")),
        sa.CheckConstraint("settled >= 0 AND cancelled >= 0 AND settled + cancelled <= total",
                           name=op.f("ck_bills_settled")),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], name=op.f("fk_bills_agreement_id_agreements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bills")),
        sa.UniqueConstraint("agreement_id", "cycle_start", "seq", name=op.f("uq_bills_agreement_id_cycle_start_seq")),
        sa.UniqueConstraint("payment_code", name=op.f("uq_bills_payment_code")),
    )
    op.create_index("ix_bills_due_date", "bills", ["due_date"])

    op.create_table(
        "receipt_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_receipt_counters")),
    )

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("receipt_no", sa.String(32), nullable=False),
        sa.Column("worker_months", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.BigInteger(), nullable=False),
        sa.Column("credit_before", sa.BigInteger(), nullable=False),
        sa.Column("credit_after", sa.BigInteger(), nullable=False),
        sa.Column("allocation", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_amount")),
        sa.CheckConstraint("allocated >= 0", name=op.f("ck_payments_allocated")),
        sa.CheckConstraint("credit_before >= 0 AND credit_after >= 0", name=op.f("ck_payments_credit")),
        sa.ForeignKeyConstraint(["bill_id"], ["bills.id"], name=op.f("fk_payments_bill_id_bills")),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"],
                                name=op.f("fk_payments_agreement_id_agreements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_payments_receipt_no")),
    )
    op.create_index("ix_payments_bill_id", "payments", ["bill_id"])
    op.create_index("ix_payments_agreement_id", "payments", ["agreement_id"])

    op.create_table(
        "credit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("bill_id", sa.Integer(), nullable=True),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_credit_entries_amount")),
        sa.CheckConstraint("kind IN ('payment', 'applied', 'after_end')", name=op.f("ck_credit_entries_kind")),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"],
                                name=op.f("fk_credit_entries_agreement_id_agreements")),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name=op.f("fk_credit_entries_payment_id_payments")),
        sa.ForeignKeyConstraint(["bill_id"], ["bills.id"], name=op.f("fk_credit_entries_bill_id_bills")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_credit_entries_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_entries")),
    )
    op.create_index("ix_credit_entries_agreement_id", "credit_entries", ["agreement_id"])

    op.create_table(
        "contribution_lines",
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("worker_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("void_seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("price_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("credit_entry_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.String(16), nullable=True),
        sa.CheckConstraint(LINE_STATES, name=op.f("ck_contribution_lines_state")),
        # one index, the key; no foreign keys on the ledger: see ContributionLine's docstring
        sa.PrimaryKeyConstraint("month", "worker_id", "void_seq", name=op.f("pk_contribution_lines")),
        sqlite_with_rowid=False,
    )

    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=False),
        sa.Column("last_month", sa.Integer(), nullable=False),
        sa.Column("worker_months", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_refunds_amount")),
        sa.CheckConstraint("first_month <= last_month", name=op.f("ck_refunds_span")),
        sa.CheckConstraint("reason IN ('death', 'left', 'agreement_ended')", name=op.f("ck_refunds_reason")),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], name=op.f("fk_refunds_agreement_id_agreements")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_refunds_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    op.create_index("ix_refunds_agreement_id", "refunds", ["agreement_id"])

    op.create_table(
        "worker_deaths",
        sa.Column("worker_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("died_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_worker_deaths_worker_id_workers")),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_deaths")),
    )

    op.create_table(
        "enrolment_ends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("previous_last_month", sa.Integer(), nullable=False),
        sa.Column("last_month", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.CheckConstraint("reason IN ('left', 'death', 'agreement_ended')", name=op.f("ck_enrolment_ends_reason")),
        sa.ForeignKeyConstraint(["enrolment_id"], ["enrolments.id"],
                                name=op.f("fk_enrolment_ends_enrolment_id_enrolments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_ends")),
    )
    op.create_index("ix_enrolment_ends_enrolment_id", "enrolment_ends", ["enrolment_id"])


def downgrade() -> None:
    for table in ("enrolment_ends", "worker_deaths", "refunds", "contribution_lines", "credit_entries",
                  "payments", "receipt_counters", "bills", "billing_cycles", "contribution_prices"):
        op.drop_table(table)

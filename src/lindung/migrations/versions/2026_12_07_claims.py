"""Claims: accidents (stage I and II reports), claims with their frozen decisions, steps, documents
(stored by SHA-256 beside the database), the one payment a claim may have, and the children a
scholarship is paid for.

Revision ID: 2026_12_07_claims
Revises: 2026_12_07_jobs
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_07_claims"
down_revision: str | Sequence[str] | None = "2026_12_07_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "claim_counters",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_claim_counters")),
    )
    op.create_table(
        "accidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("occurred_time", sa.Time(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("reporter", sa.String(length=16), nullable=False),
        sa.Column("reported_by", sa.String(length=200), nullable=False),
        sa.Column("reported_at", TS, nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("function_loss", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("assessed_by", sa.String(length=200), nullable=True),
        sa.Column("outcome_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome_at", TS, nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('recovered', 'disabled', 'died')", name=op.f("ck_accidents_outcome")
        ),
        sa.CheckConstraint("reporter IN ('worker', 'sponsor', 'family', 'other')", name=op.f("ck_accidents_reporter")),
        sa.CheckConstraint("percent IS NULL OR (percent > 0 AND percent <= 100)", name=op.f("ck_accidents_percent")),
        sa.ForeignKeyConstraint(["outcome_by_id"], ["users.id"], name=op.f("fk_accidents_outcome_by_id_users")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_accidents_recorded_by_id_users")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_accidents_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accidents")),
    )
    with op.batch_alter_table("accidents", schema=None) as batch_op:
        batch_op.create_index("ix_accidents_worker_id", ["worker_id"], unique=False)

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("accident_id", sa.Integer(), nullable=True),
        sa.Column("reopens_id", sa.Integer(), nullable=True),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("scholarship_this_year", sa.BigInteger(), nullable=False),
        sa.Column("scholarship_projected", sa.BigInteger(), nullable=False),
        sa.Column("payee_name", sa.String(length=200), nullable=True),
        sa.Column("payee_relationship", sa.String(length=32), nullable=True),
        sa.Column("payee_nik", sa.String(length=16), nullable=True),
        sa.Column("payee_note", sa.String(length=64), nullable=True),
        sa.Column("account_bank", sa.String(length=100), nullable=True),
        sa.Column("account_number", sa.String(length=40), nullable=True),
        sa.Column("account_holder", sa.String(length=200), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", TS, nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("complete_on", sa.Date(), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("verified_at", TS, nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("rejected_reason", sa.String(length=64), nullable=True),
        sa.Column("rejected_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'verified', 'approved', 'paid', 'rejected')",
            name=op.f("ck_claims_status"),
        ),
        sa.CheckConstraint(
            "type IN ('jkm', 'jkk-death', 'jkk-disability-total', 'jkk-disability-partial', 'jkk-stmb', "
            "'jkk-care', 'scholarship')",
            name=op.f("ck_claims_type"),
        ),
        sa.CheckConstraint(
            "approved_by_id IS NULL OR (approved_by_id <> entered_by_id "
            "AND (verified_by_id IS NULL OR approved_by_id <> verified_by_id))",
            name=op.f("ck_claims_four_eyes"),
        ),
        sa.CheckConstraint("total >= 0", name=op.f("ck_claims_total")),
        sa.ForeignKeyConstraint(["accident_id"], ["accidents.id"], name=op.f("fk_claims_accident_id_accidents")),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], name=op.f("fk_claims_agreement_id_agreements")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"], name=op.f("fk_claims_approved_by_id_users")),
        sa.ForeignKeyConstraint(["entered_by_id"], ["users.id"], name=op.f("fk_claims_entered_by_id_users")),
        sa.ForeignKeyConstraint(["reopens_id"], ["claims.id"], name=op.f("fk_claims_reopens_id_claims")),
        sa.ForeignKeyConstraint(["sponsor_id"], ["sponsors.id"], name=op.f("fk_claims_sponsor_id_sponsors")),
        sa.ForeignKeyConstraint(["verified_by_id"], ["users.id"], name=op.f("fk_claims_verified_by_id_users")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_claims_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("number", name=op.f("uq_claims_number")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_accident_id", ["accident_id"], unique=False)
        batch_op.create_index("ix_claims_sponsor_id", ["sponsor_id"], unique=False)
        batch_op.create_index("ix_claims_status", ["status"], unique=False)
        batch_op.create_index("ix_claims_worker_id", ["worker_id"], unique=False)

    op.create_table(
        "claim_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_documents_claim_id_claims")),
        sa.ForeignKeyConstraint(["received_by_id"], ["users.id"], name=op.f("fk_claim_documents_received_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_documents")),
        sa.UniqueConstraint("claim_id", "code", "sha256", name="uq_claim_documents"),
    )
    with op.batch_alter_table("claim_documents", schema=None) as batch_op:
        batch_op.create_index("ix_claim_documents_claim_id", ["claim_id"], unique=False)

    op.create_table(
        "claim_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("payee_name", sa.String(length=200), nullable=True),
        sa.Column("account_bank", sa.String(length=100), nullable=True),
        sa.Column("account_number", sa.String(length=40), nullable=True),
        sa.Column("account_holder", sa.String(length=200), nullable=True),
        sa.Column("paid_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_payments_claim_id_claims")),
        sa.ForeignKeyConstraint(["paid_by_id"], ["users.id"], name=op.f("fk_claim_payments_paid_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_payments")),
        sa.UniqueConstraint("claim_id", name=op.f("uq_claim_payments_claim_id")),
    )
    op.create_table(
        "claim_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("by_name", sa.String(length=100), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_claim_steps_by_id_users")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_claim_steps_claim_id_claims")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_steps")),
    )
    with op.batch_alter_table("claim_steps", schema=None) as batch_op:
        batch_op.create_index("ix_claim_steps_claim_id", ["claim_id"], unique=False)

    op.create_table(
        "scholarship_children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("born", sa.Date(), nullable=True),
        sa.Column("married", sa.Boolean(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_scholarship_children_claim_id_claims")),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_scholarship_children_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scholarship_children")),
        sa.UniqueConstraint("worker_id", "name_key", name="uq_scholarship_children_name"),
        sa.UniqueConstraint("worker_id", "position", name="uq_scholarship_children_position"),
    )


def downgrade() -> None:
    op.drop_table("scholarship_children")
    with op.batch_alter_table("claim_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_steps_claim_id")

    op.drop_table("claim_steps")
    op.drop_table("claim_payments")
    with op.batch_alter_table("claim_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_documents_claim_id")

    op.drop_table("claim_documents")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_worker_id")
        batch_op.drop_index("ix_claims_status")
        batch_op.drop_index("ix_claims_sponsor_id")
        batch_op.drop_index("ix_claims_accident_id")

    op.drop_table("claims")
    with op.batch_alter_table("accidents", schema=None) as batch_op:
        batch_op.drop_index("ix_accidents_worker_id")

    op.drop_table("accidents")
    op.drop_table("claim_counters")

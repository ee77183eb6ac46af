"""Agreement amendments: an addendum's new quota and budget, proposed by one person, approved by another.

Revision ID: 2026_12_06_agreement_amendments
Revises: 2026_12_06_import_proposals
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_06_agreement_amendments"
down_revision: str | Sequence[str] | None = "2026_12_06_import_proposals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agreement_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("quota_before", sa.Integer(), nullable=False),
        sa.Column("quota_after", sa.Integer(), nullable=False),
        sa.Column("budget_before", sa.BigInteger(), nullable=False),
        sa.Column("budget_after", sa.BigInteger(), nullable=False),
        sa.Column("estimate_list_price_after", sa.BigInteger(), nullable=False),
        sa.Column("estimate_expected_after", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.CheckConstraint("status IN ('proposed', 'approved', 'rejected')",
                           name=op.f("ck_agreement_amendments_status")),
        sa.CheckConstraint("status <> 'approved' OR decided_by <> proposed_by",
                           name=op.f("ck_agreement_amendments_four_eyes")),
        sa.CheckConstraint("quota_after > 0 AND budget_after >= 0", name=op.f("ck_agreement_amendments_amounts")),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"],
                                name=op.f("fk_agreement_amendments_agreement_id_agreements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_amendments")),
    )
    op.create_index("uq_agreement_amendments_proposed", "agreement_amendments", ["agreement_id"], unique=True,
                    sqlite_where=sa.text("status = 'proposed'"), postgresql_where=sa.text("status = 'proposed'"))


def downgrade() -> None:
    op.drop_table("agreement_amendments")

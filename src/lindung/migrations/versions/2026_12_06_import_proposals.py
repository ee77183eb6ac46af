"""Import proposals: a bulk enrolment proposed by one person, carried out when another approves it.

Revision ID: 2026_12_06_import_proposals
Revises: 2026_12_02_provenance
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_06_import_proposals"
down_revision: str | Sequence[str] | None = "2026_12_02_provenance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "import_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("sheet", sa.String(100), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("read", sa.Integer(), nullable=False),
        sa.Column("would_enrol", sa.Integer(), nullable=False),
        sa.Column("would_cost", sa.BigInteger(), nullable=False),
        sa.Column("already_enrolled", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("provenance_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('proposed', 'approved', 'rejected')", name=op.f("ck_import_proposals_status")),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"],
                                name=op.f("fk_import_proposals_agreement_id_agreements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_proposals")),
    )
    op.create_index("ix_import_proposals_status", "import_proposals", ["status"])


def downgrade() -> None:
    op.drop_table("import_proposals")

"""Import proposals: the database refuses an approval by the proposer, as it does for agreements and
addenda (the service compares people as ``same_person`` does; this CHECK is the backstop).

Revision ID: 2026_12_06_proposal_four_eyes
Revises: 2026_12_06_agreement_withdrawn
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_06_proposal_four_eyes"
down_revision: str | Sequence[str] | None = "2026_12_06_agreement_withdrawn"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_proposals") as batch:
        batch.create_check_constraint(op.f("ck_import_proposals_four_eyes"),
                                      "status <> 'approved' OR decided_by <> proposed_by")


def downgrade() -> None:
    with op.batch_alter_table("import_proposals") as batch:
        batch.drop_constraint(op.f("ck_import_proposals_four_eyes"), type_="check")

"""Agreements: a draft may be withdrawn (status ``withdrawn``), never having been approved or used.

Revision ID: 2026_12_06_agreement_withdrawn
Revises: 2026_12_06_agreement_amendments
Create Date: 2026-12-06

Replaces two CHECK constraints of ``agreements`` and adds a third; on SQLite the table is rebuilt
(batch mode, foreign keys off as every migration here runs), on PostgreSQL they are altered in place.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_06_agreement_withdrawn"
down_revision: str | Sequence[str] | None = "2026_12_06_agreement_amendments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = {"status": "status IN ('draft', 'approved', 'active', 'ended')",
           "approved": "status = 'draft' OR approved_by IS NOT NULL"}
_AFTER = {"status": "status IN ('draft', 'approved', 'active', 'ended', 'withdrawn')",
          "approved": "status IN ('draft', 'withdrawn') OR approved_by IS NOT NULL",
          "withdrawn_unused": "status <> 'withdrawn' OR (approved_by IS NULL AND enrolled_count = 0)"}


def upgrade() -> None:
    with op.batch_alter_table("agreements") as batch:
        for name in _BEFORE:
            batch.drop_constraint(op.f(f"ck_agreements_{name}"), type_="check")
        for name, condition in _AFTER.items():
            batch.create_check_constraint(op.f(f"ck_agreements_{name}"), condition)


def downgrade() -> None:
    # A withdrawn draft cannot be written under the old constraints: it becomes a draft again.
    op.execute("UPDATE agreements SET status = 'draft', ended_at = NULL WHERE status = 'withdrawn'")
    with op.batch_alter_table("agreements") as batch:
        for name in _AFTER:
            batch.drop_constraint(op.f(f"ck_agreements_{name}"), type_="check")
        for name, condition in _BEFORE.items():
            batch.create_check_constraint(op.f(f"ck_agreements_{name}"), condition)

"""Insight and the public (issue 22): coverage targets, the dashboard's summary table (filled from the
registry, the enrolments and the ledger as they stand), and membership cards.

Revision ID: 2026_12_09_insight
Revises: 2026_12_08_web_sessions
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lindung.kit.db import UtcDateTime

revision: str = "2026_12_09_insight"
down_revision: str | Sequence[str] | None = "2026_12_08_web_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("enrolled", "protected", "started", "stops")


def upgrade() -> None:
    op.create_table(
        "coverage_targets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("region_code", sa.String(13), sa.ForeignKey("regions.code"), nullable=False),
        sa.Column("occupation_code", sa.String(32), sa.ForeignKey("occupations.code"), nullable=True),
        sa.Column("occupation_key", sa.String(32), nullable=False),
        sa.Column("workers", sa.Integer, nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("year", "region_code", "occupation_key", name="one_per_region_occupation_year"),
        sa.CheckConstraint("workers > 0", name="workers"),
        sa.CheckConstraint("year >= 2000 AND year <= 2100", name="year"),
    )
    op.create_table(
        "insight_facets",
        sa.Column("month", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("facet", sa.String(10), primary_key=True),
        sa.Column("desa_code", sa.String(13), primary_key=True),
        sa.Column("sponsor_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("value", sa.String(32), primary_key=True),
        *(sa.Column(name, sa.Integer, nullable=False) for name in COUNTS),
    )
    op.create_table(
        "membership_cards",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("worker_id", sa.Integer, sa.ForeignKey("workers.id"), nullable=False),
        sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreements.id"), nullable=True),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("issued_at", UtcDateTime, nullable=False),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        sa.Column("revoked_at", UtcDateTime, nullable=True),
        sa.Column("revoke_reason", sa.String(200), nullable=True),
        sa.CheckConstraint("revoked_at IS NULL OR revoked_by IS NOT NULL", name="revoked_by"),
    )
    op.create_index("ix_membership_cards_worker_id", "membership_cards", ["worker_id"])
    op.create_index("ux_membership_cards_live", "membership_cards", ["worker_id"], unique=True,
                    sqlite_where=sa.text("revoked_at IS NULL"), postgresql_where=sa.text("revoked_at IS NULL"))
    # The summary starts from what is there (``lindung.summary.cells.rebuild``, set-based).
    from lindung.summary.cells import rebuild
    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ux_membership_cards_live", table_name="membership_cards")
    op.drop_index("ix_membership_cards_worker_id", table_name="membership_cards")
    op.drop_table("membership_cards")
    op.drop_table("insight_facets")
    op.drop_table("coverage_targets")

"""Idempotent uploads (issue 20, Hardening): a job remembers the ``Idempotency-Key`` its starter sent
and a fingerprint of what was sent (the file's SHA-256), so that the same request sent again (a
client's retry after a lost answer) gets the first job back instead of a second import.

Revision ID: 2026_12_07_job_idempotency
Revises: 2026_12_07_credentials
Create Date: 2026-12-07

- ``jobs.idempotency_key``: the header's value (at most 200 characters), none for a job started
  without one (every CLI job);
- ``jobs.fingerprint``: the SHA-256 (hex) of the upload, to refuse the same key with another file;
- a unique index on (``created_by_id``, ``idempotency_key``): one job per user and key, also when
  two retries arrive at once (the second insert fails and reads the first). NULL keys never collide.

Columns added in place (ALTER TABLE ADD COLUMN on both engines): nothing is rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_07_job_idempotency"
down_revision: str | Sequence[str] | None = "2026_12_07_credentials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("idempotency_key", sa.String(200), nullable=True))
    op.add_column("jobs", sa.Column("fingerprint", sa.String(64), nullable=True))
    op.create_index("uq_jobs_idempotency", "jobs", ["created_by_id", "idempotency_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_jobs_idempotency", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("fingerprint")
        batch.drop_column("idempotency_key")

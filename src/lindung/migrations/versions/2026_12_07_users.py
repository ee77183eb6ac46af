"""Users and roles: who acts is a user, and maker-checker compares users.

Revision ID: 2026_12_07_users
Revises: 2026_12_06_proposal_four_eyes
Create Date: 2026-12-07

- ``users``: username (lower case, unique), full name, role, the sponsor or region a scoped role is
  bound to, active, who added the user and when.
- The audit log and provenances name the user by id (``actor_id``) beside the username; the audit
  log keeps an entry's facts as values (``data``, JSON) so that each reader gets them in their
  language. Entries from before keep their English ``detail``.
- Agreements, addenda and import proposals name their maker and checker by user id too, and a CHECK
  refuses the same user as both (the name CHECKs stay: rows from before users existed have no ids).

Existing rows keep their names as text: no user is made for them (a name typed with ``--by`` was
never a user), and they stay readable in the audit log. A database migrated with data but no user
asks for its first administrator (``lindung user add NAME --role administrator``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_07_users"
down_revision: str | Sequence[str] | None = "2026_12_06_proposal_four_eyes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)

MAKER_CHECKER = {
    "agreements": (("drafted_by_id", "approved_by_id"),
                   "approved_by_id IS NULL OR drafted_by_id IS NULL OR approved_by_id <> drafted_by_id"),
    "agreement_amendments": (("proposed_by_id", "decided_by_id"),
                             "status <> 'approved' OR decided_by_id IS NULL OR proposed_by_id IS NULL "
                             "OR decided_by_id <> proposed_by_id"),
    "import_proposals": (("proposed_by_id", "decided_by_id"),
                         "status <> 'approved' OR decided_by_id IS NULL OR proposed_by_id IS NULL "
                         "OR decided_by_id <> proposed_by_id"),
}


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(13), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("sponsor_id IS NULL OR region_code IS NULL", name=op.f("ck_users_one_scope")),
        sa.ForeignKeyConstraint(["sponsor_id"], ["sponsors.id"], name=op.f("fk_users_sponsor_id_sponsors")),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_users_region_code_regions")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_users_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("data", sa.JSON(), nullable=True))
        batch.create_foreign_key(op.f("fk_audit_log_actor_id_users"), "users", ["actor_id"], ["id"])
    with op.batch_alter_table("provenances") as batch:
        batch.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_provenances_actor_id_users"), "users", ["actor_id"], ["id"])
    for table, (columns, condition) in MAKER_CHECKER.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
                batch.create_foreign_key(op.f(f"fk_{table}_{column}_users"), "users", [column], ["id"])
            batch.create_check_constraint(op.f(f"ck_{table}_four_eyes_users"), condition)


def downgrade() -> None:
    for table, (columns, _condition) in MAKER_CHECKER.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_four_eyes_users"), type_="check")
            for column in columns:
                batch.drop_constraint(op.f(f"fk_{table}_{column}_users"), type_="foreignkey")
                batch.drop_column(column)
    with op.batch_alter_table("provenances") as batch:
        batch.drop_constraint(op.f("fk_provenances_actor_id_users"), type_="foreignkey")
        batch.drop_column("actor_id")
    # An entry written since keeps its facts, as JSON text where the old log had its English.
    op.execute("UPDATE audit_log SET detail = CAST(data AS TEXT) WHERE detail IS NULL AND data IS NOT NULL")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint(op.f("fk_audit_log_actor_id_users"), type_="foreignkey")
        batch.drop_column("data")
        batch.drop_column("actor_id")
    op.drop_table("users")

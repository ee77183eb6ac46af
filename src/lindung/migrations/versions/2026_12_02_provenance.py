"""Provenance: who wrote registry rows, when and from what, once per registration or import.

Workers and enrolments carried the same person, time and source on every row (a bulk import wrote
them once per worker and once per enrolment) and workers the three region codes of their NIK's
first six digits: a third of the bytes a bulk import wrote, and on SQLite the reason its page cache
spilled the NIK index. Now a row names a ``provenances`` row, and the NIK's region codes are read
off the NIK (``workers.models.nik_region_codes``).

Existing rows keep what they said: every distinct (person, time, source) becomes one provenance.

Revision ID: 2026_12_02_provenance
Revises: 2026_11_26_billing
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_02_provenance"
down_revision: str | Sequence[str] | None = "2026_11_26_billing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
CARRIED = {"workers": ("created_by", "created_at", "source"),
           "enrolments": ("enrolled_by", "enrolled_at", "source")}
"""table -> its (person, time, source) columns, which become one provenance each."""


def _same(column: str, other: str) -> str:
    """Null-safe equality in both dialects."""
    return f"({column} = {other} OR ({column} IS NULL AND {other} IS NULL))"


def upgrade() -> None:
    op.create_table(
        "provenances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("source", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provenances")),
    )
    for table in CARRIED:
        op.add_column(table, sa.Column("provenance_id", sa.Integer(), nullable=True))

    # Existing rows: one provenance per distinct (person, time, source), looked up by a helper index.
    selects = " UNION ".join(f"SELECT {by}, {at}, {source} FROM {table}"
                             for table, (by, at, source) in CARRIED.items())
    op.execute(f"INSERT INTO provenances (actor, at, source) SELECT * FROM ({selects}) x ORDER BY 2, 1, 3")
    op.create_index("ix_provenances_migration", "provenances", ["actor", "at"])
    for table, (by, at, source) in CARRIED.items():
        same_source = _same("p.source", f"{table}.{source}")
        op.execute(f"UPDATE {table} SET provenance_id = (SELECT MIN(p.id) FROM provenances p "
                   f"WHERE p.actor = {table}.{by} AND p.at = {table}.{at} AND {same_source})")
    op.drop_index("ix_provenances_migration", "provenances")

    with op.batch_alter_table("workers") as batch:
        batch.alter_column("provenance_id", existing_type=sa.Integer(), nullable=False)
        for column in ("nik_province_code", "nik_regency_code", "nik_district_code", *CARRIED["workers"]):
            batch.drop_column(column)
    with op.batch_alter_table("enrolments") as batch:
        batch.alter_column("provenance_id", existing_type=sa.Integer(), nullable=False)
        for column in CARRIED["enrolments"]:
            batch.drop_column(column)


def downgrade() -> None:
    nik = "workers.nik"
    codes = {"nik_province_code": (sa.String(2), f"substr({nik}, 1, 2)"),
             "nik_regency_code": (sa.String(5), f"substr({nik}, 1, 2) || '.' || substr({nik}, 3, 2)"),
             "nik_district_code": (sa.String(8), f"substr({nik}, 1, 2) || '.' || substr({nik}, 3, 2) || '.' || "
                                                 f"substr({nik}, 5, 2)")}
    for name, (type_, _value) in codes.items():
        op.add_column("workers", sa.Column(name, type_, nullable=True))
    for table, (by, at, source) in CARRIED.items():
        op.add_column(table, sa.Column(by, sa.String(100), nullable=True))
        op.add_column(table, sa.Column(at, TS, nullable=True))
        op.add_column(table, sa.Column(source, sa.String(100), nullable=True))
        for column in (by, at, source):
            name = {by: "actor", at: "at", source: "source"}[column]
            op.execute(f"UPDATE {table} SET {column} = (SELECT p.{name} FROM provenances p "
                       f"WHERE p.id = {table}.provenance_id)")
    op.execute("UPDATE workers SET " + ", ".join(f"{name} = {value}" for name, (_t, value) in codes.items()))
    with op.batch_alter_table("workers") as batch:
        for name, (type_, _value) in codes.items():
            batch.alter_column(name, existing_type=type_, nullable=False)
        batch.alter_column("created_by", existing_type=sa.String(100), nullable=False)
        batch.alter_column("created_at", existing_type=TS, nullable=False)
        batch.drop_column("provenance_id")
    with op.batch_alter_table("enrolments") as batch:
        batch.alter_column("enrolled_by", existing_type=sa.String(100), nullable=False)
        batch.alter_column("enrolled_at", existing_type=TS, nullable=False)
        batch.drop_column("provenance_id")
    op.drop_table("provenances")

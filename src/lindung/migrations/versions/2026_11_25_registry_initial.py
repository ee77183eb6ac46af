"""Registry, sponsors, agreements and enrolment; the Kemendagri regions and the occupation catalogue.

Revision ID: 2026_11_25_registry
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "2026_11_25_registry"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
NIK = sa.String(16).with_variant(sa.String(16, collation="C"), "postgresql")
"""Compared byte for byte on PostgreSQL (``kit.db.byte_ordered_string``)."""

NO_OVERLAP_POSTGRESQL = (
    # A worker is never covered twice for the same month, whatever writes the rows: the database
    # refuses an active enrolment that shares a month with another active one of the same worker.
    # Not an exclusion constraint: see enrolment.models.Enrolment for the locking protocol and why.
    """
CREATE FUNCTION enrolments_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
            SELECT 1 FROM pg_locks
            WHERE locktype = 'relation' AND relation = TG_RELID AND pid = pg_backend_pid() AND granted
              AND mode IN ('ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')) THEN
        -- The bulk import: it holds the table against every other writer until it ends, and has
        -- checked its rows against the table, set-based, under that lock.
        RETURN NULL;
    END IF;
    -- Everyone else: take the workers' rows (as the enrolment service does), then look again with a
    -- new snapshot, so that of two transactions racing for one worker the second one sees the first.
    PERFORM 1 FROM workers WHERE id IN (SELECT worker_id FROM new_rows WHERE status = 'active')
        ORDER BY id FOR NO KEY UPDATE;
    IF EXISTS (
            SELECT 1 FROM new_rows n JOIN enrolments e
              ON e.worker_id = n.worker_id AND e.id <> n.id AND e.status = 'active'
             AND e.first_month <= n.last_month AND e.last_month >= n.first_month
            WHERE n.status = 'active') THEN
        RAISE EXCEPTION 'conflicting key value violates exclusion constraint "ex_enrolments_no_overlap"'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'ex_enrolments_no_overlap',
                  TABLE = 'enrolments',
                  DETAIL = 'An active enrolment shares a month with another active one of the same worker.';
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER ex_enrolments_no_overlap AFTER INSERT ON enrolments "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION enrolments_no_overlap()",
    """
CREATE FUNCTION enrolments_no_overlap_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM workers WHERE id = NEW.worker_id FOR NO KEY UPDATE;
    IF EXISTS (
            SELECT 1 FROM enrolments e
            WHERE e.worker_id = NEW.worker_id AND e.id <> NEW.id AND e.status = 'active'
              AND e.first_month <= NEW.last_month AND e.last_month >= NEW.first_month) THEN
        RAISE EXCEPTION 'conflicting key value violates exclusion constraint "ex_enrolments_no_overlap"'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'ex_enrolments_no_overlap',
                  TABLE = 'enrolments',
                  DETAIL = 'An active enrolment shares a month with another active one of the same worker.';
    END IF;
    RETURN NULL;
END
$$""",
    # An update matters only when a span grows or comes back to life (ends only shrink spans), so the
    # row trigger runs for those rows alone and a bulk end of enrolments costs nothing here.
    "CREATE TRIGGER ex_enrolments_no_overlap_update AFTER UPDATE ON enrolments FOR EACH ROW "
    "WHEN (NEW.status = 'active' AND (OLD.status <> 'active' OR NEW.worker_id <> OLD.worker_id "
    "OR NEW.first_month < OLD.first_month OR NEW.last_month > OLD.last_month)) "
    "EXECUTE FUNCTION enrolments_no_overlap_row()",
)


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("code", sa.String(13), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("postal_code", sa.String(5), nullable=True),
        sa.Column("parent_code", sa.String(13), nullable=True),
        sa.Column("decree", sa.String(64), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name=op.f("ck_regions_level")),
        sa.ForeignKeyConstraint(["parent_code"], ["regions.code"],
                                name=op.f("fk_regions_parent_code_regions")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_index("ix_regions_parent_code", "regions", ["parent_code"])

    op.create_table(
        "occupations",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("label_id", sa.String(100), nullable=False),
        sa.Column("label_en", sa.String(100), nullable=False),
        sa.Column("transport", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_occupations")),
    )
    op.create_table(
        "occupation_aliases",
        sa.Column("alias", sa.String(100), nullable=False),
        sa.Column("occupation_code", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["occupation_code"], ["occupations.code"],
                                name=op.f("fk_occupation_aliases_occupation_code_occupations")),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_occupation_aliases")),
    )

    op.create_table(
        "workers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nik", NIK, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("nik_province_code", sa.String(2), nullable=False),
        sa.Column("nik_regency_code", sa.String(5), nullable=False),
        sa.Column("nik_district_code", sa.String(8), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("review_reason", sa.String(64), nullable=True),
        sa.Column("domicile_code", sa.String(13), nullable=False),
        sa.Column("occupation_code", sa.String(32), nullable=False),
        sa.Column("declared_income", sa.BigInteger(), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("source", sa.String(100), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("sex = 'L' OR sex = 'P'", name=op.f("ck_workers_sex")),
        sa.CheckConstraint("declared_income >= 0", name=op.f("ck_workers_declared_income")),
        sa.CheckConstraint("length(nik) = 16", name=op.f("ck_workers_nik_length")),
        # domicile_code and occupation_code: no foreign keys and no indexes (see workers.models.Worker)
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
        sa.UniqueConstraint("nik", name=op.f("uq_workers_nik")),
    )

    op.create_table(
        "heirs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("relationship_code", sa.String(32), nullable=False),
        sa.Column("nik", sa.String(16), nullable=True),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], ondelete="CASCADE",
                                name=op.f("fk_heirs_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heirs")),
    )
    op.create_index("ix_heirs_worker_id", "heirs", ["worker_id"])

    op.create_table(
        "sponsors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("funding_code", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsors")),
        sa.UniqueConstraint("code", name=op.f("uq_sponsors_code")),
    )

    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("funding_code", sa.String(16), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("start_month", sa.Integer(), nullable=False),
        sa.Column("months", sa.SmallInteger(), nullable=False),
        sa.Column("end_month", sa.Integer(), nullable=False),
        sa.Column("income", sa.BigInteger(), nullable=True),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("bracket", sa.SmallInteger(), nullable=True),
        sa.Column("jht", sa.Boolean(), nullable=False),
        sa.Column("billing_cycle_months", sa.SmallInteger(), nullable=False),
        sa.Column("after_death", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("drafted_by", sa.String(100), nullable=False),
        sa.Column("drafted_at", TS, nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("activated_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("estimate_list_price", sa.BigInteger(), nullable=False),
        sa.Column("estimate_expected", sa.BigInteger(), nullable=False),
        sa.Column("enrolled_count", sa.Integer(), nullable=False),
        sa.Column("committed_cost", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quota > 0", name=op.f("ck_agreements_quota")),
        sa.CheckConstraint("budget >= 0", name=op.f("ck_agreements_budget")),
        sa.CheckConstraint("months > 0", name=op.f("ck_agreements_months")),
        sa.CheckConstraint("end_month = start_month + months - 1", name=op.f("ck_agreements_end_month")),
        sa.CheckConstraint("base > 0", name=op.f("ck_agreements_base")),
        sa.CheckConstraint("billing_cycle_months > 0", name=op.f("ck_agreements_billing_cycle_months")),
        sa.CheckConstraint("after_death IN ('refund', 'credit')", name=op.f("ck_agreements_after_death")),
        sa.CheckConstraint("status IN ('draft', 'approved', 'active', 'ended')",
                           name=op.f("ck_agreements_status")),
        sa.CheckConstraint("status = 'draft' OR approved_by IS NOT NULL",
                           name=op.f("ck_agreements_approved")),
        sa.CheckConstraint("approved_by IS NULL OR approved_by <> drafted_by",
                           name=op.f("ck_agreements_four_eyes")),
        sa.CheckConstraint("enrolled_count >= 0 AND enrolled_count <= quota",
                           name=op.f("ck_agreements_within_quota")),
        sa.CheckConstraint("committed_cost >= 0 AND committed_cost <= budget",
                           name=op.f("ck_agreements_within_budget")),
        sa.ForeignKeyConstraint(["sponsor_id"], ["sponsors.id"],
                                name=op.f("fk_agreements_sponsor_id_sponsors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("code", name=op.f("uq_agreements_code")),
    )
    op.create_index("ix_agreements_sponsor_id", "agreements", ["sponsor_id"])

    op.create_table(
        "agreement_occupations",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("occupation_code", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], ondelete="CASCADE",
                                name=op.f("fk_agreement_occupations_agreement_id_agreements")),
        sa.ForeignKeyConstraint(["occupation_code"], ["occupations.code"],
                                name=op.f("fk_agreement_occupations_occupation_code_occupations")),
        sa.PrimaryKeyConstraint("agreement_id", "occupation_code", name=op.f("pk_agreement_occupations")),
    )
    op.create_table(
        "agreement_regions",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(13), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], ondelete="CASCADE",
                                name=op.f("fk_agreement_regions_agreement_id_agreements")),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"],
                                name=op.f("fk_agreement_regions_region_code_regions")),
        sa.PrimaryKeyConstraint("agreement_id", "region_code", name=op.f("pk_agreement_regions")),
    )

    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=False),
        sa.Column("last_month", sa.Integer(), nullable=False),
        sa.Column("occupation_code", sa.String(32), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("committed_cost", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("enrolled_by", sa.String(100), nullable=False),
        sa.Column("enrolled_at", TS, nullable=False),
        sa.Column("source", sa.String(100), nullable=True),
        sa.Column("cancelled_by", sa.String(100), nullable=True),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.CheckConstraint("first_month <= last_month", name=op.f("ck_enrolments_span")),
        sa.CheckConstraint("committed_cost >= 0", name=op.f("ck_enrolments_committed_cost")),
        sa.CheckConstraint("status = 'active' OR status = 'cancelled'", name=op.f("ck_enrolments_status")),
        sa.CheckConstraint("sector = 'transport' OR sector = 'other'", name=op.f("ck_enrolments_sector")),
        # worker_id, agreement_id, occupation_code: no foreign keys (see enrolment.models.Enrolment)
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
    )
    op.create_index("ix_enrolments_worker_id_first_month", "enrolments", ["worker_id", "first_month"])
    op.create_index("ix_enrolments_agreement_id_status", "enrolments", ["agreement_id", "status"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in NO_OVERLAP_POSTGRESQL:
            op.execute(statement)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_subject_type_subject_id", "audit_log", ["subject_type", "subject_id"])

    load_regions()
    load_occupations()


def load_regions() -> None:
    """The whole Kemendagri list, parents before children, in one set-based load."""
    from lindung.kit.lokal import REGIONS_DECREE, all_regions

    regions = sa.table(
        "regions", sa.column("code", sa.String), sa.column("name", sa.String),
        sa.column("level", sa.SmallInteger), sa.column("kind", sa.String),
        sa.column("postal_code", sa.String), sa.column("parent_code", sa.String),
        sa.column("decree", sa.String))
    rows = [{"code": r.code, "name": r.name, "level": r.level, "kind": r.kind,
             "postal_code": r.postal_code or None,
             "parent_code": r.code.rsplit(".", 1)[0] if r.level > 1 else None,
             "decree": REGIONS_DECREE}
            for r in sorted(all_regions(), key=lambda r: (r.level, r.code))]
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _copy_rows(bind, "regions", list(rows[0]), rows)
    else:
        op.bulk_insert(regions, rows)


def _copy_rows(bind: sa.Connection, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    raw = bind.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def load_occupations() -> None:
    """The occupation catalogue and every folded label → code, so SQL can map spreadsheet labels."""
    from lindung.rules.catalogues import fold_label, occupations

    occ = sa.table("occupations", sa.column("code", sa.String), sa.column("label_id", sa.String),
                   sa.column("label_en", sa.String), sa.column("transport", sa.Boolean))
    aliases = sa.table("occupation_aliases", sa.column("alias", sa.String),
                       sa.column("occupation_code", sa.String))
    catalogue = occupations()
    op.bulk_insert(occ, [{"code": o.code, "label_id": o.label_id, "label_en": o.label_en,
                          "transport": o.transport} for o in catalogue.values()])
    folded: dict[str, str] = {}
    for o in catalogue.values():
        for label in (o.code, o.label_id, o.label_en, *o.aliases):
            folded.setdefault(fold_label(label), o.code)
    op.bulk_insert(aliases, [{"alias": a, "occupation_code": c} for a, c in sorted(folded.items())])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS enrolments_no_overlap() CASCADE")
        op.execute("DROP FUNCTION IF EXISTS enrolments_no_overlap_row() CASCADE")
    for table in ("audit_log", "enrolments", "agreement_regions", "agreement_occupations", "agreements",
                  "sponsors", "heirs", "workers", "occupation_aliases", "occupations", "regions"):
        op.drop_table(table)


"""Enrolments: worker × agreement × month span, with the cost committed when it was accepted.

Invariant: a worker is never covered twice for the same month. How it holds under concurrency:

- every writer checks overlaps before it writes, in a transaction that excludes every other writer
  that could create one. On SQLite ``BEGIN IMMEDIATE`` serialises all writers. On PostgreSQL the
  one-at-a-time enrolment locks the agreement row, then takes ``ROW EXCLUSIVE`` on ``enrolments``
  explicitly, then the worker's row (``FOR UPDATE``), and only then checks; the bulk import locks
  the agreement row, then takes ``SHARE ROW EXCLUSIVE`` on ``enrolments`` (it conflicts with
  ``ROW EXCLUSIVE`` and with itself) before its set-based check. So a single enrolment either
  checked and wrote before the import took the table, or waits until the import has committed and
  then sees its rows; two imports run one after the other; two single enrolments of one worker
  meet on the worker's row. (``enrolment.repository.lock_for_enrolment`` and
  ``lock_for_bulk_enrolment``; racing tests in tests/enrolment/test_concurrency.py.)
- on PostgreSQL the database also refuses an overlap written behind the service: triggers
  (created by the migration, not declared here) raise ``exclusion_violation`` under the name
  ``ex_enrolments_no_overlap`` for an inserted or updated active span that shares a month with
  another active span of the same worker, after locking the worker rows, so two such writers are
  serialised too. A statement run by a transaction that holds ``SHARE ROW EXCLUSIVE`` on the table
  (the bulk import, which has just checked its rows under that lock) is not checked again.

This replaced an exclusion constraint (``btree_gist``, ``worker_id WITH =, int4range(first_month,
last_month, '[]') WITH &&``): its GiST index cost ~34 µs per inserted enrolment, 8,5 s of a
250.000-row import and more as the table grows, against an import budget of about 1 s.

``worker_id``, ``agreement_id``, ``occupation_code`` and ``provenance_id`` (who enrolled, when, from
what: shared by every enrolment of one bulk import, see ``workers.models.Worker``) carry no foreign
keys, on purpose: every writer takes them from rows it has just read, locked or inserted in the same
transaction (the worker, the agreement it locked, the worker's occupation, the provenance it wrote),
nothing deletes workers, agreements, occupations or provenances, and on PostgreSQL each foreign key is
a trigger call per inserted row (the first three cost about 2,4 s of a 250.000-row import).
Indexes: (worker_id, first_month) for overlaps and coverage, (agreement_id, status) for billing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from lindung.audit.models import Provenance
from lindung.kit.db import Base, UtcDateTime
from lindung.sponsors.models import Agreement
from lindung.workers.models import Worker

ENROLMENT_STATUSES = ("active", "cancelled")
SECTORS = ("transport", "other")


class Enrolment(Base):
    """``first_month``/``last_month`` are ``Month.index`` integers (inclusive). ``sector`` and
    ``occupation_code`` are the worker's at acceptance; ``committed_cost`` is the contribution of the
    whole span from the price table then in force, kept as it was."""

    __tablename__ = "enrolments"
    __table_args__ = (
        CheckConstraint("first_month <= last_month", name="span"),
        CheckConstraint("committed_cost >= 0", name="committed_cost"),
        CheckConstraint("status = 'active' OR status = 'cancelled'", name="status"),
        CheckConstraint("sector = 'transport' OR sector = 'other'", name="sector"),
        Index("ix_enrolments_worker_id_first_month", "worker_id", "first_month"),
        Index("ix_enrolments_agreement_id_status", "agreement_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(Integer)  # workers.id
    agreement_id: Mapped[int] = mapped_column(Integer)  # agreements.id
    first_month: Mapped[int] = mapped_column(Integer)
    last_month: Mapped[int] = mapped_column(Integer)
    occupation_code: Mapped[str] = mapped_column(String(32))  # occupations.code
    sector: Mapped[str] = mapped_column(String(16))
    committed_cost: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="active")
    provenance_id: Mapped[int] = mapped_column(Integer)  # provenances.id
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    worker: Mapped[Worker] = relationship(primaryjoin=lambda: foreign(Enrolment.worker_id) == Worker.id,
                                          viewonly=True)
    agreement: Mapped[Agreement] = relationship(
        primaryjoin=lambda: foreign(Enrolment.agreement_id) == Agreement.id, viewonly=True)
    provenance: Mapped[Provenance] = relationship(
        primaryjoin=lambda: foreign(Enrolment.provenance_id) == Provenance.id, viewonly=True)


PROPOSAL_STATUSES = ("proposed", "approved", "rejected")


class ImportProposal(Base):
    """A bulk enrolment proposed by one officer and carried out only when another person approves it
    (maker-checker, product.md). The file itself is kept (``content``, with its SHA-256), so that what
    is approved is exactly what was checked; the check's counts at proposal are kept beside it.
    ``provenance_id`` names the import it became (its number in ``lindung import list``)."""

    __tablename__ = "import_proposals"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'approved', 'rejected')", name="status"),
        CheckConstraint("status <> 'approved' OR decided_by <> proposed_by", name="four_eyes"),
        CheckConstraint("status <> 'approved' OR decided_by_id IS NULL OR proposed_by_id IS NULL "
                        "OR decided_by_id <> proposed_by_id", name="four_eyes_users"),
        Index("ix_import_proposals_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(Integer, ForeignKey("agreements.id"))
    file_name: Mapped[str] = mapped_column(String(200))
    sheet: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    read: Mapped[int] = mapped_column(Integer)
    would_enrol: Mapped[int] = mapped_column(Integer)
    would_cost: Mapped[int] = mapped_column(BigInteger)
    already_enrolled: Mapped[int] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    provenance_id: Mapped[int | None] = mapped_column(Integer)  # provenances.id of the import it became

    agreement: Mapped[Agreement] = relationship(viewonly=True)


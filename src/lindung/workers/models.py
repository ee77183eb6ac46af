"""Workers, their heirs, and the occupation catalogue as tables SQL can join against."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from lindung.audit.models import Provenance
from lindung.kit.db import Base, byte_ordered_string

SEXES = ("L", "P")
"""A worker's sex as the NIK holds it (laki-laki, perempuan): the codes stored."""


class Occupation(Base):
    """rules.catalogues.occupations(): code, labels and the PP 50/2025 transport flag."""

    __tablename__ = "occupations"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    label_id: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    transport: Mapped[bool] = mapped_column(Boolean)


class OccupationAlias(Base):
    """Every label folded by ``catalogues.fold_label`` (code, labels, aliases) → occupation code."""

    __tablename__ = "occupation_aliases"

    alias: Mapped[str] = mapped_column(String(100), primary_key=True)
    occupation_code: Mapped[str] = mapped_column(String(32), ForeignKey("occupations.code"))


class Worker(Base):
    """One person, one NIK, across all sponsors.

    ``nik_*_code`` are the codes the NIK encodes (region of first registration), read off its first
    six digits, not stored; ``needs_review`` is set when the NIK's kecamatan is not in the region
    list (regions split: flagged, never rejected). Who registered the worker, when and from what is
    the row's ``provenance`` (actor, at, source), shared by every worker of one bulk import: a row
    holds what differs from person to person. Narrow rows are what keeps a bulk import's writes cheap
    (on SQLite the page cache then holds the NIK index's pages instead of spilling them; measured on
    1.000.000 rows: workers and enrolments inserted and committed in 3,9 s instead of 6,5 s).

    ``domicile_code`` (a desa in ``regions``) and ``occupation_code`` (in ``occupations``) carry no
    foreign key and no index, on purpose: both reference tables are loaded by migrations and never
    changed by the application, every writer checks the code against them before it writes (the
    workers service by looking the row up, the bulk import against the regions table and the
    catalogue the occupations table is loaded from), and no query looks workers up by either code.
    ``provenance_id`` has none either: every writer inserts the provenance in the same transaction
    just before the rows, and nothing deletes provenances.
    On PostgreSQL each foreign key is a trigger call per inserted row (measured: the two cost 1,5 s
    of a 250.000-row import, the two indexes another 0,7 s). The unique NIK index is compared byte
    for byte (``byte_ordered_string``). Sex is checked with ``=``/``OR``, which SQLite evaluates
    much faster than ``IN (…)``.
    """

    __tablename__ = "workers"
    __table_args__ = (
        CheckConstraint("sex = 'L' OR sex = 'P'", name="sex"),
        CheckConstraint("declared_income >= 0", name="declared_income"),
        CheckConstraint("length(nik) = 16", name="nik_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nik: Mapped[str] = mapped_column(byte_ordered_string(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reason: Mapped[str | None] = mapped_column(String(64))
    domicile_code: Mapped[str] = mapped_column(String(13))  # regions.code (a desa)
    occupation_code: Mapped[str] = mapped_column(String(32))  # occupations.code
    declared_income: Mapped[int] = mapped_column(BigInteger)
    phone: Mapped[str | None] = mapped_column(String(20))
    provenance_id: Mapped[int] = mapped_column(Integer)  # provenances.id

    heirs: Mapped[list[Heir]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", order_by="Heir.position")
    provenance: Mapped[Provenance] = relationship(
        primaryjoin=lambda: foreign(Worker.provenance_id) == Provenance.id, viewonly=True)

    @property
    def nik_province_code(self) -> str:
        return nik_region_codes(self.nik)[0]

    @property
    def nik_regency_code(self) -> str:
        return nik_region_codes(self.nik)[1]

    @property
    def nik_district_code(self) -> str:
        return nik_region_codes(self.nik)[2]


def nik_region_codes(nik: str) -> tuple[str, str, str]:
    """The province, regency and district codes (dotted, as in ``regions``) a NIK's first six
    digits name: the region where it was first issued."""
    return nik[:2], f"{nik[:2]}.{nik[2:4]}", f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}"


class Heir(Base):
    """An heir as declared at registration. ``relationship_code`` is one of the heirs.priority codes."""

    __tablename__ = "heirs"
    __table_args__ = (Index("ix_heirs_worker_id", "worker_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(Integer, ForeignKey("workers.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(200))
    relationship_code: Mapped[str] = mapped_column(String(32))
    nik: Mapped[str | None] = mapped_column(String(16))

    worker: Mapped[Worker] = relationship(back_populates="heirs")

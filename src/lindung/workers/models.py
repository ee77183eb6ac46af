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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lindung.kit.db import Base, UtcDateTime, byte_ordered_string


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

    ``nik_*`` are the codes the NIK encodes (region of first registration); ``needs_review`` is set
    when the NIK's kecamatan is not in the region list (regions split: flagged, never rejected).

    ``domicile_code`` (a desa in ``regions``) and ``occupation_code`` (in ``occupations``) carry no
    foreign key and no index, on purpose: both reference tables are loaded by migrations and never
    changed by the application, every writer checks the code against them before it writes (the
    workers service by looking the row up, the bulk import against the regions table and the
    catalogue the occupations table is loaded from), and no query looks workers up by either code.
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
    nik_province_code: Mapped[str] = mapped_column(String(2))
    nik_regency_code: Mapped[str] = mapped_column(String(5))
    nik_district_code: Mapped[str] = mapped_column(String(8))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reason: Mapped[str | None] = mapped_column(String(64))
    domicile_code: Mapped[str] = mapped_column(String(13))  # regions.code (a desa)
    occupation_code: Mapped[str] = mapped_column(String(32))  # occupations.code
    declared_income: Mapped[int] = mapped_column(BigInteger)
    phone: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    heirs: Mapped[list[Heir]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", order_by="Heir.position")


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

"""Coverage targets: how many workers a region means to cover in a year, against which the dashboard
counts (``lindung.summary`` holds the counts).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base, UtcDateTime


class CoverageTarget(Base):
    """How many workers a region (a regency, kecamatan or desa) means to cover in a year, of one
    occupation or of all (``occupation_code`` None). Entered by an administrator or loaded from CSV;
    a target set again replaces the earlier figure (the audit log keeps both)."""

    __tablename__ = "coverage_targets"
    __table_args__ = (
        UniqueConstraint("year", "region_code", "occupation_key", name="one_per_region_occupation_year"),
        CheckConstraint("workers > 0", name="workers"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    region_code: Mapped[str] = mapped_column(String(13), ForeignKey("regions.code"))
    occupation_code: Mapped[str | None] = mapped_column(String(32), ForeignKey("occupations.code"))
    occupation_key: Mapped[str] = mapped_column(String(32))
    """``occupation_code`` or ``*`` for all occupations (a unique key cannot hold NULLs alike on both engines)."""
    workers: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

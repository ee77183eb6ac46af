"""The dashboard's summary tables: counts per month and agreement that do not grow with the registry.

``insight_cells`` holds, per month and agreement, the workers counted in each combination of desa of
domicile, occupation (the enrolment's), sex and age band (age on the month's first day): how many were
enrolled (an active enrolment covering the month), protected (its paid live contribution line for the
month), newly enrolled (the enrolment's first month), and protected that month but not the next
(``stops``). ``insight_months`` sums the same per month, agreement and desa, for the month-by-month
series. The services that change these figures keep both current, set-based (``lindung.summary.cells``);
``lindung summary check`` rebuilds them from scratch and compares. Their size follows the catalogues
(desa × occupation × sex × age band per agreement and month), not the registry.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base


class InsightCell(Base):
    """Workers of one agreement in one month, in one desa, occupation, sex and age band (age on the
    month's first day)."""

    __tablename__ = "insight_cells"
    __table_args__ = (
        Index("ix_insight_cells_month_desa", "month", "desa_code"),
    )

    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    agreement_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    desa_code: Mapped[str] = mapped_column(String(13), primary_key=True)
    occupation_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    sex: Mapped[str] = mapped_column(String(1), primary_key=True)
    age_band: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    sponsor_id: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer)
    protected: Mapped[int] = mapped_column(Integer)
    started: Mapped[int] = mapped_column(Integer)
    stops: Mapped[int] = mapped_column(Integer)


class InsightMonth(Base):
    """``insight_cells`` summed per month, agreement and desa (the series of the dashboard)."""

    __tablename__ = "insight_months"
    __table_args__ = (
        Index("ix_insight_months_month", "month"),
    )

    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    agreement_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    desa_code: Mapped[str] = mapped_column(String(13), primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer)
    protected: Mapped[int] = mapped_column(Integer)
    started: Mapped[int] = mapped_column(Integer)
    stops: Mapped[int] = mapped_column(Integer)

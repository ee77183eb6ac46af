"""The dashboard's summary table: counts per month, sponsor and desa that do not grow with the registry.

``insight_facets`` holds, per month, sponsor and desa of domicile, the workers counted in total
(facet ``all``) and by each facet on its own — occupation (the enrolment's), sex, age band (age on the
month's first day): how many were enrolled (an active enrolment covering the month), protected (its
paid live contribution line for the month), newly enrolled (the enrolment's first month), and
protected that month but not the next (``stops``). Every figure of the dashboard is a sum of these rows
under a region (a desa code prefix) and a sponsor. The services that change the figures keep it
current, set-based (``lindung.summary.cells``); ``lindung summary check`` counts from scratch and
compares. Its size follows the catalogues (desa × (1 + occupations + sexes + age bands) per sponsor and
month: about 7.000 rows per sponsor and month for Kabupaten Bekasi), not the registry.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base


class InsightFacet(Base):
    """Workers of one sponsor in one month and desa: all of them (``facet`` ``all``, ``value`` empty), or
    those of one occupation (``occupation``, its code), one sex (``sex``, L or P) or one age band
    (``age``, the band's number: ``cells.AGE_BANDS``)."""

    __tablename__ = "insight_facets"

    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    facet: Mapped[str] = mapped_column(String(10), primary_key=True)
    desa_code: Mapped[str] = mapped_column(String(13), primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    enrolled: Mapped[int] = mapped_column(Integer)
    protected: Mapped[int] = mapped_column(Integer)
    started: Mapped[int] = mapped_column(Integer)
    stops: Mapped[int] = mapped_column(Integer)

"""SQL for regions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from lindung.regions.models import Region


def get(session: Session, code: str) -> Region | None:
    return session.get(Region, code)


def count_by_level(session: Session) -> dict[int, int]:
    rows = session.execute(select(Region.level, func.count()).group_by(Region.level)).all()
    return {int(level): int(n) for level, n in rows}


def decrees(session: Session) -> list[str]:
    return list(session.scalars(select(Region.decree).distinct().order_by(Region.decree)))


def villages_under(session: Session, code: str, limit: int | None = None) -> list[Region]:
    """Desa/kelurahan inside ``code`` (any level), by code."""
    stmt = (select(Region).where(Region.level == 4, Region.code.like(f"{code}.%"))
            .order_by(Region.code))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def children(session: Session, code: str) -> list[Region]:
    return list(session.scalars(select(Region).where(Region.parent_code == code).order_by(Region.code)))


def name_rows(session: Session) -> list[tuple[str, str, int, str]]:
    """(code, name, level, kind) of every kabupaten/kota, kecamatan and desa/kelurahan: what
    ``regions.names.DesaNames`` is built from (one read of ~91.000 rows)."""
    listed = session.execute(text("SELECT code, name, level, kind FROM regions WHERE level >= 2"))
    return [(code, name, level, kind) for code, name, level, kind in listed]



def fingerprint(session: Session) -> tuple[int, str, int]:
    """What changes when the region list does (its rows, last code, the length of all names): one
    scan, a few milliseconds, instead of reading every name again."""
    count, last, length = session.execute(
        select(func.count(), func.max(Region.code), func.coalesce(func.sum(func.length(Region.name)), 0))).one()
    return int(count), str(last or ""), int(length)


def postal_codes(session: Session, codes: Sequence[str]) -> dict[str, str | None]:
    """code -> postal code of each of these regions that is in the list."""
    if not codes:
        return {}
    return {str(code): postal for code, postal in
            session.execute(select(Region.code, Region.postal_code).where(Region.code.in_(list(codes))))}

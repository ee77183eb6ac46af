"""The Kemendagri region list (province → regency → kecamatan → desa/kelurahan), as loaded."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base

LEVEL_PROVINCE, LEVEL_REGENCY, LEVEL_DISTRICT, LEVEL_VILLAGE = 1, 2, 3, 4


class Region(Base):
    """One region. ``code`` is the dotted Kemendagri code (32.16.01.2001); ``decree`` the list it
    comes from (Kepmendagri 300.2.2-2138/2025). Loaded once, set-based, by a migration."""

    __tablename__ = "regions"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level"),
        Index("ix_regions_parent_code", "parent_code"),
    )

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(16))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    parent_code: Mapped[str | None] = mapped_column(String(13), ForeignKey("regions.code"))
    decree: Mapped[str] = mapped_column(String(64))

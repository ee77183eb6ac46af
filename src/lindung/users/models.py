"""The people who use Lindung: branch officers and supervisors, administrators, a sponsor's staff
(bound to that sponsor) and a region's viewers (bound to that region, aggregates only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lindung.kit.db import Base, UtcDateTime

USERNAME_MAX = 64


class User(Base):
    """One person. ``username`` is their name at the terminal and in every record they leave: lower
    case, unique, never renamed (a different person is another user), so that the name recorded
    beside a user's id keeps naming them. Nobody is deleted: a user who leaves is disabled."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("sponsor_id IS NULL OR region_code IS NULL", name="one_scope"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    sponsor_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("sponsors.id"))
    region_code: Mapped[str | None] = mapped_column(String(13), ForeignKey("regions.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    """Who added the user; None for the first administrator of a database."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

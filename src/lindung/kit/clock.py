"""The branch's clock: which day it is and what time a record shows, in the branch's own zone.

Timestamps are stored in UTC (``kit.db.UtcDateTime``); people read them in their zone — WIB in
Cikarang, WITA in Makassar, WIT in Jayapura — and "today" (the default date of a payment, the
reference for a registration, the month an import starts) is the branch's day, not the server's:
a server that runs in UTC would otherwise record a payment made at 06:30 WIB on the 16th as paid on
the 15th. The zone is ``LINDUNG_TIMEZONE``: an IANA name (``Asia/Makassar``) or WIB/WITA/WIT, default
``Asia/Jakarta``. Zones come from the system's database or the ``tzdata`` package.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lindung.kit.errors import LindungError
from lindung.kit.i18n import format_date

ENV_ZONE = "LINDUNG_TIMEZONE"
DEFAULT_ZONE = "Asia/Jakarta"
SHORT_NAMES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura", "UTC": "UTC"}
"""Indonesia's three zones by the names people use for them."""


class InvalidTimezone(LindungError):
    """``LINDUNG_TIMEZONE`` names no zone."""

    code = "config.timezone"
    exit_code = 2


def zone() -> ZoneInfo:
    """The branch's zone (read each time: a setting, not a constant)."""
    given = os.environ.get(ENV_ZONE, "").strip()
    name = SHORT_NAMES.get(given.upper(), given) if given else DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidTimezone(value=given, variable=ENV_ZONE) from error


def now() -> dt.datetime:
    """This moment in the branch's zone (timezone-aware)."""
    return dt.datetime.now(zone())


def today() -> dt.date:
    """The branch's date now."""
    return now().date()


def local(at: dt.datetime) -> dt.datetime:
    """A stored (aware) timestamp in the branch's zone; a naive one is taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(zone())


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the branch's zone, in UTC (for filters on stored times)."""
    return dt.datetime.combine(day, dt.time(), zone()).astimezone(dt.UTC)


def format_time(at: dt.datetime, lang: str = "id") -> str:
    """'10 Januari 2026 15:15 WIB' ('10 January 2026 15:15 WIB')."""
    shown = local(at)
    return f"{format_date(shown.date(), lang)} {shown:%H:%M} {shown.tzname()}"


def format_stamp(at: dt.datetime) -> str:
    """'2026-01-10 15:15:02 WIB': the compact form for tables."""
    shown = local(at)
    return f"{shown:%Y-%m-%d %H:%M:%S} {shown.tzname()}"

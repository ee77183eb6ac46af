"""Parsing dates at the edge (forms, files, CLI): YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY."""

from __future__ import annotations

import datetime as dt
import re

from lindung.kit.errors import InvalidInput

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")


def try_parse_date(text: str) -> dt.date | None:
    """The date, or None when the text is not one of the accepted forms or not a real date."""
    s = str(text).strip()
    m = _ISO.match(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _DMY.match(s)
        if not m:
            return None
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def parse_date(text: str, field: str = "date") -> dt.date:
    """Like ``try_parse_date`` but raises InvalidInput naming the field."""
    day = try_parse_date(text)
    if day is None:
        raise InvalidInput("date", text, field_name=field)
    return day

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


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_FIRST_TRUE = 61
"""Excel's serial 61 is 1 March 1900; below it Excel counts a 29 February 1900 that never was."""


def excel_serial_day(text: str) -> str | None:
    """A spreadsheet's date serial ('36734', a date cell whose date format was lost) as YYYY-MM-DD, or
    None when the text is no whole serial from 1 March 1900 to 9999."""
    s = str(text).strip()
    if not (s.isascii() and s.isdigit()) or len(s) > 7:
        return None
    n = int(s)
    if n < _EXCEL_FIRST_TRUE:
        return None
    try:
        return (_EXCEL_EPOCH + dt.timedelta(days=n)).isoformat()
    except OverflowError:
        return None

"""The ``Month`` type: contribution and coverage periods (2026-11)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lindung.rules.errors import InvalidInput

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise InvalidInput("month", f"{self.year}-{self.month:02d}")
        if not 1 <= self.year <= 9999:
            raise InvalidInput("month", f"{self.year}-{self.month:02d}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-05' -> Month(2026, 5). Anything else raises InvalidInput('month')."""
        m = _MONTH.match(str(text))
        if not m:
            raise InvalidInput("month", text)
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Month:
        """Inverse of ``index``."""
        y, m = divmod(index, 12)
        return cls(y, m + 1)

    @property
    def index(self) -> int:
        """Months since year 0: a plain integer that databases can compare and subtract."""
        return self.year * 12 + self.month - 1

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        return (self + 1).first_day() - dt.timedelta(days=1)

    def day(self, day: int) -> dt.date:
        return dt.date(self.year, self.month, day)

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, other: int) -> Month:
        return Month.from_index(self.index - other)

    def months_until(self, other: Month) -> int:
        """other - self in months (negative when other is earlier)."""
        return other.index - self.index

    def span(self, count: int) -> list[Month]:
        """``count`` consecutive months starting here."""
        return [self + i for i in range(count)]

    # All four written out (not functools.total_ordering, whose derived ones cost three calls each):
    # the coverage rules compare months in their inner loop.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.month) < (other.year, other.month)

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.month) <= (other.year, other.month)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.month) > (other.year, other.month)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.month) >= (other.year, other.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

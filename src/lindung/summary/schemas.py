"""What the summary's check gives (the CLI's ``--json``)."""

from __future__ import annotations

from lindung.kit.schemas import Schema


class SummaryDifference(Schema):
    month: int
    """``Month.index``"""
    facet: str
    desa: str
    sponsor_id: int
    value: str
    stored: list[int] | None
    """enrolled, protected, started, stops as kept; None: no row kept"""
    counted: list[int] | None
    """the same counted from scratch; None: no row should be there"""


class SummaryCheck(Schema):
    differences: int
    repaired: bool
    rows: list[SummaryDifference]
    """the first differences found"""

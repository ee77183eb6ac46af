"""What the reports give (the CLI's ``--json``; the API's bodies)."""

from __future__ import annotations

from lindung.kit.schemas import MonthText, Schema


class EnrolledCount(Schema):
    """Workers enrolled in one kecamatan and occupation. ``workers`` is None when fewer than
    ``SMALL_COUNT`` were counted and the reader may not see people (a regional viewer): no person can
    be singled out of a small kecamatan."""

    kecamatan: str
    kecamatan_name: str | None
    occupation: str
    workers: int | None


class EnrolledSummary(Schema):
    """Workers enrolled under an agreement in force for ``month``, in ``region`` (or everywhere), by
    kecamatan of domicile and occupation."""

    month: MonthText
    region: str | None
    total: int | None
    """All of them; None under the small-count rule, as a row's count."""
    rows: list[EnrolledCount]
    suppressed_below: int | None
    """The small-count threshold applied (None: counts shown as they are)."""

"""What a sponsor's impact report gives (``insight.impact``): figures only, never a name or a NIK."""

from __future__ import annotations

import datetime as dt

from lindung.kit.schemas import MonthText, Schema


class Count(Schema):
    """Workers counted under one label: an occupation's code, a region's code with its name, a sex."""

    code: str
    name: str | None = None
    workers: int


class MonthFigures(Schema):
    """One month of the period: workers protected (a paid live contribution line of that month) and
    rupiah paid (payments whose ``paid_on`` falls in that month)."""

    month: MonthText
    workers: int
    paid: int


class ClaimsHelped(Schema):
    """Claims of the sponsor's agreements paid in the period (their ``claim_payments.paid_on``)."""

    claims: int
    families: int
    """Distinct workers whose families those claims paid."""
    paid: int
    scholarship_children: int
    """Children a scholarship was granted for by those claims."""
    scholarship_this_year: int
    """The scholarships those claims decided for their first school year, in rupiah."""
    by_type: list[Count]
    """Claims by type (``code``: jkm, jkk-…; ``workers``: the number of claims)."""


class TargetShare(Schema):
    """A coverage target (``coverage_targets``) of a region the sponsor's workers live in, and how many
    of the workers it counts the sponsor protected in the period."""

    region: str
    region_name: str | None
    occupation: str | None
    target: int
    sponsor_workers: int


class Impact(Schema):
    """A sponsor's impact over a period (whole months, ``first`` .. ``last``)."""

    sponsor: str
    sponsor_name: str
    first: MonthText
    last: MonthText
    at: MonthText
    """The month "now" means: this month, or the period's last when the period is over."""
    generated_on: dt.date
    agreements: list[str]
    workers_protected: int
    by_occupation: list[Count]
    by_kecamatan: list[Count]
    by_desa: list[Count]
    by_sex: list[Count]
    worker_months: int
    paid: int
    """Rupiah of the payments recorded for the sponsor's agreements with ``paid_on`` in the period."""
    budget: int
    cost_per_worker_month: int | None
    """``paid`` ÷ ``worker_months``, whole rupiah half up; None without a worker-month."""
    quota: int
    enrolled_now: int
    protected_now: int
    claims: ClaimsHelped
    targets: list[TargetShare]
    months: list[MonthFigures]

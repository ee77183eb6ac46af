"""What the dashboard gives (the page, its CSV files, ``lindung report dashboard --json``, the API).

A count is ``None`` where it was withheld: a regional viewer never receives a count under
``service.SMALL_COUNT`` (shown "<5"), nor an amount of money summed over fewer people."""

from __future__ import annotations

import datetime as dt

from lindung.kit.schemas import MonthText, Schema


class Figures(Schema):
    """Workers of a group in the dashboard's month: enrolled, protected (the month paid), new (their
    enrolment's first month), and protected this month with next month not paid yet (``ending``: their
    protection ends with the month unless it is)."""

    key: str
    """The group: a region code, an occupation code, L/P, an age band's number, a sponsor code."""
    name: str | None = None
    """A region's or sponsor's name (codes of the catalogues are labelled by the reader)."""
    enrolled: int | None
    protected: int | None
    new: int | None
    ending: int | None
    target: int | None = None
    """The year's coverage target for the group, where one is set."""


class TargetProgress(Schema):
    year: int
    region: str
    region_name: str | None
    occupation: str | None
    """None: every occupation"""
    target: int
    protected: int | None
    percent: float | None
    """protected ÷ target × 100, one decimal"""


class MonthFigures(Schema):
    month: MonthText
    enrolled: int | None
    protected: int | None
    new: int | None
    lapsed: int | None
    """Protected the month before and not this month, counted once this month's arrears window has closed;
    None before that (or withheld)."""
    final: bool
    """Whether ``lapsed`` is final (the month's arrears window has closed)."""


class AgreementUse(Schema):
    agreement: str
    sponsor: str
    sponsor_name: str
    status: str
    quota: int
    enrolled: int
    budget: int
    committed: int
    billed: int
    paid: int


class BillState(Schema):
    state: str
    """paid, partly_paid, open (not yet due), overdue"""
    bills: int
    amount: int
    outstanding: int


class ClaimType(Schema):
    type: str
    claims: int | None
    in_progress: int | None
    paid: int | None
    amount_paid: int | None


class ClaimMonth(Schema):
    month: MonthText
    paid: int | None
    amount: int | None


class ClaimTimes(Schema):
    """Days from complete documents to payment, of the claims paid in the last 12 months."""

    claims: int | None
    median_days: float | None
    p90_days: float | None


class Dashboard(Schema):
    today: dt.date
    month: MonthText
    region: str | None
    region_name: str | None
    sponsor: str | None
    sponsor_name: str | None
    withheld_below: int | None
    """The small-count threshold applied (None: every count shown)."""
    total: Figures
    targets: list[TargetProgress]
    by_kecamatan: list[Figures]
    by_desa: list[Figures]
    by_occupation: list[Figures]
    by_sponsor: list[Figures]
    by_sex: list[Figures]
    by_age: list[Figures]
    months: list[MonthFigures]
    agreements: list[AgreementUse]
    bills: list[BillState] | None
    """None for a regional viewer (bills are a sponsor's, not a region's)."""
    arrears: int | None
    claims: list[ClaimType]
    claims_paid: list[ClaimMonth]
    claim_times: ClaimTimes


class TargetSet(Schema):
    """A coverage target as a person gives it: the region by code, the occupation by code, label or alias
    (None or ``*``: every occupation)."""

    year: int
    region: str
    occupation: str | None = None
    workers: int


class TargetRead(Schema):
    year: int
    region: str
    region_name: str | None
    occupation: str | None
    workers: int


class TargetLoad(Schema):
    saved: int
    targets: list[TargetRead]

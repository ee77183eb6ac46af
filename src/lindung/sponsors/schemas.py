"""What the sponsor and agreement use cases take and give: the CLI's ``--json`` prints these, the API
will serve them. Money is an int of rupiah; months are ``YYYY-MM`` text; times are UTC."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from lindung.kit.schemas import MonthText
from lindung.kit.schemas import Schema as _Schema

DEFAULT_AFTER_DEATH = "credit"
"""Money paid for months after a worker's death stays with the sponsor as credit unless the agreement
says refund."""


# --- sponsors ---------------------------------------------------------------------------------


class SponsorCreate(_Schema):
    code: str
    name: str
    funding: str
    type: str | None = None
    """Default: the funding source's usual kind of sponsor."""


class SponsorUpdate(_Schema):
    """A correction; None keeps a field as it is."""

    name: str | None = None
    funding: str | None = None
    type: str | None = None


class SponsorRead(_Schema):
    code: str
    name: str
    type: str
    funding: str
    created_by: str
    created_at: dt.datetime


class SponsorUpdated(SponsorRead):
    changed: list[str]


class SponsorTotals(_Schema):
    """Quota, places taken, budget and rupiah committed over the sponsor's open (approved or active)
    agreements."""

    open_agreements: int
    quota: int
    enrolled: int
    budget: int
    committed: int


# --- agreements -------------------------------------------------------------------------------


class AgreementCreate(_Schema):
    code: str
    sponsor: str
    quota: int
    budget: int
    start: MonthText
    months: int
    income: int | None = None
    jht: bool = False
    funding: str | None = None
    billing_cycle: int | None = None
    after_death: str = DEFAULT_AFTER_DEATH
    target_occupations: tuple[str, ...] = ()
    target_regions: tuple[str, ...] = ()


class AgreementChanges(_Schema):
    """What ``agreement edit`` changes in a draft; None keeps the field as it is. The target lists,
    when given, replace the agreement's (empty: no target)."""

    sponsor: str | None = None
    quota: int | None = None
    budget: int | None = None
    start: MonthText | None = None
    months: int | None = None
    income: int | None = None
    lowest_income: bool = False
    """Back to no declared income: the package of the lowest bracket, as ``agreement add`` without --income."""
    jht: bool | None = None
    funding: str | None = None
    billing_cycle: int | None = None
    after_death: str | None = None
    target_occupations: tuple[str, ...] | None = None
    target_regions: tuple[str, ...] | None = None
    version: int | None = None
    """The draft's version the editor read (``agreement show``): the edit is refused when the draft has
    changed since. None: whatever the draft is now."""


class SponsorRef(_Schema):
    code: str
    name: str


class Package(_Schema):
    income: int | None
    base: int
    bracket: int | None
    jht: bool
    billing_cycle_months: int
    after_death: str


class Targets(_Schema):
    occupations: list[str]
    regions: list[str]


class EstimateRead(_Schema):
    list_price: int
    monthly_list_price: int | None
    """The list price per worker-month when it is the same every month."""
    expected: int
    budget_shortfall: int
    """What the budget lacks to cover the whole quota for the whole period at the expected price (0
    when it suffices): enrolments stop when the budget is spent."""


class Use(_Schema):
    enrolled: int
    quota_left: int
    committed: int
    budget_left: int


class AmendmentRead(_Schema):
    id: int | None
    """None for a draft's edit (no amendment: the change is made at once)."""
    agreement: str
    reference: str | None
    quota_before: int
    quota_after: int
    budget_before: int
    budget_after: int
    estimate_list_price_after: int
    estimate_expected_after: int
    status: str
    """``applied`` (a draft's edit), ``proposed``, ``approved`` or ``rejected``."""
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str | None = None
    decided_at: dt.datetime | None = None


class FieldChange(_Schema):
    field: str
    before: str
    after: str


class DraftEdit(_Schema):
    """A change of a draft after it was drafted: who, when, what (from the audit log)."""

    by: str
    at: dt.datetime
    changes: list[FieldChange]
    text: str | None = None
    """An entry's English text where it is not in field-by-field form (written before 6 December 2026)."""


class Withdrawal(_Schema):
    by: str
    at: dt.datetime
    reason: str


class AgreementRead(_Schema):
    code: str
    sponsor: SponsorRef
    funding: str
    status: str
    quota: int
    budget: int
    start: str
    end: str
    months: int
    package: Package
    targets: Targets
    estimate: EstimateRead
    use: Use
    drafted_by: str
    drafted_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    amendments: list[AmendmentRead]


class AgreementDetail(AgreementRead):
    """An agreement with what the audit log tells of its draft."""

    version: int
    """1 as drafted, one more for each change: what ``agreement approve --version`` names."""
    edits: list[DraftEdit]
    withdrawn: Withdrawal | None


class AgreementEdited(AgreementDetail):
    changed: list[str]


class SponsorDetail(SponsorRead):
    agreements: list[AgreementRead]
    totals: SponsorTotals
    amendments_pending: list[str] = Field(default_factory=list)
    """Codes of its agreements with an addendum waiting for a second person."""

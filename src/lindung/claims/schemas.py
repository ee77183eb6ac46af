"""What the claim use cases take and give: ``lindung claim … --json`` and ``lindung accident … --json``
print these, the API will serve them, the decision letter is drawn from ``ClaimView``. Money is an int
of rupiah; dates are ISO dates; NIKs are masked unless the reader may see them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import Field

from lindung.kit.schemas import Schema

# --- what a user gives ----------------------------------------------------------------------------


class ChildInput(Schema):
    """A child declared for a scholarship: ``level`` a tier code (tk, sd, smp, sma, pt) or ``belum``,
    ``year`` within the level; born (for the age limit), married and working as declared."""

    name: str
    level: str
    year: int = 1
    born: dt.date | None = None
    married: bool = False
    working: bool = False


class Account(Schema):
    bank: str
    number: str
    holder: str


class Claimant(Schema):
    """Who claims (an heir, the worker, a facility): name, relationship (a heirs.priority code, or
    ``self``, ``facility``, ``funeral_organiser``), NIK."""

    name: str
    relationship: str
    nik: str | None = None


class ClaimRequest(Schema):
    """A new claim (``lindung claim new``)."""

    nik: str
    type: str
    event_date: dt.date
    accident: int | None = None
    percent: Decimal | None = None
    function_loss: Decimal | None = None
    assessed_by: str | None = None
    months: int | None = None
    care: str | None = None
    """jkk-care: transport (with ``mode``), medical, home_care (with ``months``), prosthesis, dentures,
    hearing_aid, glasses."""
    mode: str | None = None
    amount: int | None = None
    children: list[ChildInput] = Field(default_factory=list)
    claimant: Claimant | None = None
    account: Account | None = None
    reopens: str | None = None
    """The number of the rejected claim this one reopens."""


class AccidentReport(Schema):
    """A stage I report (``lindung accident report``)."""

    nik: str
    occurred_on: dt.date
    occurred_time: dt.time | None = None
    place: str
    what: str
    reporter: str = "other"
    """worker, sponsor (the sponsor or its group), family, other."""
    reported_by: str
    reported_at: dt.datetime | None = None
    """When the report was received; None: now."""


class AccidentOutcome(Schema):
    """A stage II report (``lindung accident outcome``)."""

    outcome: str
    on: dt.date | None = None
    percent: Decimal | None = None
    function_loss: Decimal | None = None
    assessed_by: str | None = None


# --- what a user gets -----------------------------------------------------------------------------


class AccidentView(Schema):
    id: int
    nik: str
    name: str
    occurred_on: dt.date
    occurred_time: dt.time | None
    place: str
    what: str | None
    """None for a reader who may not see what happened (a sponsor's staff)."""
    reporter: str
    reported_by: str
    reported_at: dt.datetime
    late: bool
    deadline_hours: int
    outcome: str | None
    outcome_on: dt.date | None
    percent: Decimal | None
    function_loss: Decimal | None
    assessed_by: str | None
    claims: list[str]


class ComponentView(Schema):
    code: str
    amount: int
    arithmetic: str
    reference: str
    verified: bool = True


class ChildScholarshipView(Schema):
    name: str
    level: str
    year: int
    eligible: bool
    reason: str | None
    this_year: int
    projected: int
    years_paid: int = 0
    """School years already paid to this child by earlier scholarship claims."""


class DocumentView(Schema):
    code: str
    required: bool
    received: bool
    files: int = 0
    received_at: dt.datetime | None = None
    received_by: str | None = None


class Payee(Schema):
    name: str | None
    relationship: str | None
    nik: str | None
    """Masked unless the reader may see full NIKs."""
    note: str | None = None
    account_bank: str | None = None
    account_number: str | None = None
    """Masked (the last four digits) on every view; the full number only goes onto the payment."""
    account_holder: str | None = None


class Step(Schema):
    status: str
    by: str
    at: dt.datetime
    note: str | None = None


class PaymentView(Schema):
    reference: str
    paid_on: dt.date
    amount: int
    account_bank: str | None
    account_number: str | None
    account_holder: str | None
    by: str


class ClaimView(Schema):
    """A claim as ``lindung claim show --json`` prints it and the letter draws it."""

    number: str
    type: str
    status: str
    nik: str
    name: str
    sponsor: str | None
    agreement: str | None
    accident: int | None
    reopens: str | None
    event_date: dt.date
    eligible: bool
    reason: str | None
    """A message code, when not eligible (coverage.*, scholarship.*)."""
    reason_reference: str | None = None
    total: int
    """Whole-rupiah cash payable; scholarships excluded (a scholarship claim: that school year's payment)."""
    base: int | None = None
    contribution_months: int | None = None
    components: list[ComponentView]
    scholarship_this_year: int
    scholarship_projected: int
    children: list[ChildScholarshipView] = Field(default_factory=list)
    documents: list[DocumentView]
    payee: Payee
    history: list[Step]
    rejected_reason: str | None = None
    rejected_note: str | None = None
    payment: PaymentView | None = None
    entered_by: str
    approved_by: str | None = None
    approved_at: dt.datetime | None = None
    complete_on: dt.date | None = None
    """The day the last required document was received (the JKM service level counts from it)."""
    due_on: dt.date | None = None
    """The service level's last day (JKM: payment; JKK: decision), None when it does not apply."""
    overdue: bool = False
    inputs: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class ClaimRow(Schema):
    """One line of ``lindung claim list``."""

    number: str
    type: str
    status: str
    nik: str
    name: str
    sponsor: str | None
    event_date: dt.date
    eligible: bool
    claim_total: int
    entered_at: dt.datetime
    due_on: dt.date | None
    overdue: bool
    days_over: int | None


class AccidentRow(Schema):
    """One line of the accidents list (no description of what happened: the accident's own page says it)."""

    id: int
    nik: str
    name: str
    occurred_on: dt.date
    place: str
    late: bool
    outcome: str | None


class ClaimTypeTotal(Schema):
    """A sponsor's workers' claims of one type (the statement's claims part: no medical details)."""

    sponsor: str
    type: str
    claims: int
    decided: int
    decided_amount: int
    paid: int
    paid_amount: int

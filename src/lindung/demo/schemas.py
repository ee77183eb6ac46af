"""What the demo gives: what it added, and the tour's facts (the CLI's ``--json`` prints these, with the
commands to try next that the CLI adds). Money is an int of rupiah; months are ``YYYY-MM`` text; dates
ISO dates in JSON."""

from __future__ import annotations

import datetime as dt

from lindung.kit.schemas import Schema
from lindung.sponsors.schemas import AgreementRead


class Added(Schema):
    """What a run loaded (all zero when everything was there already)."""

    users: int = 0
    sponsors: int = 0
    agreements: int = 0
    workers: int = 0
    enrolments: int = 0


class BillingAdded(Schema):
    """What a run added to the demo's billing: bills, their worker-months, payments, deaths."""

    bills: int = 0
    worker_months: int = 0
    payments: int = 0
    deaths: int = 0


class ClaimsAdded(Schema):
    """What a run added of the demo's claims: accidents reported, claims entered, documents received,
    claims paid."""

    accidents: int = 0
    claims: int = 0
    documents: int = 0
    payments: int = 0

    def __add__(self, other: ClaimsAdded) -> ClaimsAdded:
        return ClaimsAdded(**{k: v + getattr(other, k) for k, v in self.model_dump().items()})


class Regency(Schema):
    code: str
    name: str | None
    kecamatan: int
    desa: int


class Regions(Schema):
    decree: str
    by_level: dict[int, int]
    regency: Regency


class SampleWorker(Schema):
    nik: str
    """Masked."""
    name: str
    desa: str
    occupation: str
    agreement: str


class DemoUserRead(Schema):
    """One of the demo's users, as the tour lists them (the CLI names them with ``--by``)."""

    username: str
    role: str
    sponsor: str | None
    region: str | None
    active: bool


class PaymentView(Schema):
    reference: str
    receipt: str
    paid_on: dt.date
    amount: int
    late: bool
    """Paid after the bill's due date."""


class BillView(Schema):
    payment_code: str
    cycle: str
    """``2026-03``, or ``2026-01–2026-12`` for a cycle of several months."""
    first_month: str
    last_month: str
    seq: int
    issued_on: dt.date
    due_date: dt.date
    worker_months: int
    total: int
    settled: int
    cancelled: int
    unpaid: int
    unpaid_worker_months: int
    state: str
    """paid, partial or unpaid."""
    payments: list[PaymentView]


class LatePayment(Schema):
    cycle: str
    due_date: dt.date
    paid_on: dt.date
    receipt: str
    payment_code: str


class AgreementBilling(Schema):
    """One demo agreement's bills and money as the database has them."""

    code: str
    status: str
    cycle_months: int
    after_death: str
    left_to_user: bool
    """The agreement holds enrolments the demo did not make (a user's import): the demo no longer
    bills it nor records its payments."""
    bills: int
    bills_paid: int
    bills_partial: int
    bills_unpaid: int
    worker_months: int
    billed: int
    cancelled: int
    settled: int
    received: int
    payments: int
    credit: int
    refunds: int
    outstanding: int
    late_payments: list[LatePayment]
    shown: list[BillView]
    """A couple of payment codes worth looking at."""
    bill_list: list[BillView]


class DeathView(Schema):
    nik: str
    """Masked."""
    name: str
    agreement: str
    died_on: dt.date
    contribution_months: int
    """The masa iur on the day of death."""
    covered: bool
    policy: str
    """The agreement's ``after_death``: refund or credit."""
    refund: int
    """What the agreement's sponsor was refunded (the months paid after the death)."""
    credit: int
    """What became the sponsor's credit instead, under the credit policy."""


class Decision(Schema):
    at: dt.date
    protected: bool
    reason: str
    month: str
    paid_on: dt.date | None
    due: dt.date


class Occupation(Schema):
    code: str
    id: str
    en: str


class ArrearsMonth(Schema):
    month: str
    payable_until: dt.date


class WorkerView(Schema):
    """One farmer's coverage today, and at an event in the month paid late."""

    nik: str
    """Masked."""
    full_nik_synthetic: str
    """The whole NIK, synthetic: ``lindung coverage`` and ``worker show`` take only a NIK."""
    name: str
    occupation: Occupation
    agreement: str
    at: dt.date
    today: Decision
    protected_until: dt.date | None
    contribution_months: int
    membership_start: str | None
    arrears: list[ArrearsMonth]
    late_event: Decision | None


class BillingSummary(Schema):
    as_of: dt.date
    month: str
    agreements: list[AgreementBilling]
    death: DeathView | None
    worker: WorkerView | None
    first_receipt: str | None
    ending_days: int
    """Days for ``billing ending --days`` that reach someone's end of cover."""
    lapsing_days: int
    """Days for ``billing lapsing --days`` that reach the shown farmer's arrears deadline."""


class StoryAccident(Schema):
    """The accident of a JKK case, as ``accident show`` has it."""

    id: int
    occurred_on: dt.date
    place: str | None
    reporter: str
    reported_by: str
    reported_at: dt.datetime
    hours_to_report: int
    """Whole hours from the accident to its report."""
    deadline_hours: int
    late: bool


class StoryClaim(Schema):
    """One of the demo's claims, as ``claim show`` has it."""

    number: str
    type: str
    status: str
    nik: str
    """Masked."""
    name: str
    occupation: Occupation | None
    agreement: str | None
    event_date: dt.date
    total: int
    months: int | None
    """An STMB claim's months."""
    payee: str | None
    relationship: str | None
    """The payee's relationship code (heirs' ``spouse``…, or ``self``)."""
    account_bank: str | None
    entered_by: str
    approved_by: str | None
    paid_amount: int | None
    paid_on: dt.date | None
    reference: str | None
    documents_required: int
    documents_missing: list[str]
    """Codes of the required documents not received yet (``claims/catalogue.yaml``)."""
    due_on: dt.date | None
    overdue: bool
    accident: StoryAccident | None


class StoryClaims(Schema):
    """The demo's two claims: the paid JKM of the worker who died, the fisherman's JKK case in progress."""

    jkm: StoryClaim | None = None
    jkk: StoryClaim | None = None


class Tour(Schema):
    """What the demo shows: the data as the database has it now."""

    regions: Regions
    occupations: int
    sponsors: int
    workers: int
    agreements: list[AgreementRead]
    sample_workers: list[SampleWorker]
    kadin_monthly_list_price: int | None
    users: list[DemoUserRead]
    billing: BillingSummary
    import_open: bool
    """Whether the regency's farmers agreement still takes an import (the sample file)."""
    claims: StoryClaims


class DemoRun(Tour):
    """``lindung demo``: what it added and the tour."""

    database: str
    added: Added
    billing_added: BillingAdded
    claims_added: ClaimsAdded


class SampleFile(Schema):
    """The regency's follow-up list of farmers (``--sample-file``): the CSV's bytes and what is in it."""

    data: bytes
    rows: int
    good: int
    """Rows the import will enrol."""
    agreement: str

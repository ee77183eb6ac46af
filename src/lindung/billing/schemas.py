"""What the billing use cases take and give: the CLI's ``--json`` prints these (``lindung bill | pay |
coverage``, ``lindung billing show | receipt | death | leave | end-agreement``), the API will serve them,
and the CSV lists are written from the list rows. Money is an int of rupiah; months are ``YYYY-MM``
text; dates are ISO dates.

The fields are the JSON fields these commands wrote before they were models; what used to be worked
out when the JSON was written (``payable``, ``supplementary``, ``worker_months`` of a receipt …) is a
field the service fills, so that a result read back from JSON (a job's result) is the same model.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, ConfigDict, Field

from lindung.kit.numbers import rupiah_amount
from lindung.kit.schemas import MonthText
from lindung.kit.schemas import Schema as _Schema
from lindung.rules.period import Month
from lindung.sponsors.schemas import AgreementRead


class Cycle(_Schema):
    """A bill's cycle: its first and last month (``{"from": "2026-01", "to": "2026-12"}`` in JSON)."""

    model_config = ConfigDict(serialize_by_alias=True)

    start: MonthText = Field(validation_alias=AliasChoices("start", "from"), serialization_alias="from")
    end: MonthText = Field(validation_alias=AliasChoices("end", "to"), serialization_alias="to")

    @classmethod
    def of(cls, first: int, last: int) -> Cycle:
        """The cycle of month indexes ``first`` … ``last``."""
        return cls(start=Month.from_index(first), end=Month.from_index(last))


class SponsorRef(_Schema):
    code: str
    name: str


# --- the bill run ---------------------------------------------------------------------------------


BATCH_DEFAULT = 50
"""Agreements per unit of work of a bill run."""


class BillRunRequest(_Schema):
    """A bill run (``lindung bill``), as its job's parameters: every cycle due by ``month`` not yet
    (fully) billed, of one agreement or of all open ones, issued on ``issue_date``, ``batch``
    agreements per unit of work."""

    month: MonthText
    agreement: str | None = None
    """An agreement's code; None: every approved or active agreement."""
    issue_date: dt.date
    batch: int = Field(default=BATCH_DEFAULT, ge=1)


class IssuedBill(_Schema):
    payment_code: str
    agreement: str
    cycle: Cycle
    seq: int
    supplementary: bool
    """A later bill of a cycle already billed (a worker enrolled since): ``seq`` above 1."""
    due_date: dt.date
    worker_months: int
    total: int
    credit_applied: int = 0
    """The sponsor's credit that settled months of the bill when it was issued."""
    credit_months: int = 0
    payable: int
    """``total`` less ``credit_applied``."""

    @classmethod
    def of(cls, *, payment_code: str, agreement: str, cycle: Cycle, seq: int, due_date: dt.date,
           worker_months: int, total: int, credit_applied: int = 0, credit_months: int = 0) -> IssuedBill:
        return cls(payment_code=payment_code, agreement=agreement, cycle=cycle, seq=seq, supplementary=seq > 1,
                   due_date=due_date, worker_months=worker_months, total=total, credit_applied=credit_applied,
                   credit_months=credit_months, payable=total - credit_applied)


class BillRun(_Schema):
    """What a bill run issued (nothing when every cycle due was billed already)."""

    month: MonthText
    agreements: int = 0
    """Agreements looked at."""
    cycles_checked: int = 0
    bills_issued: int = 0
    worker_months: int = 0
    total: int = 0
    payable: int = 0
    bills: list[IssuedBill] = Field(default_factory=list)

    @classmethod
    def of(cls, month: Month, bills: list[IssuedBill], *, agreements: int = 0, cycles_checked: int = 0) -> BillRun:
        return cls(month=month, agreements=agreements, cycles_checked=cycles_checked, bills_issued=len(bills),
                   worker_months=sum(b.worker_months for b in bills), total=sum(b.total for b in bills),
                   payable=sum(b.payable for b in bills), bills=bills)

    def merge(self, other: BillRun) -> BillRun:
        """This run and ``other`` (the next batch) as one."""
        return BillRun.of(self.month, [*self.bills, *other.bills], agreements=self.agreements + other.agreements,
                          cycles_checked=self.cycles_checked + other.cycles_checked)


# --- payments and receipts ------------------------------------------------------------------------


def _amount(value: Any) -> int:
    """A whole positive number of rupiah, as ``lindung pay`` demands: never a float, a Decimal, a bool or
    a text (``InvalidInput`` ``invalid.amount``, not a validation error: the same refusal as the service's)."""
    return rupiah_amount(value, "amount", minimum=1)


class PaymentCreate(_Schema):
    """A payment received for a bill (``lindung pay``). The service checks each field: a payment code
    with its check digit, a whole positive number of rupiah, a bank reference not seen before."""

    code: str
    """The bill's payment code (spaces, dots and dashes allowed)."""
    amount: Annotated[int, BeforeValidator(_amount)]
    reference: str
    paid_on: dt.date | None = None
    """None: the day the payment is recorded."""


class AllocatedMonth(_Schema):
    month: MonthText
    worker_months: int
    amount: int


class BillLeft(_Schema):
    """What the bill still asks after a payment."""

    total: int
    unpaid_worker_months: int
    unpaid: int


class Receipt(_Schema):
    """Tanda bukti penerimaan iuran: what was received and which worker-months it settled."""

    receipt: str
    """Its number, ``TBPI/2026/000001``."""
    issued_on: dt.date
    paid_on: dt.date
    reference: str
    amount: int
    payment_code: str
    agreement: str
    sponsor: SponsorRef
    cycle: Cycle
    allocation: list[AllocatedMonth]
    worker_months: int
    allocated: int
    credit_before: int
    credit_used: int
    credit_added: int
    credit_after: int
    bill: BillLeft
    recorded_by: str


# --- a bill as it stands --------------------------------------------------------------------------


class BillPayment(_Schema):
    receipt: str
    reference: str
    amount: int
    paid_on: dt.date
    worker_months: int
    allocated: int


BillState = Literal["unpaid", "partly_paid", "paid", "cancelled"]
"""A bill as it stands: nothing settled yet, some worker-months settled and some still due, nothing
left due, or every worker-month voided before any was paid."""


BillFilter = Literal["unpaid", "partly_paid", "paid", "cancelled", "open"]
"""Bills in one state, or ``open``: unpaid or partly paid."""


def bill_state(total: int, settled: int, cancelled: int) -> BillState:
    if total - settled - cancelled > 0:
        return "partly_paid" if settled > 0 else "unpaid"
    return "paid" if settled > 0 else "cancelled"


class BillRow(_Schema):
    """A bill in a list of bills: as it stands, without its payments."""

    payment_code: str
    agreement: str
    sponsor: SponsorRef
    cycle: Cycle
    seq: int
    due_date: dt.date
    issued_on: dt.date
    worker_months: int
    total: int
    settled: int
    cancelled: int
    unpaid_worker_months: int
    unpaid: int
    status: BillState


class BillRead(BillRow):
    """A bill as issued and as it stands (``lindung billing show``): its row and its payments."""

    payments: list[BillPayment]


class BillLine(_Schema):
    """One worker-month of a bill (live: voided months are no longer the bill's)."""

    month: MonthText
    nik: str
    """Masked."""
    name: str
    amount: int
    status: Literal["due", "paid"]
    paid_on: dt.date | None


# --- coverage -------------------------------------------------------------------------------------


class CoveredWorker(_Schema):
    nik: str
    """Masked unless the answer was unmasked."""
    masked: bool
    name: str
    died_on: dt.date | None


class DueDate(_Schema):
    month: MonthText
    due_date: dt.date
    """The nominal due day moved forward to the next working day."""
    nominal: dt.date
    holidays_known: bool
    """False when the calendar only knew weekends."""
    reference: str


class Decision(_Schema):
    """Whether an event on ``event`` is covered, and why: the rules' ``covered_at``."""

    event: dt.date
    month: MonthText
    covered: bool
    reason: str
    """``paid_by_event``, ``paid_by_due_date``, ``paid_after_event_and_due_date`` or ``unpaid``."""
    paid_on: dt.date | None
    due: DueDate
    policy: str
    reference: str


class Membership(_Schema):
    start: MonthText
    end: MonthText | None
    """The last paid month of an ended membership."""
    ended_on: dt.date | None
    """The day its arrears could no longer be paid."""
    paid_months: int


class Arrears(_Schema):
    month: MonthText
    """A month unpaid past its due date…"""
    payable_until: dt.date
    """…and the last day it may still be paid."""


class CoverageMonth(_Schema):
    month: MonthText
    state: str
    """``paid``, ``paid_late``, ``grace``, ``lapsed``, ``outside``, ``paid_too_late`` or ``future``."""
    billed: bool
    line: str | None
    """The ledger line as it stood that day: ``due`` or ``paid``; None when not billed by then."""
    amount: int | None
    paid_on: dt.date | None
    agreement: str | None
    payment_code: str | None


class Coverage(_Schema):
    """Was the worker protected on ``at``, and why (``lindung coverage``)."""

    worker: CoveredWorker
    at: dt.date
    payments_after: int
    """Months paid after ``at`` (known today, not then): left out of the months, the history and the arrears."""
    bills_after: int
    """Months billed after ``at``: left out of the months."""
    protected: bool
    """The event decision, and the worker alive on that day."""
    decision: Decision
    protected_until: dt.date | None
    """The last day of the current membership's unbroken paid run."""
    contribution_months: int
    """Masa iur: paid months of the current membership up to ``at``'s month."""
    memberships: list[Membership]
    arrears_grace_months: int
    arrears: list[Arrears]
    months: list[CoverageMonth]

    @property
    def current(self) -> Membership | None:
        """The membership running on ``at`` (None after a lapse, or before any payment)."""
        last = self.memberships[-1] if self.memberships else None
        return last if last is not None and last.ended_on is None else None


# --- ends -----------------------------------------------------------------------------------------


class Settlement(_Schema):
    """What happened to the money of the months voided under one agreement."""

    agreement: str
    policy: str
    """``refund``, ``credit`` (the agreement's ``after_death``), or ``none`` when nothing voided was paid."""
    voided_worker_months: int
    voided_unpaid: int
    paid_worker_months: int
    paid_amount: int
    refund: int
    credit: int

    @classmethod
    def of(cls, agreement: str, policy: str, *, voided: int = 0, voided_unpaid: int = 0, paid: int = 0,
           paid_amount: int = 0) -> Settlement:
        return cls(agreement=agreement, policy=policy, voided_worker_months=voided, voided_unpaid=voided_unpaid,
                   paid_worker_months=paid, paid_amount=paid_amount,
                   refund=paid_amount if policy == "refund" else 0, credit=paid_amount if policy == "credit" else 0)


class EndResult(_Schema):
    """A death (``lindung billing death``) or a leaving (``lindung billing leave``)."""

    nik: str
    """Masked."""
    reason: str
    """``death`` or ``left``."""
    last_month: MonthText
    died_on: dt.date | None = None
    enrolments_ended: int
    enrolments_cancelled: int
    settlements: list[Settlement]


class AgreementEnd(_Schema):
    """An agreement ended (``lindung billing end-agreement``)."""

    agreement: str
    last_month: MonthText
    enrolments_ended: int
    enrolments_cancelled: int
    settlement: Settlement


class AgreementEnded(_Schema):
    """An agreement ended by ``ends.close_agreement``: as it is now, and, when it was ended after a last
    month (``end_agreement``), its enrolments ended and its bills settled."""

    agreement: AgreementRead
    billing: AgreementEnd | None
    """None when it ended unused (no worker covered, nothing billed)."""


# --- the lists (one row each; the CSV columns are ``lists.*_COLUMNS``) ----------------------------


class OverdueRow(_Schema):
    payment_code: str
    agreement: str
    sponsor: str
    sponsor_name: str
    cycle_from: MonthText
    cycle_to: MonthText
    seq: int
    due_date: dt.date
    days_overdue: int
    total: int
    unpaid_worker_months: int
    unpaid: int


class UnpaidRow(_Schema):
    agreement: str
    sponsor: str
    sponsor_name: str
    unpaid_worker_months: int
    workers: int
    first_month: MonthText
    last_month: MonthText
    unpaid: int


class EndingRow(_Schema):
    nik: str
    name: str
    agreement: str
    protected_until: dt.date
    days_left: int
    contribution_months: int
    last_paid_month: MonthText


class LapsingRow(_Schema):
    nik: str
    name: str
    agreement: str
    arrears_from: MonthText
    arrears_months: int
    arrears: int
    payable_until: dt.date
    days_left: int
    payment_code: str
    contribution_months: int


class StatementRow(_Schema):
    sponsor: str
    sponsor_name: str
    agreement: str
    status: str
    billed: int
    cancelled: int
    settled: int
    received: int
    payments: int
    credit: int
    refunds: int
    outstanding: int

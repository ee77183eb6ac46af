"""What the simulator takes and gives (``lindung simulate … --json``; the API's bodies).

Every amount is whole rupiah and comes with its arithmetic and the law it rests on (``reference``);
``label`` says what a line is in the reader's language. A request's numbers are checked by the
service (``simulator.service``), which refuses them with the CLI's message codes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import ConfigDict, Field, StrictInt

from lindung.kit.schemas import MonthText, Schema

BenefitKind = Literal["jkm", "jkk-death", "jkk-disability-total", "jkk-disability-partial", "jkk-stmb",
                      "scholarship"]
"""The benefits the simulator computes (``lindung simulate benefit KIND``)."""
BENEFIT_KINDS: tuple[BenefitKind, ...] = ("jkm", "jkk-death", "jkk-disability-total", "jkk-disability-partial",
                                          "jkk-stmb", "scholarship")


class ContributionRequest(Schema):
    """One worker's contribution for ``months`` months from ``month``."""

    income: StrictInt
    """Income a month (rupiah), mapped to its bracket."""
    month: MonthText
    """The first month, ``YYYY-MM``."""
    occupation: str = Field(default="lainnya", max_length=200)
    """An occupation's code or label ('petani', 'Tukang Ojek'): transport work is another sector."""
    funding: str = Field(default="mandiri", max_length=200)
    """The funding source: apbn, apbd, apbdes, csr, kadin, mandiri …"""
    jht: bool = False
    """With the optional old-age savings (JHT)."""
    months: StrictInt = 1
    """How many months (1 to 1.200)."""


class BenefitRequest(Schema):
    """What a benefit is computed from; each kind uses some of the fields (``BENEFIT_FIELDS``) and
    refuses the others. ``income`` and ``base``: exactly one, for the JKK kinds."""

    date: dt.date
    """The day of the death or accident: the rules in force that day apply."""
    income: StrictInt | None = None
    """Income a month (rupiah), mapped to its bracket's contribution base."""
    base: StrictInt | None = None
    """The contribution base (dasar) as it is."""
    children: list[str] = Field(default_factory=list, max_length=20)
    """Each child as ``LEVEL:YEAR`` (tk, sd, smp, sma, pt) or ``belum`` (not at school yet)."""
    contribution_months: StrictInt | None = None
    """Months of contributions paid (the JKM scholarship needs a minimum)."""
    percent: Decimal | None = None
    """The disability table's percentage (more than 0, at most 100)."""
    function_loss: Decimal | None = None
    """The percentage of function lost (a functional partial disability)."""
    months: StrictInt | None = None
    """Months of temporary incapacity (STMB)."""
    cause: str | None = Field(default=None, max_length=20)
    """What the scholarship follows: a death (jkm) or a work accident (jkk)."""


class ComponentLine(Schema):
    """One computed line: its ``amount`` (rupiah), how (``arithmetic``) and under which law."""

    code: str
    label: str
    """What the line is, in the reader's language."""
    amount: int
    arithmetic: str
    reference: str
    verified: bool
    """False for a value not yet checked against the gazette (said as such)."""
    note: str | None = None


class ContributionRun(Schema):
    """Consecutive months that cost the same for the same reasons."""

    model_config = ConfigDict(frozen=True, extra="forbid", serialize_by_alias=True)

    first: str = Field(serialization_alias="from")
    """The run's first month (``from`` in JSON)."""
    last: str = Field(serialization_alias="to")
    """Its last month (``to`` in JSON)."""
    months: int
    monthly: int
    total: int
    components: list[ComponentLine]
    """What one month of the run costs, line by line."""


class MonthTotal(Schema):
    month: str
    total: int


class ContributionView(Schema):
    total: int
    """Whole rupiah for all the months."""
    months: int
    first_month: str
    last_month: str
    occupation: str
    occupation_label: str
    sector: str
    """``transport`` or ``other``: the sectors' discounts differ."""
    funding: str
    funding_label: str
    jht: bool
    base: int
    """The first month's contribution base."""
    bracket: int | None
    components: list[ComponentLine]
    """Each line summed over the months ('3 × Rp10.000 + 9 × Rp10.000')."""
    runs: list[ContributionRun]
    per_month: list[MonthTotal]


class ChildLine(Schema):
    child: str
    level: str
    year: int
    eligible: bool
    reason: str | None
    """The message code saying why a child is not paid."""
    reason_text: str | None = None
    """That reason in the reader's language."""
    this_year: int
    projected: int
    components: list[ComponentLine]


class ScholarshipView(Schema):
    cause: str
    eligible: bool
    reason: str | None
    reason_text: str | None = None
    condition: ComponentLine | None
    this_year: int
    projected: int
    children: list[ChildLine]


class BenefitView(Schema):
    benefit: str
    """``jkm``, ``jkk_death``, ``jkk_disability_total``, ``jkk_disability_partial``, ``jkk_stmb`` or
    ``scholarship``."""
    date: dt.date
    base: int | None
    total: int
    """The cash payable now, whole rupiah (scholarships beside it; 0 for ``scholarship``)."""
    components: list[ComponentLine]
    notes: list[str]
    """Message codes of what the figures leave out."""
    notes_text: list[str] = Field(default_factory=list)
    """Those notes in the reader's language."""
    scholarship_this_year: int | None = None
    scholarship_projected: int | None = None
    scholarship: ScholarshipView | None = None

"""What the public checks take and answer: the same fields whatever the answer, so that the shape of an
answer says nothing more than its words."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from lindung.kit.schemas import Schema

TEXT_MAX = 40
"""The longest text a public field takes (a NIK typed with spaces, a date, a claim number)."""


class CoverageCheck(Schema):
    """A coverage check: the worker's NIK (16 digits) and birth date (``YYYY-MM-DD`` or ``DD-MM-YYYY``)."""

    nik: str = Field(max_length=TEXT_MAX, examples=["3216014107950001"])
    birth_date: str = Field(max_length=TEXT_MAX, examples=["1995-07-01"])


class CoverageAnswer(Schema):
    """Protected today and until when, with the name masked (``J*** H******``); or not protected, with
    neither: a lapsed worker, an unknown NIK and a wrong birth date all answer that, alike."""

    protected: bool
    until: dt.date | None
    name: str | None
    nik: str = Field(description="The NIK asked about, masked (3216********0001)")
    checked_on: dt.date


class ClaimStatusCheck(Schema):
    """A claim's status: its number (``KL-2026-000001``) and the payee's NIK."""

    number: str = Field(max_length=TEXT_MAX, examples=["KL-2026-000001"])
    payee_nik: str = Field(max_length=TEXT_MAX, examples=["3216014107950001"])


class ClaimStatusAnswer(Schema):
    """The stage a claim has reached (``received``: entered, not yet submitted; else the claims' own
    status codes) and the day it reached it, the day it was paid; or not found (an unknown number, or
    a payee NIK that does not match), with none of them."""

    found: bool
    stage: str | None
    stage_on: dt.date | None
    paid_on: dt.date | None
    checked_on: dt.date


class CoverageAnswerView(CoverageAnswer):
    """``CoverageAnswer`` with its sentence in the reader's language."""

    message: str


class ClaimStatusAnswerView(ClaimStatusAnswer):
    """``ClaimStatusAnswer`` with the stage's label and its sentence in the reader's language."""

    stage_label: str | None
    message: str

"""What the registry's use cases take and give: the CLI's ``--json`` prints these, the API will serve
them. The schemas only type; the service checks (a NIK, a phone, a relationship, an amount's bound) and
says what is wrong with the message of the field, as a form would. Money is an int of rupiah; months
are ``YYYY-MM`` text; times are UTC."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from lindung.kit.schemas import MonthText
from lindung.kit.schemas import Schema as _Schema

# --- in ---------------------------------------------------------------------------------------


class HeirIn(_Schema):
    """An heir as an officer writes them: a relationship is a code or any label of the catalogue
    ("istri", "anak kandung", "spouse")."""

    name: str
    relationship: str
    nik: str | None = None


class WorkerRegistration(_Schema):
    """A worker to register as a client of the API sends them (``POST /api/v1/workers``): ``sex`` and
    ``birth_date``, when given, must agree with the NIK (else they are taken from it); ``domicile`` is
    a desa's code or its name ('Sukamurni, Sukakarya'); ``income`` defaults to the lowest bracket's."""

    nik: str
    name: str
    domicile: str
    occupation: str
    sex: str | None = None
    birth_date: dt.date | None = None
    income: int | None = None
    phone: str | None = None
    heirs: tuple[HeirIn, ...] = ()
    different_person: bool = False
    """An officer checked the ID card: a registered worker with this name whose NIK differs only in
    the serial is another person."""


class WorkerCreate(WorkerRegistration):
    """``worker add``: a worker to register, and the door they came through."""

    source: str | None = None
    """What the worker was registered from (``cli``, ``api``, ``import:kadin.xlsx``)."""


UPDATABLE = ("name", "domicile", "occupation", "income", "phone", "heirs", "reviewed")


class WorkerUpdate(_Schema):
    """``worker update``: what an officer corrects or updates; ``None`` leaves a field as it is.
    ``phone=""`` clears the phone; ``heirs`` replaces the whole list (``()`` clears it). The NIK, and the
    sex and birth date it holds, are not editable: another NIK is another person."""

    name: str | None = None
    domicile: str | None = None
    occupation: str | None = None
    income: int | None = None
    phone: str | None = None
    heirs: tuple[HeirIn, ...] | None = None
    reviewed: bool | None = None
    """True: an officer checked the worker flagged for review (their ID card: a NIK whose kecamatan
    is not in the region list, say) and clears the flag."""

    def empty(self) -> bool:
        return all(getattr(self, f) is None for f in UPDATABLE)


# --- out --------------------------------------------------------------------------------------


class NikRegion(_Schema):
    """The codes the NIK's first six digits name: where it was first issued."""

    province: str
    regency: str
    district: str


class Domicile(_Schema):
    code: str
    name: str | None
    district: str | None
    """The kecamatan's name."""


class OccupationRead(_Schema):
    code: str
    label_id: str | None
    label_en: str | None
    transport: bool | None


class IncomeBracket(_Schema):
    number: int
    base: int


class HeirRead(_Schema):
    name: str
    relationship: str
    """The relationship's code (``spouse``, ``child``…)."""
    nik: str | None
    """Masked unless the view is unmasked."""


class Written(_Schema):
    """Who wrote a row, when, and from what (``cli``, ``import:kadin.xlsx``, ``demo``)."""

    by: str
    at: dt.datetime
    source: str | None


class EnrolmentRead(_Schema):
    """One of the worker's enrolments; JSON names its months ``from`` and ``to``."""

    model_config = ConfigDict(serialize_by_alias=True)

    agreement: str
    first: MonthText = Field(serialization_alias="from")
    last: MonthText = Field(serialization_alias="to")
    status: str
    committed_cost: int
    enrolled: Written


class WorkerRead(_Schema):
    """A worker as ``worker show`` shows them: the NIK, the heirs' NIKs and the phone masked unless
    ``masked`` is false. ``income_bracket`` is the bracket the declared income falls in today (the
    contribution's base if the worker paid for themself; a sponsored worker's follows the agreement's
    package). A sponsor's staff see only their sponsor's enrolments."""

    ref: str
    """The worker's opaque id (``workers.refs``): how the API addresses them, never by NIK."""
    nik: str
    masked: bool
    name: str
    sex: str
    birth_date: dt.date
    nik_region: NikRegion
    needs_review: bool
    review_reason: str | None
    domicile: Domicile
    occupation: OccupationRead
    declared_income: int
    income_bracket: IncomeBracket
    phone: str | None
    heirs: list[HeirRead]
    enrolments: list[EnrolmentRead]
    registered: Written


class WorkerUpdated(WorkerRead):
    """The worker after ``worker update``, with the fields that changed (none: the values given were
    the worker's already)."""

    changed: list[str]


class ActivePeriod(_Schema):
    """An active enrolment as ``worker find`` lists it; JSON names its months ``from`` and ``to``."""

    model_config = ConfigDict(serialize_by_alias=True)

    agreement: str
    first: MonthText = Field(serialization_alias="from")
    last: MonthText = Field(serialization_alias="to")


class WorkerFound(_Schema):
    """One row of ``worker find``."""

    ref: str
    """The worker's opaque id (``workers.refs``): ``/api/v1/workers/{ref}``."""
    nik: str
    """Masked unless the search was unmasked."""
    name: str
    sex: str
    birth_date: dt.date
    desa_code: str
    desa: str
    """The desa's name ("" if the code is no longer in the region list)."""
    occupation: str
    needs_review: bool
    review_reason: str | None
    enrolments: list[ActivePeriod]


class WorkerSearch(_Schema):
    """What ``worker find`` found: ``total`` that match, ``shown`` of them by name from the
    ``offset``-th."""

    total: int
    shown: int
    offset: int = 0
    alike: bool
    """No name holds the words as typed: these are names that may be the same person's written
    otherwise (``workers.names``), within the region or agreement asked."""
    alike_partial: bool
    """The region or agreement holds more workers than are compared name by name: only the first were."""
    workers: list[WorkerFound]


class Unmasking(_Schema):
    """Why a full NIK is shown (``POST /workers/{ref}/unmask``): written to the audit log."""

    reason: str = Field(min_length=1, max_length=500)


class NikLookup(_Schema):
    """A worker looked up by NIK: in a body, never in a URL."""

    nik: str = Field(max_length=64)
